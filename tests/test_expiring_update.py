"""ExpiringCache.update: many entries stored at once leave the cache as storing them one by one at that moment."""

from __future__ import annotations

import random

from bot.core.expiring import ExpiringCache


def test_storing_many_at_once_is_storing_them_one_by_one(clock) -> None:
    rng = random.Random(5)
    one: ExpiringCache[str, int] = ExpiringCache(8, 60, clock.monotonic)
    many: ExpiringCache[str, int] = ExpiringCache(8, 60, clock.monotonic)
    for _round in range(40):
        pairs = [(f"k{rng.randrange(20)}", rng.randrange(100)) for _ in range(rng.randrange(0, 12))]
        for key, value in pairs:
            one[key] = value
        many.update(pairs)
        assert list(one._items.items()) == list(many._items.items())
        clock.advance(seconds=rng.choice((0, 10, 30, 61)))
    assert len(many) <= 8
