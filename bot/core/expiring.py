"""A cache whose entries expire a fixed time after they were stored, on a monotonic timer, and whose size is capped.

Written here rather than taken from cachetools: its TTLCache costs about 6 us a lookup (measured), and /status
looks up every recent reporter; a lookup here is one dict lookup and a comparison.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class ExpiringCache(Generic[K, V]):
    """At most `size` entries, each kept `ttl` seconds of `timer` (a monotonic clock, so a wall clock stepped back
    keeps nothing longer); storing an entry drops the expired ones and, past the cap, the oldest."""

    def __init__(self, size: int, ttl: float, timer: Callable[[], float]) -> None:
        self._size = size
        self._ttl = ttl
        self.timer = timer
        self._items: OrderedDict[K, tuple[V, float]] = OrderedDict()  # oldest first: the first to expire

    def get(self, key: K, now: float | None = None) -> V | None:
        """The value stored under `key` if it has not expired (at `now`, default the timer's time), else None."""
        item = self._items.get(key)
        if item is None or (self.timer() if now is None else now) >= item[1]:
            return None
        return item[0]

    def __setitem__(self, key: K, value: V) -> None:
        now = self.timer()
        items = self._items
        items.pop(key, None)
        items[key] = (value, now + self._ttl)
        while len(items) > self._size or items[next(iter(items))][1] <= now:
            items.popitem(last=False)

    def pop(self, key: K, default: V | None = None) -> V | None:
        """Remove an entry; its value (expired or not), or `default`."""
        item = self._items.pop(key, None)
        return default if item is None else item[0]

    def clear(self) -> None:
        """Remove every entry."""
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
