"""Group commit: concurrent one-statement writes share one transaction, each answered only after its COMMIT.

A write that finds the committer idle starts a batch at once (after one turn of the event loop, so writes
ready in the same turn join it): a lone writer pays no waiting. Writes that arrive while a batch commits
queue up and form the next batch, optionally lingering up to `linger` seconds for more. So a batch is as
large as the concurrency, and throughput grows with it, while no one hears "saved" before the COMMIT.

A batch that fails as a whole (the store is unavailable: busy, full, read-only) is rolled back and every
member gets that error, so each can be told truthfully that nothing was saved. Any other error (one
statement's constraint, say) rolls the batch back and runs its members alone, so one bad write fails only
itself. Backend-neutral: a backend supplies `run_batch`, which runs statements in one transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bot.core.errors import StorageUnavailable

Statement = tuple[str, Sequence[Any]]
# Runs statements in one transaction (or, for one, as its own), returning each one's rows; all or nothing.
RunBatch = Callable[[list[Statement]], Awaitable[list[list[Any]]]]
MAX_BATCH = 500  # statements per transaction: bounds how long the write lock is held at once
LINGER = 0.001  # seconds a batch waits for more writes, only while several members are writing


class GroupCommit:
    """Queues single-statement writes and commits them in shared transactions."""

    def __init__(self, run_batch: RunBatch, linger: float = LINGER, max_batch: int = MAX_BATCH) -> None:
        self._run_batch = run_batch
        self.linger = linger
        self.max_batch = max_batch
        self._queue: list[tuple[Statement, asyncio.Future]] = []
        self._committer: asyncio.Task | None = None
        self._last_size = 0
        self.transactions = 0  # batches committed or tried, for tests and benchmarks
        self.statements = 0

    async def write_returning(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Run one writing statement in the next shared transaction; its rows, once that has committed."""
        future = asyncio.get_running_loop().create_future()
        self._queue.append(((sql, params), future))
        if self._committer is None:
            self._committer = asyncio.create_task(self._commit_queued())
        # A member who stops waiting cancels only its own future; the batch runs in its own task.
        return await future

    async def _commit_queued(self) -> None:
        batch: list[tuple[Statement, asyncio.Future]] = []
        try:
            await asyncio.sleep(0)  # let writes that are ready in this turn of the loop join
            while self._queue:
                if self.linger and max(len(self._queue), self._last_size) > 1 and len(self._queue) < self.max_batch:
                    await asyncio.sleep(self.linger)  # others are writing too: wait a moment for more of them
                batch, self._queue = self._queue[:self.max_batch], self._queue[self.max_batch:]
                await self._commit(batch)
        except BaseException as exc:  # cancelled (shutdown) or a fault here: no member may wait forever
            for _statement, future in [*batch, *self._queue]:
                if isinstance(exc, asyncio.CancelledError):
                    future.cancel()
                else:
                    _settle(future, exc=exc)
            self._queue = []
            raise
        finally:
            self._committer = None

    async def _commit(self, batch: list[tuple[Statement, asyncio.Future]]) -> None:
        self.transactions += 1
        self.statements += len(batch)
        self._last_size = len(batch)
        try:
            results = await self._run_batch([statement for statement, _future in batch])
        except StorageUnavailable as exc:  # nothing of the batch was kept: every member hears so
            for _statement, future in batch:
                _settle(future, exc=exc)
            return
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0][1], exc=exc)
                return
            for member in batch:  # rolled back: find the statement at fault by running each alone
                await self._commit([member])
            return
        for (_statement, future), rows in zip(batch, results, strict=True):
            _settle(future, rows)


def _settle(future: asyncio.Future, rows: list[Any] | None = None, exc: BaseException | None = None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(rows)
