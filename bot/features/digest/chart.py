"""The digest chart: reports per platform per day, drawn with matplotlib's Agg backend (no pyplot)."""

from __future__ import annotations

import io

from bot.core.i18n import _, number
from bot.core.model import Image
from bot.core.plural import plural
from bot.features.digest.model import Digest

COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#b0b0b0")


def alt_text(digest: Digest) -> str:
    """A description of the chart for screen readers."""
    totals = [sum(counts[d] for _name, counts in digest.daily) for d in range(len(digest.day_labels))]
    busiest = max(range(len(totals)), key=totals.__getitem__) if totals else 0
    top = ", ".join(f"{name} {number(sum(counts))}" for name, counts in digest.daily[:3])
    return _("Stacked bar chart of crowd reports per day, {first} to {last}: {reports} in all; busiest day {busiest} "
             "({busiest_count}); most reported: {top}.").format(
        first=digest.day_labels[0], last=digest.day_labels[-1], reports=plural(sum(totals), "report", "reports"),
        busiest=digest.day_labels[busiest], busiest_count=number(totals[busiest]), top=top)


def draw_png(digest: Digest) -> bytes:
    """The chart as PNG bytes. Blocking: call it in a worker thread."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4), dpi=100)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = range(len(digest.day_labels))
    bottom = [0] * len(digest.day_labels)
    for index, (name, counts) in enumerate(digest.daily):
        axes.bar(positions, counts, bottom=bottom, label=name, color=COLOURS[index % len(COLOURS)], width=0.7)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    axes.set_xticks(list(positions), digest.day_labels)
    axes.set_ylabel(_("reports"))
    axes.set_title(_("Crowd reports per day"))
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    figure.subplots_adjust(left=0.08, right=0.76, top=0.9, bottom=0.1)
    buffer = io.BytesIO()
    canvas.print_png(buffer)
    return buffer.getvalue()


def chart_image(digest: Digest) -> Image:
    """The chart with its alt text. Blocking: call it in a worker thread."""
    return Image(draw_png(digest), alt_text(digest), filename="digest.png")
