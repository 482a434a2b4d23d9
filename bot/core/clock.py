"""Injected time, so status, digests and schedules are testable without sleeping."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current time (timezone-aware, UTC)."""

    def now(self) -> datetime:
        """The current time in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards (for pacing and timeouts)."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(UTC)

    def monotonic(self) -> float:
        """The system's monotonic clock."""
        return time.monotonic()


class ManualClock:
    """A clock that moves only when told to (tests, simulations, benchmarks)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self._now = start
        self._seconds = start.timestamp()  # of _now, kept beside it: monotonic() is asked several times a command
        self._stepped = 0.0  # seconds the wall clock was stepped by jump(); monotonic time ignores them

    def now(self) -> datetime:
        """The current (manual) time."""
        return self._now

    def monotonic(self) -> float:
        """The manual time in seconds: it moves with advance() and set(), not with jump()."""
        return self._seconds - self._stepped

    def _move_to(self, when: datetime) -> datetime:
        self._now = when
        self._seconds = when.timestamp()
        return when

    def jump(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Step the wall clock (as NTP or an operator does), forwards or back; monotonic time does not move."""
        step = delta if delta is not None else timedelta(**kwargs)
        self._stepped += step.total_seconds()
        return self._move_to(self._now + step)

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move the clock forward by a timedelta or by keyword units (hours=2)."""
        return self._move_to(self._now + (delta if delta is not None else timedelta(**kwargs)))

    def set(self, when: datetime) -> None:
        """Jump to a given time."""
        self._move_to(when if when.tzinfo else when.replace(tzinfo=UTC))


def unix(when: datetime) -> int:
    """Unix seconds (UTC) of an aware datetime: how times are stored."""
    return int(when.timestamp())
