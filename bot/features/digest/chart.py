"""The digest chart: reports per platform per day as stacked bars, drawn with Pillow (a few milliseconds)."""

from __future__ import annotations

import io
import math

from bot.core.i18n import _, number
from bot.core.model import Image
from bot.core.plural import plural
from bot.features.digest.model import Digest

COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#b0b0b0")
WIDTH, HEIGHT = 800, 400
PLOT = (64, 40, 608, 360)  # left, top, right, bottom of the bars' area; the legend is right of it
INK, GREY = "#262626", "#d9d9d9"


def alt_text(digest: Digest) -> str:
    """A description of the chart for screen readers."""
    totals = [sum(counts[d] for _name, counts in digest.daily) for d in range(len(digest.day_labels))]
    busiest = max(range(len(totals)), key=totals.__getitem__) if totals else 0
    top = ", ".join(f"{name} {number(sum(counts))}" for name, counts in digest.daily[:3])
    return _("Stacked bar chart of crowd reports per day, {first} to {last}: {reports} in all; busiest day {busiest} "
             "({busiest_count}); most reported: {top}.").format(
        first=digest.day_labels[0], last=digest.day_labels[-1], reports=plural(sum(totals), "report", "reports"),
        busiest=digest.day_labels[busiest], busiest_count=number(totals[busiest]), top=top)


def tick_step(top: int, ticks: int = 5) -> int:
    """A round step (1, 2 or 5 times a power of ten) that cuts 0..top into at most about `ticks` parts."""
    raw = max(1.0, top / ticks)
    power = 10 ** math.floor(math.log10(raw))
    return int(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


def draw_png(digest: Digest) -> bytes:
    """The chart as PNG bytes. Blocking: call it in a worker thread."""
    from PIL import Image as Picture
    from PIL import ImageDraw, ImageFont

    picture = Picture.new("RGB", (WIDTH, HEIGHT), "white")
    pen = ImageDraw.Draw(picture)
    small, large = ImageFont.load_default(size=11), ImageFont.load_default(size=14)
    left, top, right, bottom = PLOT
    days = len(digest.day_labels)
    totals = [sum(counts[d] for _name, counts in digest.daily) for d in range(days)]
    step = tick_step(max(totals, default=0))
    ceiling = max(step, -(-max(totals, default=0) // step) * step)
    scale = (bottom - top) / ceiling
    for value in range(0, ceiling + 1, step):
        y = bottom - value * scale
        pen.line((left, y, right, y), fill=GREY)
        pen.text((left - 6, y), number(value), fill=INK, font=small, anchor="rm")
    slot = (right - left) / max(1, days)
    stacked = [0] * days
    for index, (_name, counts) in enumerate(digest.daily):
        for day, count in enumerate(counts):
            if count:
                x = left + slot * (day + 0.15)
                y0, y1 = bottom - (stacked[day] + count) * scale, bottom - stacked[day] * scale
                pen.rectangle((x, y0, x + slot * 0.7, y1), fill=COLOURS[index % len(COLOURS)])
                stacked[day] += count
    pen.line((left, top, left, bottom), fill=INK)
    pen.line((left, bottom, right, bottom), fill=INK)
    for day, label in enumerate(digest.day_labels):
        pen.text((left + slot * (day + 0.5), bottom + 6), label, fill=INK, font=small, anchor="mt")
    pen.text(((left + right) / 2, top / 2), _("Crowd reports per day"), fill=INK, font=large, anchor="mm")
    caption = Picture.new("RGB", (bottom - top, 16), "white")  # the y axis' label, turned to read upwards
    ImageDraw.Draw(caption).text(((bottom - top) / 2, 8), _("reports"), fill=INK, font=small, anchor="mm")
    picture.paste(caption.rotate(90, expand=True), (8, top))
    for index, (name, _counts) in enumerate(digest.daily):
        y = top + index * 18
        pen.rectangle((right + 16, y + 2, right + 26, y + 12), fill=COLOURS[index % len(COLOURS)])
        pen.text((right + 32, y + 7), name, fill=INK, font=small, anchor="lm")
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", optimize=False, compress_level=6)
    return buffer.getvalue()


def chart_image(digest: Digest) -> Image:
    """The chart with its alt text. Blocking: call it in a worker thread."""
    return Image(draw_png(digest), alt_text(digest), filename="digest.png")
