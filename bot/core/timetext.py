"""Times in words, the same everywhere: how long ago, how long a span, and a short UTC date."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.i18n import _, current, moment, ngettext, number
from bot.core.plural import plural

HOUR = 3600
DAY = 24 * HOUR


def describe_span(seconds: int) -> str:
    """A window length in words: '6 hours', '7 days', 'a year'."""
    if seconds >= 365 * DAY:
        return _("a year")
    if seconds >= DAY:
        return plural(seconds // DAY, "day", "days")
    return plural(seconds // HOUR, "hour", "hours")


def describe_age(seconds: float) -> str:
    """How long ago, in words: 'just now', '12 min ago', '3 h ago', '2 days ago'."""
    if seconds < 60:
        return _("just now")
    if seconds < HOUR:
        return _("{minutes} min ago").format(minutes=number(int(seconds // 60)))
    if seconds < 2 * DAY:
        return _("{hours} h ago").format(hours=number(int(seconds // HOUR)))
    days = int(seconds // DAY)
    return ngettext("{days} day ago", "{days} days ago", days).format(days=number(days))


def format_time(at: int) -> str:
    """A unix time as a short UTC date and time, e.g. 23 Nov 2026 12:00 UTC."""
    if current() != "en":
        return moment(at)
    return datetime.fromtimestamp(at, UTC).strftime("%d %b %Y %H:%M UTC").lstrip("0")
