"""Reads never see another task's uncommitted transaction, and on a file they do not wait for it either."""

from __future__ import annotations

import asyncio

import pytest

from storage.database import SqliteDatabase


@pytest.fixture(params=["file", "memory"])
async def db(request, tmp_path) -> SqliteDatabase:
    """A migrated database on a file (WAL, a separate reader) and in memory (one connection)."""
    database = await SqliteDatabase.open(str(tmp_path / "q.db") if request.param == "file" else ":memory:")
    await database.migrate()
    yield database
    await database.close()


async def test_a_read_does_not_see_another_tasks_open_transaction(db) -> None:
    inserted, release = asyncio.Event(), asyncio.Event()
    committed = False

    async def writer() -> None:
        nonlocal committed
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO meta (key, value) VALUES ('dirty', 'uncommitted')")
            inserted.set()
            await release.wait()
        committed = True

    async def reader(query) -> tuple[object, bool]:
        """What a read returned, and whether the writer had committed by then."""
        result = await query
        return result, committed

    task = asyncio.create_task(writer())
    await inserted.wait()
    read = asyncio.create_task(reader(db.get_meta("dirty")))
    rows = asyncio.create_task(reader(db.fetchall("SELECT key FROM meta WHERE key = 'dirty'")))
    await asyncio.sleep(0.05)
    if db.path != ":memory:":  # WAL: a reader answers at once, from the last committed state
        assert read.done() and rows.done()
    release.set()
    (seen, after_commit), (listed, listed_after_commit) = await read, await rows
    await task
    # Whatever a read returned before the commit must be the committed state: nothing.
    assert seen is None or after_commit, "a read saw another task's uncommitted row"
    assert listed == [] or listed_after_commit
    assert await db.get_meta("dirty") == "uncommitted"


async def test_a_rolled_back_transaction_is_never_seen(db) -> None:
    inserted, release = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO meta (key, value) VALUES ('gone', 'x')")
            inserted.set()
            await release.wait()
            raise RuntimeError("changed my mind")

    task = asyncio.create_task(writer())
    await inserted.wait()
    read = asyncio.create_task(db.get_meta("gone"))
    await asyncio.sleep(0.02)
    release.set()
    with pytest.raises(RuntimeError):
        await task
    assert await read is None
    assert await db.get_meta("gone") is None


async def test_inside_its_own_transaction_a_task_reads_its_own_writes(db) -> None:
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO meta (key, value) VALUES ('mine', '1')")
        # Reaching the database object (not the transaction) from inside it neither deadlocks nor misses the row.
        assert await asyncio.wait_for(db.get_meta("mine"), 1) == "1"
        await asyncio.wait_for(db.execute("UPDATE meta SET value = '2' WHERE key = 'mine'"), 1)
    assert await db.get_meta("mine") == "2"


async def test_file_reads_do_not_queue_behind_a_long_write(tmp_path) -> None:
    db = await SqliteDatabase.open(str(tmp_path / "q.db"))
    await db.migrate()
    await db.set_meta("k", "v")
    release = asyncio.Event()
    opened = asyncio.Event()

    async def long_write() -> None:
        async with db.transaction() as tx:
            await tx.execute("UPDATE meta SET value = 'w' WHERE key = 'k'")
            opened.set()
            await release.wait()

    task = asyncio.create_task(long_write())
    await opened.wait()
    loop = asyncio.get_running_loop()
    start = loop.time()
    values = await asyncio.wait_for(asyncio.gather(*(db.get_meta("k") for _ in range(50))), 1)
    elapsed = loop.time() - start
    release.set()
    await task
    await db.close()
    assert values == ["v"] * 50
    assert elapsed < 0.5


async def test_a_committed_write_is_seen_by_the_next_read_while_other_reads_run(tmp_path) -> None:
    """Read-after-write: once a write has returned, every later read sees it, even while other tasks keep
    the reader busy (a read that left its statement open across an await pinned an old snapshot for them)."""
    db = await SqliteDatabase.open(str(tmp_path / "q.db"))
    await db.migrate()
    await db.set_meta("seed", "x")
    stop = False

    async def busy_reader() -> None:
        while not stop:
            await db.get_meta("seed")  # one row: the statement is still open after its first step

    readers = [asyncio.create_task(busy_reader()) for _ in range(3)]
    try:
        for n in range(300):
            await db.write_returning("INSERT INTO meta (key, value) VALUES (?, ?) RETURNING key", (f"k{n}", "v"))
            assert await db.get_meta(f"k{n}") == "v", f"write {n} was acknowledged but the next read missed it"
    finally:
        stop = True
        await asyncio.gather(*readers)
        await db.close()
