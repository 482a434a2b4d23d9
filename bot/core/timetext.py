"""Times in words, the same everywhere: how long ago, how long a span, and a short UTC date."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.plural import plural

HOUR = 3600
DAY = 24 * HOUR


def describe_span(seconds: int) -> str:
    """A window length in words: '6 hours', '7 days', 'a year'."""
    if seconds >= 365 * DAY:
        return "a year"
    if seconds >= DAY:
        return plural(seconds // DAY, "day")
    return plural(seconds // HOUR, "hour")


def describe_age(seconds: float) -> str:
    """How long ago, in words: 'just now', '12 min ago', '3 h ago', '2 days ago'."""
    if seconds < 60:
        return "just now"
    if seconds < HOUR:
        return f"{int(seconds // 60)} min ago"
    if seconds < 2 * DAY:
        return f"{int(seconds // HOUR)} h ago"
    return f"{int(seconds // DAY)} days ago"


def format_time(at: int) -> str:
    """A unix time as a short UTC date and time, e.g. 23 Nov 2026 12:00 UTC."""
    return datetime.fromtimestamp(at, UTC).strftime("%d %b %Y %H:%M UTC").lstrip("0")
