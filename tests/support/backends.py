"""The two backends the contract tests run on: SQLite, and a real PostgreSQL server for the whole session.

The server is QUEUEWATCH_TEST_POSTGRES_URL when set, else one started from the `pgserver` wheel (shared by every
pytest-xdist worker, and by any other test session on this machine: the first starts it, the last one out stops
it). Each worker process works in databases of its own (`qw_<pid>_<n>`): one migrated database emptied before each
test (TRUNCATE, ids restarted), and fresh empty ones for the tests that migrate. Databases of processes that are
gone (a killed run) are dropped at start. Without a server the PostgreSQL tests are skipped with one line, except with
CI=true, where they fail instead: they never skip silently there.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from dataclasses import dataclass
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


def with_user(url: str, user: str, password: str) -> str:
    """The same server URL logging in as another user with a password."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{parts.netloc.rsplit('@', 1)[-1]}"))


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@dataclass
class PostgresServer:
    """A server this session may create databases on, and this worker's databases on it."""

    admin_url: str
    own: bool = False  # started here from pgserver (so its configuration may be changed), not given by URL
    made: int = 0
    migrated_url: str | None = None
    reset: str = ""  # the statements that empty the migrated database

    async def _admin(self, *statements: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.admin_url)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    async def password_account(self) -> tuple[str, str] | None:
        """A user the server checks a password for (pgserver trusts everyone else): (user, password), or None
        when the server is not this session's own."""
        import fcntl

        import asyncpg

        if not self.own:
            return None
        user, password = "qw_password_user", "the-right-password"
        line = f"local all {user} scram-sha-256\nhost all {user} 127.0.0.1/32 scram-sha-256\n"
        with (PGDATA.parent / f"{PGDATA.name}.hba-lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # workers of this and other sessions edit the file in turn
            hba = PGDATA / "pg_hba.conf"
            if line not in hba.read_text():
                hba.write_text(line + hba.read_text())
            conn = await asyncpg.connect(self.admin_url)
            try:
                if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", user):
                    await conn.execute(f"CREATE ROLE {user} LOGIN PASSWORD '{password}'")
                await conn.execute("SELECT pg_reload_conf()")
            finally:
                await conn.close()
        return user, password

    async def fresh(self) -> str:
        """The URL of a new, empty database of this worker's."""
        self.made += 1
        name = f"qw_{os.getpid()}_{self.made}"
        await self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name} TEMPLATE template0")
        return with_database(self.admin_url, name)

    async def drop_leftovers(self) -> None:
        """Drop the test databases of processes that are gone (a killed run leaves them behind)."""
        import asyncpg

        conn = await asyncpg.connect(self.admin_url)
        try:
            for row in await conn.fetch("SELECT datname FROM pg_database WHERE datname ~ '^qw_[0-9]+_[0-9]+$'"):
                if not _alive(int(row[0].split("_")[1])):
                    await conn.execute(f'DROP DATABASE IF EXISTS "{row[0]}" WITH (FORCE)')
        finally:
            await conn.close()

    async def emptied(self) -> str:
        """This worker's migrated database with every table emptied and ids restarted: a clean slate in ~15 ms
        (DELETE: TRUNCATE makes new files, a second's work for a few rows)."""
        import asyncpg

        from storage.postgres import PostgresDatabase

        if self.migrated_url is None:
            url = await self.fresh()
            db = await PostgresDatabase.open(url)
            await db.migrate()
            tables = await db.fetchall("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                       "AND tablename != 'queuewatch_schema' ORDER BY tablename")
            identities = await db.fetchall("SELECT table_name, column_name FROM information_schema.columns "
                                           "WHERE table_schema = 'public' AND is_identity = 'YES'")
            await db.close()
            self.reset = "".join([*(f"DELETE FROM {t[0]};" for t in tables),
                                  *(f"ALTER TABLE {t} ALTER COLUMN {c} RESTART;" for t, c in identities)])
            self.migrated_url = url
            return url
        conn = await asyncpg.connect(self.migrated_url)
        try:
            # A test that failed half-way may have left a connection in a transaction: end it, so TRUNCATE goes on.
            await conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            await conn.execute(self.reset)
        finally:
            await conn.close()
        return self.migrated_url


async def _without_fsync(url: str) -> None:
    """A throwaway test server need not survive a power cut: no fsync, so creating a database is quick."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        if await conn.fetchval("SHOW fsync") == "on":
            await conn.execute("ALTER SYSTEM SET fsync = off")
            await conn.execute("ALTER SYSTEM SET synchronous_commit = off")
            await conn.execute("SELECT pg_reload_conf()")
    finally:
        await conn.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_server() -> PostgresServer | str:
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
            asyncio.run(_without_fsync(url))
        except Exception as exc:  # a server that cannot start is reported, not hidden
            return f"PostgreSQL tests skipped: pgserver could not start a server in {PGDATA} ({exc})"
    server = PostgresServer(url, own=not os.environ.get(URL_VARIABLE, "").strip())
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


def pg_tools() -> Path:
    """The folder of pg_dump and pg_restore matching the test server (pgserver's own), else the PATH's."""
    try:
        import pgserver

        return Path(pgserver.__file__).parent / "pginstall" / "bin"
    except ImportError:
        found = shutil.which("pg_dump")
        if found is None:
            pytest.skip("pg_dump is not installed")
        return Path(found).parent
