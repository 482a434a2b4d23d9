"""The Database interface and its aiosqlite implementation (WAL, foreign keys, numbered migrations)."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import aiosqlite

log = logging.getLogger(__name__)

Row = sqlite3.Row
MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class Executor(Protocol):
    """What can run SQL: the database itself, or an open transaction."""

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; returns the new row id for an INSERT (0 if none was inserted), else the rows changed."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for many rows."""
        ...

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query, or None."""
        ...

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Every row of a query."""
        ...


class Database(Executor, Protocol):
    """The Store interface every backend implements (SQLite now; PostgreSQL later)."""

    def transaction(self) -> Any:
        """An async context manager yielding an Executor; commits on success, rolls back on error."""
        ...

    async def migrate(self) -> tuple[int, int]:
        """Apply pending migrations; returns (version before, version after)."""
        ...

    async def schema_version(self) -> int:
        """The number of the last applied migration."""
        ...

    async def get_meta(self, key: str) -> str | None:
        """A value from the key-value meta table."""
        ...

    async def set_meta(self, key: str, value: str, only_if_missing: bool = False) -> None:
        """Store a value in the key-value meta table."""
        ...

    async def backup(self, target: Path) -> None:
        """A consistent copy of the database while it is in use."""
        ...

    async def close(self) -> None:
        """Flush and close."""
        ...


class _Transaction:
    """An open transaction on the SQLite connection."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        cursor = await self._conn.execute(sql, params)
        if sql.lstrip()[:6].upper() == "INSERT":
            # lastrowid keeps the previous insert's id when this one inserted nothing (ON CONFLICT DO NOTHING).
            return cursor.lastrowid if cursor.rowcount > 0 and cursor.lastrowid else 0
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        async with self._conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async with self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())


class SqliteDatabase:
    """The embedded default: one aiosqlite connection in autocommit mode, writes serialised by a lock.

    A single statement runs as its own transaction; several statements that must land together
    go through `transaction()`, which holds the lock from BEGIN IMMEDIATE to COMMIT.
    """

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self._tx = _Transaction(conn)
        self._lock = asyncio.Lock()
        self.path = path

    @classmethod
    async def open(cls, path: str) -> SqliteDatabase:
        """Open (creating the folder if needed) and configure a database file, or ':memory:'."""
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        for pragma in ("journal_mode = WAL", "foreign_keys = ON", "busy_timeout = 5000", "synchronous = NORMAL"):
            await conn.execute(f"PRAGMA {pragma}")
        return cls(conn, path)

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self._lock:
            return await self._tx.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.transaction() as tx:
            await tx.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return await self._tx.fetchone(sql, params)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return await self._tx.fetchall(sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_Transaction]:
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._tx
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")

    async def schema_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self) -> tuple[int, int]:
        before = current = await self.schema_version()
        for number, name, sql in available_migrations():
            if number <= current:
                continue
            async with self._lock:
                try:
                    await self._conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
                except Exception:
                    if self._conn.in_transaction:
                        await self._conn.execute("ROLLBACK")
                    raise
            log.info("applied migration %s", name)
            current = number
        return before, current

    async def get_meta(self, key: str) -> str | None:
        row = await self.fetchone("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else row["value"]

    async def set_meta(self, key: str, value: str, only_if_missing: bool = False) -> None:
        conflict = "DO NOTHING" if only_if_missing else "DO UPDATE SET value = excluded.value"
        await self.execute(f"INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) {conflict}", (key, value))

    async def backup(self, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        async with aiosqlite.connect(target) as dest:
            await self._conn.backup(dest)

    async def close(self) -> None:
        await self._conn.close()


def chunks(items: Sequence[str], size: int = 500) -> list[Sequence[str]]:
    """Split a long IN (...) list below SQLite's variable limit."""
    unique = list(dict.fromkeys(items))
    return [unique[i:i + size] for i in range(0, len(unique), size)]


def available_migrations() -> list[tuple[int, str, str]]:
    """(number, file name, SQL) of every migration shipped with the package, in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [number for number, _name, _sql in found]
    if len(set(numbers)) != len(numbers):
        raise RuntimeError(f"two migrations share a number: {[name for _n, name, _s in found]}")
    return found


def sqlite_path(url: str) -> str:
    """The file path in a sqlite:/// URL (relative to the working directory), or ':memory:'."""
    return url.removeprefix("sqlite:///")


async def open_database(url: str) -> Database:
    """Open the database a DATABASE_URL names."""
    if url.startswith("sqlite:///"):
        return await SqliteDatabase.open(sqlite_path(url))
    raise ValueError(f"unsupported DATABASE_URL scheme: {url.split(':', 1)[0]}")
