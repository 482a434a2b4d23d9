"""Inline SVG drawn on the server: the 24-hour sparkline, the 7-day hourly chart and the status badge.

Colours come from classes the stylesheet sets (light and dark); every chart carries a title and a description
for screen readers, and the page beside it says the same in text. All text is escaped.
"""

from __future__ import annotations

from datetime import UTC, datetime

from markupsafe import Markup, escape

from bot.core.i18n import _, local_time, number
from bot.core.plural import plural
from bot.features.availability.public import Hourly
from bot.features.availability.status import BASELINE_FACTOR

HOUR = 3600


def _points(values: list[float], x0: float, step: float, y0: float, scale: float) -> str:
    return " ".join(f"{x0 + (i + 0.5) * step:.1f},{y0 - v * scale:.1f}" for i, v in enumerate(values))


def _bars(values: list[int], css: str, x0: float, step: float, y0: float, scale: float, up: bool) -> list[str]:
    """One path of bars (one element per series keeps a page of many charts small)."""
    width = max(0.6, step * 0.8)
    moves = []
    for i, value in enumerate(values):
        if value:
            height = max(1.0, value * scale)
            moves.append(f"M{x0 + i * step + (step - width) / 2:.1f} {y0:.1f}v{-height if up else height:.1f}"
                         f"h{width:.1f}v{height if up else -height:.1f}z")
    return [f'<path class="{css}" d="{"".join(moves)}"/>'] if moves else []


def describe(history: Hourly, span: str) -> str:
    """The chart's description in words (also the screen reader's)."""
    drought, flowing = sum(history.drought), sum(history.flowing)
    peak = max(history.drought, default=0)
    usual = max(history.usual, default=0.0)
    text = _("{span}: {drought} and {flowing} (distinct members per hour, summed).").format(
        span=span, drought=plural(drought, "drought report", "drought reports"),
        flowing=plural(flowing, "tasks-back report", "tasks-back reports"))
    if peak:
        at = history.start + history.drought.index(peak) * HOUR
        text += " " + _("Most drought reports in one hour: {peak}, at {time} UTC.").format(
            peak=peak, time=local_time(datetime.fromtimestamp(at, UTC), "EEE HH:00"))
    text += " " + (_("The usual level for these hours is at most {usual} drought reports an hour.").format(
        usual=number(usual, 1)) if usual else _("No drought reports are usual for these hours."))
    return text


def sparkline(history: Hourly, ident: str) -> Markup:
    """24 hourly bars: drought above the line, tasks back below it, the usual drought level dashed."""
    width, height, mid = 120.0, 32.0, 16.0
    step = width / max(1, len(history.drought))
    top = max([*history.drought, *history.flowing, *history.usual, 1])
    scale = (mid - 1) / top
    parts = [
        f'<svg class="spark" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'role="img" aria-labelledby="{ident}-t">',
        f'<title id="{ident}-t">{escape(describe(history, _("Last 24 hours")))}</title>',
        f'<line class="axis" x1="0" y1="{mid}" x2="{width:.0f}" y2="{mid}"/>',
        *_bars(history.drought, "drought", 0, step, mid, scale, up=True),
        *_bars(history.flowing, "flowing", 0, step, mid, scale, up=False),
    ]
    if any(history.usual):
        parts.append(f'<polyline class="usual" points="{_points(history.usual, 0, step, mid, scale)}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def week_chart(history: Hourly, title_id: str, desc_id: str) -> Markup:
    """7 days of hourly bars against the baseline band (the usual level up to BASELINE_FACTOR times it)."""
    width, height, left, bottom, top_pad = 720.0, 220.0, 34.0, 24.0, 8.0
    plot_w, mid = width - left - 4, (height - bottom - top_pad) / 2 + top_pad
    step = plot_w / max(1, len(history.drought))
    band_top = [u * BASELINE_FACTOR for u in history.usual]
    top = max([*history.drought, *history.flowing, *band_top, 1])
    scale = (mid - top_pad) / top
    parts = [
        f'<svg class="week" id="week-chart" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-labelledby="{title_id}" aria-describedby="{desc_id}" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{title_id}">Hourly reports over the last 7 days against the usual level</title>',
        f'<desc>{escape(describe(history, _("Last 7 days")))}</desc>',
    ]
    if any(history.usual):
        upper = [(left + (i + 0.5) * step, mid - v * scale) for i, v in enumerate(band_top)]
        lower = [(left + (i + 0.5) * step, mid - v * scale) for i, v in reversed(list(enumerate(history.usual)))]
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in [*upper, *lower])
        parts.append(f'<polygon class="band" points="{points}"/>')
    parts += _bars(history.drought, "drought", left, step, mid, scale, up=True)
    parts += _bars(history.flowing, "flowing", left, step, mid, scale, up=False)
    parts.append(f'<line class="axis" x1="{left}" y1="{mid:.1f}" x2="{width - 4:.0f}" y2="{mid:.1f}"/>')
    parts.append(f'<text class="label" x="2" y="{top_pad + 10:.0f}">{top}</text>')
    parts.append(f'<text class="label" x="2" y="{mid + 4:.0f}">0</text>')
    for i in range(0, len(history.drought), 24):
        at = datetime.fromtimestamp(history.start + i * HOUR, UTC)
        x = left + i * step
        parts.append(f'<line class="tick" x1="{x:.1f}" y1="{top_pad}" x2="{x:.1f}" y2="{height - bottom:.0f}"/>')
        parts.append(f'<text class="label" x="{x + 2:.1f}" y="{height - 6:.0f}">{at:%a %d}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


BADGE_COLOURS = {"drought": "#b00020", "mixed": "#8a5a00", "flowing": "#1b6e20", "none": "#555555"}
BADGE_ICONS = {"drought": "▼", "mixed": "◆", "flowing": "▲", "none": "○"}


def badge(name: str, state: str, label: str) -> str:
    """A small status badge (shields.io style): the platform's name, then the state's icon and words."""
    left_text, right_text = name, f"{BADGE_ICONS.get(state, '')} {label}".strip()
    left_w, right_w = 10 + 7 * len(left_text), 10 + 7 * len(right_text)
    total = left_w + right_w
    colour = BADGE_COLOURS.get(state, BADGE_COLOURS["none"])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{escape(left_text)}: {escape(label)}">'
        f"<title>{escape(left_text)}: {escape(label)}</title>"
        f'<rect width="{left_w}" height="20" fill="#333333"/>'
        f'<rect x="{left_w}" width="{right_w}" height="20" fill="{colour}"/>'
        '<g fill="#ffffff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="5" y="14">{escape(left_text)}</text>'
        f'<text x="{left_w + 5}" y="14">{escape(right_text)}</text></g></svg>'
    )
