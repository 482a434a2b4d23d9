"""Rate limits: a sliding-window limiter keyed by person (or anything else), on the monotonic clock (stepping the
wall clock back must not hold a member's earlier events "in the future" for hours); and the arithmetic of send
limits that several processes share through the database (storage/coordination.py keeps their state)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.core.clock import Clock

PRUNE_AT = 10_000  # keys kept before the idle ones are dropped


class RateLimiter:
    """Allows at most `limit` events per `window` for each key."""

    def __init__(self, clock: Clock, limit: int, window: timedelta) -> None:
        self._clock = clock
        self._limit = limit
        self._window = window.total_seconds()
        # A list per key, oldest first (a deque takes ~600 bytes even when it holds one time; a list ~70).
        self._events: dict[str, list[float]] = {}
        self._refused: set[str] = set()  # keys refused since they were last allowed
        self._prune_at = PRUNE_AT  # the number of keys at which the next walk over them drops the idle ones
        self._pruned = clock.monotonic()

    def hit(self, key: str) -> float | None:
        """Record an event; None if allowed, else the seconds to wait before the next one is."""
        now = self._clock.monotonic()
        events = self._events.get(key)
        if events is None:
            events = self._events[key] = []
        elif now - events[0] >= self._window:
            del events[:sum(1 for at in events if now - at >= self._window)]
        if len(events) >= self._limit:
            return max(1.0, events[0] + self._window - now)
        events.append(now)
        self._refused.discard(key)
        # Idle keys go once a window has passed (memory follows who is active, not who ever was), or sooner past
        # the cap; the cap then doubles what stayed: when most keys are active, a walk at every hit would cost them all.
        if len(self._events) > self._prune_at or now - self._pruned >= self._window:
            self._prune(now)
            self._pruned = now
            self._prune_at = max(PRUNE_AT, 2 * len(self._events))
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


@dataclass(frozen=True)
class SendLimit:
    """A platform's send limit shared by every process: `rate` sends per second, `burst` at once, kept under
    `name` (the platform, or a destination) as a theoretical arrival time (the generic cell rate algorithm)."""

    name: str
    rate: float
    burst: float

    @property
    def interval(self) -> float:
        """Seconds one send uses up."""
        return 1.0 / self.rate

    @property
    def tolerance(self) -> float:
        """How far ahead of its time a send may go (the burst)."""
        return (self.burst - 1) * self.interval


@dataclass(frozen=True)
class Reservation:
    """The answer to a request for a send slot: booked (send after `delay` seconds), or not, and then how long
    until one would be free and whether the destination's own limit (not the platform's) is what holds it."""

    booked: bool
    delay: float
    destination_bound: bool = False
    at: float = 0.0  # when the booked send may go, on the clock the limits are kept by


def reserve_slot(overall: Sequence[SendLimit], own: Sequence[SendLimit], tats: Mapping[str, float], now: float,
                 max_wait: float, max_overall_wait: float | None = None) -> tuple[Reservation, dict[str, float]]:
    """The earliest time every limit allows one more send; booked (with the new arrival times to store) when the
    destination's own limits allow it within `max_wait` seconds and the overall ones within `max_overall_wait`
    (`max_wait` when not given), else not booked and nothing to store."""
    at_overall = max([now, *(tats.get(limit.name, 0.0) - limit.tolerance for limit in overall)])
    at_own = max([now, *(tats.get(limit.name, 0.0) - limit.tolerance for limit in own)])
    at = max(at_overall, at_own)
    overall_wait = max_wait if max_overall_wait is None else max_overall_wait
    if at_own - now > max_wait or at_overall - now > overall_wait:
        return Reservation(False, at - now, destination_bound=at_own > at_overall), {}
    return Reservation(True, at - now, at=at), {limit.name: max(tats.get(limit.name, 0.0), at) + limit.interval
                                         for limit in (*overall, *own)}


def reserve_slots(requests: Sequence[tuple[Sequence[SendLimit], Sequence[SendLimit]]], tats: dict[str, float],
                  now: float, max_wait: float, max_overall_wait: float | None = None) -> list[Reservation]:
    """reserve_slot for several sends (overall limits, own limits) in order, each seeing the ones before it; the
    new arrival times are written into `tats`."""
    reservations = []
    for overall, own in requests:
        reservation, booked = reserve_slot(overall, own, tats, now, max_wait, max_overall_wait)
        tats.update(booked)
        reservations.append(reservation)
    return reservations


def rebook_slot(overall: Sequence[SendLimit], own: Sequence[SendLimit], tats: Mapping[str, float], now: float
                ) -> tuple[Reservation, dict[str, float]]:
    """A new turn for a send that missed its booked one: the earliest the overall limits allow, booked; the
    destination's own limits, booked already for the missed turn, are moved on to follow the new one."""
    at = max([now, *(tats.get(limit.name, 0.0) - limit.tolerance for limit in overall)])
    new = {limit.name: max(tats.get(limit.name, 0.0), at) + limit.interval for limit in overall}
    new.update({limit.name: max(tats.get(limit.name, 0.0), at + limit.interval) for limit in own})
    return Reservation(True, at - now, at=at), new


def held_off(limits: Sequence[SendLimit], tats: Mapping[str, float], until: float) -> dict[str, float]:
    """Arrival times that let nothing through these limits before `until` (the platform answered 429)."""
    return {limit.name: max(tats.get(limit.name, 0.0), until + limit.tolerance) for limit in limits}
