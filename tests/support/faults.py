"""Injected faults for delivery tests and benchmarks: a write lock held by another connection, a full disk
(writes refused as SQLite refuses them), and a sender that records what arrived, per outbox key."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.core.delivery import Destination, PartSent
from bot.core.errors import StorageUnavailable
from bot.core.model import Reply

DISK_FULL = "database or disk is full"  # SQLite's message for SQLITE_FULL
SENT_UPDATE = r"SET state = 'sent'"  # the statement that marks a message delivered
WRITES = r"^\s*(INSERT|UPDATE|DELETE)\b"


class FaultyDatabase:
    """A real database whose next writes matching a pattern fail as the database reports a failing SQLite
    write (a full disk: StorageUnavailable with reason "full", as SqliteDatabase raises for SQLITE_FULL)."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self._rules: list[list[Any]] = []  # [pattern, reason, message, failures left or a condition]
        self.refused = 0

    def fail(self, pattern: str, times: int, reason: str = "full", message: str = DISK_FULL) -> None:
        """Refuse the next `times` statements whose SQL matches `pattern`."""
        self._rules.append([re.compile(pattern), reason, message, times])

    def fail_while(self, condition: Callable[[], bool], pattern: str = WRITES, reason: str = "full",
                   message: str = DISK_FULL) -> None:
        """Refuse every statement matching `pattern` (by default every write) while `condition()` holds."""
        self._rules.append([re.compile(pattern), reason, message, condition])

    def _check(self, sql: str) -> None:
        for rule in self._rules:
            left = rule[3]
            if (left() if callable(left) else left > 0) and rule[0].search(sql):
                if not callable(left):
                    rule[3] -= 1
                self.refused += 1
                raise StorageUnavailable(f"{self.db.path}: {rule[2]}", rule[1], writing=True)

    async def execute(self, sql: str, params: Any = ()) -> int:
        """Run a statement unless a rule refuses it."""
        self._check(sql)
        return await self.db.execute(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.db, name)


class WriteLock:
    """Another connection holding the database's write lock (BEGIN IMMEDIATE), as a second process would."""

    def __init__(self, path: Path | str) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.held = False
        self.times = 0

    def take(self, seconds: float | None = None) -> None:
        """Take the lock (if free), and give it back after `seconds` (real time) when given."""
        if not self.held:
            self._conn.execute("BEGIN IMMEDIATE")
            self.held = True
            self.times += 1
        if seconds is not None:
            asyncio.get_running_loop().call_later(seconds, self.release)

    def release(self) -> None:
        """Give the lock back."""
        if self.held:
            self._conn.execute("ROLLBACK")
            self.held = False

    def close(self) -> None:
        """Release and close the connection."""
        self.release()
        self._conn.close()


class CountingSender:
    """A Sender that records each arrival under the reply's title (tests give every message its own title).

    `before` runs as a request goes out, `after` once it has arrived and before the answer; either may raise
    or sleep to inject a fault (a hang after arrival is a reply after the client's timeout).
    """

    def __init__(self) -> None:
        self.arrived: Counter[str] = Counter()
        self.before: Callable[[str], Any] | None = None
        self.after: Callable[[str], Any] | None = None

    async def send(self, destination: Destination, reply: Reply, first_part: int = 0,
                   part_sent: PartSent | None = None) -> None:
        """Deliver one part (the whole reply) unless an earlier attempt did."""
        if first_part > 0:
            return
        title = reply.title or ""
        await _run(self.before, title)
        await asyncio.sleep(0)  # other sends (and other processes' rounds) interleave here
        self.arrived[title] += 1
        await _run(self.after, title)
        if part_sent is not None:
            await part_sent(1)

    def duplicates(self) -> int:
        """Arrivals beyond the first of each message."""
        return sum(n - 1 for n in self.arrived.values() if n > 1)


async def _run(hook: Callable[[str], Any] | None, title: str) -> None:
    if hook is not None:
        result = hook(title)
        if asyncio.iscoroutine(result):
            await result
