"""A sliding-window rate limiter keyed by person (or anything else), on the monotonic clock: stepping the wall
clock back (NTP, an operator) must not hold a member's earlier events "in the future" for hours."""

from __future__ import annotations

from collections import deque
from datetime import timedelta

from bot.core.clock import Clock


class RateLimiter:
    """Allows at most `limit` events per `window` for each key."""

    def __init__(self, clock: Clock, limit: int, window: timedelta) -> None:
        self._clock = clock
        self._limit = limit
        self._window = window.total_seconds()
        self._events: dict[str, deque[float]] = {}
        self._refused: set[str] = set()  # keys refused since they were last allowed

    def hit(self, key: str) -> float | None:
        """Record an event; None if allowed, else the seconds to wait before the next one is."""
        now = self._clock.monotonic()
        events = self._events.setdefault(key, deque())
        while events and now - events[0] >= self._window:
            events.popleft()
        if len(events) >= self._limit:
            return max(1.0, events[0] + self._window - now)
        events.append(now)
        self._refused.discard(key)
        if len(self._events) > 10_000:
            self._prune(now)
        return None

    def first_refusal(self, key: str) -> bool:
        """After a refused hit: True the first time since the key was last allowed (say so once, not at every try)."""
        if key in self._refused:
            return False
        self._refused.add(key)
        return True

    def _prune(self, now: float) -> None:
        """Drop keys with no recent events, so memory stays bounded."""
        for key in [k for k, ev in self._events.items() if not ev or now - ev[-1] >= self._window]:
            del self._events[key]
            self._refused.discard(key)
