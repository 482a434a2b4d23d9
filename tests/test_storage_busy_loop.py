"""A loop kept busy by long computations (a /status over thousands of opinions) does not make writes wait for
the write lock: a transaction's statements and a single write run on the loop's own thread, so the lock is never
held across the turns of the loop that other work takes."""

from __future__ import annotations

import asyncio
import time

from storage.database import SqliteDatabase

HOG_SECONDS = 0.15  # one turn of the loop taken by someone else's computation


async def hog(until: float) -> None:
    """Block the loop for HOG_SECONDS at a time, giving it back in between, until `until`."""
    while time.monotonic() < until:
        started = time.monotonic()
        while time.monotonic() - started < HOG_SECONDS:
            pass
        await asyncio.sleep(0)


async def test_writes_behind_a_transaction_do_not_wait_out_a_busy_loop(tmp_path) -> None:
    db = await SqliteDatabase.open(str(tmp_path / "busy.db"))
    try:
        await db.migrate()
        db.retry_seconds = 0.6  # less than a transaction of 8 statements would take at one loop turn each

        async def transaction(name: str) -> None:
            async with db.transaction() as tx:
                for n in range(8):
                    await tx.execute("INSERT INTO meta (key, value) VALUES (?, 'x')", (f"tx{name}{n}",))

        async def single_writes() -> None:
            for n in range(5):
                await db.set_meta(f"single{n}", "y")
                await asyncio.sleep(0)

        hogging = asyncio.create_task(hog(time.monotonic() + 2.0))
        await asyncio.sleep(0)
        await asyncio.gather(transaction("a"), single_writes(), transaction("b"))
        hogging.cancel()
        rows = await db.fetchall("SELECT key FROM meta WHERE key LIKE 'tx%' OR key LIKE 'single%'")
        assert len(rows) == 2 * 8 + 5
    finally:
        await db.close()
