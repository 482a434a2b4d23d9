"""The two backends the contract tests run on: SQLite, and a real PostgreSQL server for the whole session.

The server is QUEUEWATCH_TEST_POSTGRES_URL when set, else one started from the `pgserver` wheel (shared by every
pytest-xdist worker: the first starts it, the last one out stops it). Each worker works in databases of its own
(`qw_<worker>_<n>`): one migrated database emptied before each test (TRUNCATE, ids restarted), and fresh empty
ones for the tests that migrate. Without a server the PostgreSQL tests are skipped with one line, except with
CI=true, where they fail instead: they never skip silently there.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

URL_VARIABLE = "QUEUEWATCH_TEST_POSTGRES_URL"
NAMES = ("sqlite", "postgresql")
PGDATA = Path(tempfile.gettempdir()) / f"queuewatch-test-pgdata-{os.getuid()}"


def with_database(url: str, database: str) -> str:
    """The same server URL naming another database (the path of a libpq URL)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@dataclass
class PostgresServer:
    """A server this session may create databases on, and this worker's databases on it."""

    admin_url: str
    worker: str
    made: int = 0
    migrated_url: str | None = None
    tables: list[str] = field(default_factory=list)

    async def _admin(self, *statements: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.admin_url)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    async def fresh(self) -> str:
        """The URL of a new, empty database of this worker's."""
        self.made += 1
        name = f"qw_{self.worker}_{self.made}"
        await self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name} TEMPLATE template0")
        return with_database(self.admin_url, name)

    async def drop_leftovers(self) -> None:
        """Drop this worker's databases of an earlier session (a killed run leaves them behind)."""
        import asyncpg

        conn = await asyncpg.connect(self.admin_url)
        try:
            rows = await conn.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1", f"qw\\_{self.worker}\\_%")
            for row in rows:
                await conn.execute(f'DROP DATABASE IF EXISTS "{row[0]}" WITH (FORCE)')
        finally:
            await conn.close()

    async def emptied(self) -> str:
        """This worker's migrated database with every table emptied and ids restarted: a clean slate in ~20 ms."""
        import asyncpg

        from storage.postgres import PostgresDatabase

        if self.migrated_url is None:
            url = await self.fresh()
            db = await PostgresDatabase.open(url)
            await db.migrate()
            rows = await db.fetchall("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                     "AND tablename != 'queuewatch_schema' ORDER BY tablename")
            await db.close()
            self.tables = [row[0] for row in rows]
            self.migrated_url = url
            return url
        conn = await asyncpg.connect(self.migrated_url)
        try:
            # A test that failed half-way may have left a connection in a transaction: end it, so TRUNCATE goes on.
            await conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            await conn.execute(f"TRUNCATE {', '.join(self.tables)} RESTART IDENTITY CASCADE")
        finally:
            await conn.close()
        return self.migrated_url


def start_server(worker: str) -> PostgresServer | str:
    """The session's PostgreSQL server, or why there is none (one line)."""
    url = os.environ.get(URL_VARIABLE, "").strip()
    if not url:
        try:
            import pgserver
        except ImportError:
            return (f"PostgreSQL tests skipped: no server (install the dev extras, which bring pgserver, or set "
                    f"{URL_VARIABLE})")
        try:
            url = pgserver.get_server(PGDATA, cleanup_mode="stop").get_uri()
        except Exception as exc:  # a server that cannot start is reported, not hidden
            return f"PostgreSQL tests skipped: pgserver could not start a server in {PGDATA} ({exc})"
    server = PostgresServer(url, re.sub(r"\W", "_", worker))
    try:
        asyncio.run(server.drop_leftovers())
    except Exception as exc:
        return f"PostgreSQL tests skipped: cannot use the server at {URL_VARIABLE} or pgserver ({exc})"
    return server


def skip_or_fail(reason: str) -> None:
    """Skip with one line; under CI=true fail instead, so the PostgreSQL tests never skip silently there."""
    if _ci():
        pytest.fail(f"{reason}; with CI=true the PostgreSQL tests must run", pytrace=False)
    pytest.skip(reason)


async def table_columns(db) -> dict[str, list[str]]:
    """Every table of the database with its columns, in order, on either backend."""
    if db.dialect == "postgresql":
        rows = await db.fetchall("SELECT table_name, column_name FROM information_schema.columns "
                                 "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position")
        found: dict[str, list[str]] = {}
        for row in rows:
            found.setdefault(row[0], []).append(row[1])
        return found
    tables = await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    return {t[0]: [c["name"] for c in await db.fetchall(f"PRAGMA table_info({t[0]})")] for t in tables}


@dataclass
class Backend:
    """One backend for one test: its name and the URL of an empty, migrated database on it."""

    name: str
    url: str
    server: PostgresServer | None = None
    folder: Path | None = None
    _made: int = 0

    async def fresh_url(self) -> str:
        """A new, empty (unmigrated) database on this backend."""
        if self.server is not None:
            return await self.server.fresh()
        assert self.folder is not None
        self._made += 1
        return f"sqlite:///{self.folder / f'fresh-{self._made}.db'}"

    async def open(self, url: str | None = None):
        """Open (and migrate) a database on this backend: the test's own, or the one `url` names."""
        from storage.database import open_database

        db = await open_database(url or self.url)
        await db.migrate()
        return db
