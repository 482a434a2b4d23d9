"""The per-person rate limiter stays bounded without scanning every key at every hit when many are active."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.clock import ManualClock
from bot.core.ratelimit import RateLimiter


class CountingLimiter(RateLimiter):
    """The real limiter, counting how often it walks all its keys to prune them."""

    scans = 0

    def _prune(self, now: float) -> None:
        self.scans += 1
        super()._prune(now)


def test_many_active_keys_are_pruned_now_and_then_not_at_every_hit() -> None:
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    limiter = CountingLimiter(clock, 5, timedelta(hours=1))
    for n in range(30_000):  # all within the window: none can be dropped
        assert limiter.hit(f"member{n}") is None
    assert limiter.scans <= 3  # the next walk waits until the keys have doubled since the last one
    assert limiter.hit("member0") is None  # and every one is still limited by its own events
    for _ in range(3):
        limiter.hit("member0")
    assert limiter.hit("member0") is not None


def test_idle_keys_are_dropped_once_their_window_passed() -> None:
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    limiter = CountingLimiter(clock, 5, timedelta(minutes=1))
    for n in range(15_000):
        limiter.hit(f"old{n}")
    clock.advance(timedelta(minutes=2))
    for n in range(15_000):
        limiter.hit(f"new{n}")
    assert len(limiter._events) <= 20_000 + 1  # the old ones went in a walk, though the new ones keep arriving


def test_below_the_cap_idle_keys_still_go_once_a_window_has_passed() -> None:
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    limiter = RateLimiter(clock, 5, timedelta(minutes=1))
    for n in range(3_000):
        limiter.hit(f"member{n}")
    clock.advance(timedelta(seconds=61))
    limiter.hit("member0")
    assert list(limiter._events) == ["member0"]  # who was active a while ago holds no memory now
    for _ in range(4):
        assert limiter.hit("member0") is None
    assert limiter.hit("member0") is not None  # and the limit itself is as before: 5 a minute
