"""`lookup`, the index-seek read answered on the event loop's thread: it sees every write acknowledged before it,
inside a transaction it sees that transaction's own writes, and on PostgreSQL (or in memory) it is fetchone."""

from __future__ import annotations

import asyncio

from storage.database import SqliteDatabase, lookup

VALUE = "SELECT value FROM meta WHERE key = ?"


async def test_a_lookup_sees_each_write_acknowledged_before_it(tmp_path) -> None:
    db = await SqliteDatabase.open(str(tmp_path / "lookup.db"))
    try:
        await db.migrate()
        assert await lookup(db, VALUE, ("colour",)) is None
        for value in ("red", "green", "blue"):
            await db.set_meta("colour", value)
            assert (await lookup(db, VALUE, ("colour",)))["value"] == value
        rows = await asyncio.gather(*(db.write_returning(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value "
            "RETURNING key", (f"k{n}", str(n))) for n in range(20)))  # group-committed together
        assert len(rows) == 20
        assert [(await lookup(db, VALUE, (f"k{n}",)))["value"] for n in range(20)] == [str(n) for n in range(20)]
    finally:
        await db.close()


async def test_inside_a_transaction_a_lookup_sees_its_own_writes(tmp_path) -> None:
    db = await SqliteDatabase.open(str(tmp_path / "lookup.db"))
    try:
        await db.migrate()
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO meta (key, value) VALUES ('pending', 'yes')")
            assert (await db.lookup(VALUE, ("pending",)))["value"] == "yes"
        assert (await db.lookup(VALUE, ("pending",)))["value"] == "yes"
    finally:
        await db.close()


async def test_in_memory_a_lookup_is_a_plain_read() -> None:
    db = await SqliteDatabase.open(":memory:")
    try:
        await db.migrate()
        await db.set_meta("colour", "red")
        assert (await lookup(db, VALUE, ("colour",)))["value"] == "red"
    finally:
        await db.close()
