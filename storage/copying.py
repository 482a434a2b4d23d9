"""Copying a whole database to another (SQLite to PostgreSQL, or either way): tables, batches, markers, checksums.

Every table is read in primary-key order, a batch at a time, and written to the target with an upsert, together
with a marker of the last key copied (table `queuewatch_copy` on the target), in one transaction: a copy that
stops is resumed after its last whole batch, and a batch copied twice changes nothing. `reports` goes first, so
the tables its triggers keep (first-seen times, totals) are then overwritten with the source's own values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from storage.database import Database, Executor

MARKERS = "queuewatch_copy"
# The stores' own bookkeeping, not the bot's data: data_versions only says what changed since a process last read
# (migration 0020 seeds it, and the target's triggers move it as the reports are copied).
OWN_TABLES = {MARKERS, "queuewatch_schema", "data_versions"}
FIRST = ("reports",)  # copied before the rest: other tables refer to it or are kept from it by triggers


@dataclass(frozen=True)
class Table:
    """A table to copy: its columns and the columns of its primary key, in order."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    identity: str | None = None  # a column numbered by the database (reports.id), to carry on after the copy


async def tables(db: Database) -> list[Table]:
    """Every table of the bot's data in the order they are copied."""
    if db.dialect == "postgresql":
        found = await _postgres_tables(db)
    else:
        found = await _sqlite_tables(db)
    found = [table for table in found if table.name not in OWN_TABLES]
    return sorted(found, key=lambda t: (t.name not in FIRST, FIRST.index(t.name) if t.name in FIRST else 0, t.name))


async def _sqlite_tables(db: Database) -> list[Table]:
    names = [r[0] for r in await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    found = []
    for name in names:
        info = await db.fetchall(f"PRAGMA table_info({name})")
        key = tuple(r["name"] for r in sorted((r for r in info if r["pk"]), key=lambda r: r["pk"]))
        identity = key[0] if len(key) == 1 and next(r for r in info if r["name"] == key[0])["type"] == "INTEGER" \
            else None
        found.append(Table(name, tuple(r["name"] for r in info), key, identity))
    return found


async def _postgres_tables(db: Database) -> list[Table]:
    columns = await db.fetchall(
        "SELECT table_name, column_name, is_identity FROM information_schema.columns WHERE table_schema = 'public' "
        "ORDER BY table_name, ordinal_position")
    keys = await db.fetchall(
        "SELECT c.relname AS table_name, a.attname AS column_name FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position) ON true "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
        "WHERE i.indisprimary AND n.nspname = 'public' ORDER BY c.relname, k.position")
    by_table: dict[str, list[str]] = {}
    identity: dict[str, str] = {}
    for row in columns:
        by_table.setdefault(row["table_name"], []).append(row["column_name"])
        if row["is_identity"] == "YES":
            identity[row["table_name"]] = row["column_name"]
    key_of: dict[str, list[str]] = {}
    for row in keys:
        key_of.setdefault(row["table_name"], []).append(row["column_name"])
    return [Table(name, tuple(cols), tuple(key_of.get(name, ())), identity.get(name))
            for name, cols in sorted(by_table.items())]


async def count(db: Executor, table: Table) -> int:
    """How many rows a table holds."""
    row = await db.fetchone(f"SELECT count(*) FROM {table.name}")
    return int(row[0]) if row else 0


async def batches(db: Database, table: Table, after: Sequence | None, size: int) -> AsyncIterator[list[tuple]]:
    """The table's rows in primary-key order, `size` at a time, from just after the key `after` (None: the first)."""
    columns = ", ".join(table.columns)
    order = ", ".join(table.key)
    marks = ", ".join("?" * len(table.key))
    last = tuple(after) if after is not None else None
    positions = [table.columns.index(column) for column in table.key]
    while True:
        where = f"WHERE ({order}) > ({marks}) " if last is not None else ""
        rows = await db.fetchall(f"SELECT {columns} FROM {table.name} {where}ORDER BY {order} LIMIT ?",
                                 (*(last or ()), size))
        if not rows:
            return
        batch = [tuple(row) for row in rows]
        yield batch
        last = tuple(batch[-1][i] for i in positions)


async def prepare_markers(db: Database) -> None:
    """The target's table of copy markers (the last key copied per table)."""
    await db.execute(f"CREATE TABLE IF NOT EXISTS {MARKERS} (name TEXT PRIMARY KEY, last_key TEXT, done INTEGER "
                     "NOT NULL DEFAULT 0)")


async def markers(db: Database) -> dict[str, tuple[list | None, bool]]:
    """Per table already (partly) copied: (its last key copied, whether it is done)."""
    rows = await db.fetchall(f"SELECT name, last_key, done FROM {MARKERS}")
    return {row[0]: (None if row[1] is None else json.loads(row[1]), bool(row[2])) for row in rows}


async def has_markers(db: Database) -> bool:
    """True when an earlier copy into this database was started (and not finished and verified)."""
    if db.dialect == "postgresql":
        row = await db.fetchone(f"SELECT to_regclass('{MARKERS}') IS NOT NULL")
        return bool(row and row[0])
    return await db.fetchone(f"SELECT 1 FROM sqlite_master WHERE name = '{MARKERS}'") is not None


async def write_batch(db: Database, table: Table, rows: list[tuple]) -> None:
    """Upsert a batch of rows and move the table's marker past it, in one transaction."""
    columns = ", ".join(table.columns)
    marks = ", ".join("?" * len(table.columns))
    others = [c for c in table.columns if c not in table.key]
    update = (f"DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in others)}" if others else "DO NOTHING")
    positions = [table.columns.index(column) for column in table.key]
    last = [rows[-1][i] for i in positions]
    async with db.transaction() as tx:
        await tx.executemany(f"INSERT INTO {table.name} ({columns}) VALUES ({marks}) "
                             f"ON CONFLICT ({', '.join(table.key)}) {update}", rows)
        await _mark(tx, table.name, json.dumps(last), done=False)


async def finish_table(db: Database, table: Table) -> None:
    """Mark a table copied, and carry its identity numbering on after the copied ids (PostgreSQL)."""
    async with db.transaction() as tx:
        if table.identity and tx.dialect == "postgresql":
            await tx.execute(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{table.identity}'), "
                             f"coalesce((SELECT max({table.identity}) FROM {table.name}), 0) + 1, false)")
        await _mark(tx, table.name, None, done=True)


async def _mark(tx: Executor, name: str, last_key: str | None, done: bool) -> None:
    keep = f"{MARKERS}.last_key" if last_key is None else "excluded.last_key"
    await tx.execute(f"INSERT INTO {MARKERS} (name, last_key, done) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE "
                     f"SET last_key = {keep}, done = excluded.done", (name, last_key, int(done)))


async def drop_markers(db: Database) -> None:
    """The copy is verified: its markers go."""
    await db.execute(f"DROP TABLE IF EXISTS {MARKERS}")


async def checksum(db: Database, table: Table, size: int = 5000) -> tuple[int, str]:
    """(rows, checksum of every row), the same for equal tables on either backend: the sum of the rows' SHA-256
    modulo 2**256, so it does not depend on the order text sorts in (SQLite's bytes, PostgreSQL's collation)."""
    total = rows = 0
    async for batch in batches(db, table, None, size):
        for row in batch:
            total = (total + int.from_bytes(hashlib.sha256(_canonical(row)).digest(), "big")) % 2**256
        rows += len(batch)
    return rows, f"{total:064x}"


def _canonical(row: tuple) -> bytes:
    """A row's values as bytes that do not depend on the backend (an integral float stays a float)."""
    parts = []
    for value in row:
        if isinstance(value, float):
            parts.append(f"f{value!r}")
        elif isinstance(value, bool | int):
            parts.append(f"i{int(value)}")
        elif value is None:
            parts.append("n")
        elif isinstance(value, bytes | memoryview):
            parts.append(f"b{bytes(value).hex()}")
        else:
            parts.append(f"s{value}")
    return json.dumps(parts).encode() + b"\n"


async def is_empty(db: Database, every: Sequence[Table]) -> bool:
    """True when no table of the bot's data holds a row (a freshly migrated database)."""
    for table in every:
        if await db.fetchone(f"SELECT 1 FROM {table.name} LIMIT 1") is not None:
            return False
    return True
