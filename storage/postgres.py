"""The PostgreSQL backend: an asyncpg pool behind the same Database contract as SqliteDatabase.

Storage modules write `?` placeholders; each statement is turned into PostgreSQL's `$1..$n` once (cached).
Rows are asyncpg Records, which answer row["col"] and row[0] as sqlite3.Row does. A task's statements inside
its own `transaction()` run on that transaction's connection (a context variable says which), everything else
on a pooled connection as its own transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.core.errors import StorageUnavailable
from storage.shared import RETRY_SECONDS, DatabaseUnusable, available_migrations, retrying

log = logging.getLogger(__name__)

DIALECT = "postgresql"
DEFAULT_POOL_SIZE = 10
CONNECT_TIMEOUT = 5.0
CLOSE_SECONDS = 10.0
# One number for the lock every migrating process takes, so processes starting together migrate one at a time.
MIGRATION_LOCK = 0x71776D67  # "qwmg"
VERSION_TABLE = "queuewatch_schema"
# SQLSTATE classes and codes that mean "the store cannot do this now" rather than "this statement is wrong".
BUSY_STATES = {"40001", "40P01", "55P03", "57014"}  # serialization, deadlock, lock not available, timeout
UNAVAILABLE_REASONS = {"53100": "full", "25006": "read-only", "53300": "unavailable", "57P01": "unavailable",
                       "57P02": "unavailable", "57P03": "unavailable", "08000": "unavailable",
                       "08003": "unavailable", "08006": "unavailable"}
# Set while a task holds an open transaction: the statements of that transaction's connection.
_OPEN: ContextVar[_Statements | None] = ContextVar("queuewatch_pg_transaction", default=None)


@lru_cache(maxsize=4096)
def placeholders(sql: str) -> str:
    """The statement with each `?` outside quotes and comments as `$1..$n`, in order."""
    out: list[str] = []
    number = 0
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"":  # a string literal or a quoted name: copied up to its closing quote ('' stays inside)
            end = sql.find(ch, i + 1)
            while end != -1 and end + 1 < n and sql[end + 1] == ch:
                end = sql.find(ch, end + 2)
            end = n - 1 if end == -1 else end
            out.append(sql[i:end + 1])
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end == -1 else end
            out.append(sql[i:end])
            i = end
        elif ch == "?":
            number += 1
            out.append(f"${number}")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def redacted(url: str) -> str:
    """The URL with any password replaced by ***, fit to print."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(an unreadable URL)"
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


def _changed(status: str) -> int:
    """Rows an INSERT, UPDATE or DELETE touched, from its command tag ("UPDATE 3"); 0 for anything else."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() and status.split(" ", 1)[0] in ("INSERT", "UPDATE", "DELETE") else 0


@contextlib.contextmanager
def _storage_errors(where: str, writing: bool) -> Iterator[None]:
    """Turn an error that means the store is unavailable into StorageUnavailable (a wrong statement propagates)."""
    try:
        yield
    except asyncpg.PostgresError as exc:
        state = getattr(exc, "sqlstate", "") or ""
        reason = "busy" if state in BUSY_STATES else UNAVAILABLE_REASONS.get(state)
        if reason is None and state.startswith("08"):
            reason = "unavailable"
        if reason is None:
            raise
        raise StorageUnavailable(f"{where}: {exc}", reason, writing) from exc
    except TimeoutError as exc:  # every pooled connection stayed busy past the wait
        raise StorageUnavailable(f"{where}: no free connection in the pool ({exc})", "busy", writing) from exc
    except (OSError, asyncpg.InterfaceError) as exc:
        if isinstance(exc, asyncpg.InterfaceError) and "another operation is in progress" in str(exc):
            raise
        raise StorageUnavailable(f"{where}: {exc}", "unavailable", writing) from exc


async def _keep_session(conn: asyncpg.Connection) -> None:
    """A pooled connection goes back to the pool as it is: asyncpg's default reset sends a query of its own at every
    release (unlocking session advisory locks, closing cursors, UNLISTEN, RESET ALL), a second round trip for each
    statement, and a pooled connection here keeps none of those past its statement or transaction (the advisory
    locks taken are transaction-scoped; LISTEN and the job locks have connections of their own). asyncpg still rolls
    back a transaction left open before calling this."""


class _Statements:
    """Runs statements on one connection (an open transaction's)."""

    dialect = DIALECT

    def __init__(self, conn: asyncpg.Connection, where: str, owner: PostgresDatabase) -> None:
        self._conn = conn
        self._where = where
        self.owner = owner
        # Tasks started inside a transaction inherit it (as on SQLite); they take turns on its one connection.
        self._turn = asyncio.Lock()

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self._turn:
            with _storage_errors(self._where, True):
                return _changed(await self._conn.execute(placeholders(sql), *params))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        batch = [tuple(row) for row in rows]
        if batch:
            async with self._turn:
                with _storage_errors(self._where, True):
                    await self._conn.executemany(placeholders(sql), batch)

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> asyncpg.Record | None:
        async with self._turn:
            with _storage_errors(self._where, False):
                return await self._conn.fetchrow(placeholders(sql), *params)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[asyncpg.Record]:
        async with self._turn:
            with _storage_errors(self._where, False):
                return await self._conn.fetch(placeholders(sql), *params)

    async def fetch_many(self, sql: str, params: Sequence[Sequence[Any]]) -> list[asyncpg.Record]:
        """The rows of one SELECT run for each parameter row, in order: prepared once, run in one pipeline."""
        async with self._turn:
            with _storage_errors(self._where, False):
                return await self._conn.fetchmany(placeholders(sql), [tuple(row) for row in params])

    async def write_returning(self, sql: str, params: Sequence[Any] = ()) -> list[asyncpg.Record]:
        async with self._turn:
            with _storage_errors(self._where, True):
                return await self._conn.fetch(placeholders(sql), *params)

    async def script(self, sql: str) -> None:
        """Run a whole script of statements (a migration: no parameters, so nothing to number)."""
        async with self._turn:
            with _storage_errors(self._where, True):
                await self._conn.execute(sql)


class PostgresDatabase:
    """The shared store of any number of processes: a pool of DATABASE_POOL_SIZE connections.

    A single statement runs as its own transaction on a pooled connection, retried while it meets a lock,
    deadlock or serialization failure for `retry_seconds`; several statements that must land together go through
    `transaction()`, which holds one connection from BEGIN to COMMIT.
    """

    dialect = DIALECT

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self._pool = pool
        self.url = url
        self.where = redacted(url)
        self.retry_seconds = RETRY_SECONDS

    @classmethod
    async def open(cls, url: str, pool_size: int = DEFAULT_POOL_SIZE,
                   lock_timeout: float = RETRY_SECONDS) -> PostgresDatabase:
        """Connect a pool to the server DATABASE_URL names and check the schema is no newer than this code.

        Raises DatabaseUnusable with one line naming DATABASE_URL (never the password) when the URL is bad, the
        server refuses or cannot be reached, the password is wrong, or the database does not exist. A statement
        waits at most `lock_timeout` seconds for a row or table another transaction holds.
        """
        settings = {"application_name": "queuewatch", "lock_timeout": f"{max(1, int(lock_timeout * 1000))}ms"}
        try:
            pool = await asyncpg.create_pool(
                url, min_size=1, max_size=max(1, pool_size), timeout=CONNECT_TIMEOUT,
                command_timeout=60, server_settings=settings, reset=_keep_session,
            )
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError | KeyboardInterrupt | SystemExit):
                raise
            raise DatabaseUnusable(describe_connect_error(url, exc)) from None
        db = cls(pool, url)
        try:
            version = await db.schema_version()
            known = max((number for number, _name, _sql in available_migrations(DIALECT)), default=0)
            if version > known:
                raise DatabaseUnusable(f"DATABASE_URL: {db.where} has schema version {version}, newer than this "
                                       f"queuewatch knows ({known}); run the newer queuewatch that wrote it")
        except BaseException:
            await db.close()
            raise
        return db

    def _own(self) -> _Statements | None:
        """The running task's open transaction on this database, if it holds one."""
        statements = _OPEN.get()
        return statements if statements is not None and statements.owner is self else None

    async def _single(self, method: str, sql: str, params: Any, writing: bool) -> Any:
        own = self._own()
        if own is not None:
            return await getattr(own, method)(sql, params)

        async def attempt() -> Any:
            with _storage_errors(self.where, writing):
                async with self._pool.acquire(timeout=self.retry_seconds) as conn:
                    return await getattr(_Statements(conn, self.where, self), method)(sql, params)

        return await retrying(attempt, time.monotonic() + self.retry_seconds)

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return await self._single("execute", sql, params, True)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        own = self._own()
        if own is not None:
            return await own.executemany(sql, rows)
        async with self.transaction() as tx:
            await tx.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> asyncpg.Record | None:
        return await self._single("fetchone", sql, params, False)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[asyncpg.Record]:
        return await self._single("fetchall", sql, params, False)

    async def fetch_many(self, sql: str, params: Sequence[Sequence[Any]]) -> list[asyncpg.Record]:
        """The rows of one SELECT run for each parameter row, in order (see _Statements.fetch_many)."""
        return await self._single("fetch_many", sql, params, False)

    async def write_returning(self, sql: str, params: Sequence[Any] = ()) -> list[asyncpg.Record]:
        return await self._single("write_returning", sql, params, True)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_Statements]:
        if self._own() is not None:
            raise RuntimeError("transaction() was opened inside this task's own open transaction")
        with _storage_errors(self.where, True):
            conn = await self._pool.acquire(timeout=self.retry_seconds)
        try:
            statements = _Statements(conn, self.where, self)
            with _storage_errors(self.where, True):
                tx = conn.transaction()
                await tx.start()
            reset = _OPEN.set(statements)
            try:
                yield statements
            except BaseException:
                if not conn.is_closed():
                    with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                        await tx.rollback()
                raise
            else:
                with _storage_errors(self.where, True):
                    await tx.commit()
            finally:
                _OPEN.reset(reset)
        finally:
            await self._pool.release(conn)

    async def schema_version(self) -> int:
        row = await self.fetchone(f"SELECT CASE WHEN to_regclass('{VERSION_TABLE}') IS NULL THEN 0 ELSE -1 END")
        if row is None or row[0] == 0:
            return 0
        row = await self.fetchone(f"SELECT coalesce(max(version), 0) FROM {VERSION_TABLE}")
        return int(row[0]) if row else 0

    async def migrate(self) -> tuple[int, int]:
        before = current = await self.schema_version()
        for number, name, sql in available_migrations(DIALECT):
            if number <= current:
                continue
            async with self.transaction() as tx:
                # Every process migrating at once waits here for the first; then finds the work done.
                await tx.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
                await tx.execute(f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version INTEGER PRIMARY KEY, "
                                 "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
                done = await tx.fetchone(f"SELECT 1 FROM {VERSION_TABLE} WHERE version = ?", (number,))
                if done is None:
                    await tx.script(sql)
                    await tx.execute(f"INSERT INTO {VERSION_TABLE} (version) VALUES (?)", (number,))
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
        """A consistent copy in pg_dump's custom format (restore with pg_restore); needs pg_dump on the PATH."""
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise StorageUnavailable(
                f"{self.where}: `queuewatch backup` copies a PostgreSQL database with pg_dump, which is not installed "
                "here; install the PostgreSQL client tools, or run pg_dump --format=custom on a machine that has them",
                "unavailable", False)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch(mode=0o600, exist_ok=True)
        target.chmod(0o600)
        process = await asyncio.create_subprocess_exec(
            pg_dump, "--format=custom", "--no-owner", f"--file={target}", f"--dbname={self.url}",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        _out, err = await process.communicate()
        if process.returncode != 0:
            first = (err.decode(errors="replace").strip().splitlines() or ["failed"])[0]
            raise StorageUnavailable(f"{self.where}: pg_dump {first.replace(self.url, self.where)}", "unavailable",
                                     False)

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self._pool.close(), CLOSE_SECONDS)
        except TimeoutError:  # a connection still in use (a task that never finished): end it
            self._pool.terminate()


def describe_connect_error(url: str, exc: BaseException) -> str:
    """One line naming DATABASE_URL and what is wrong with connecting, without the password."""
    where = redacted(url)
    state = getattr(exc, "sqlstate", "")
    if isinstance(exc, asyncpg.InvalidPasswordError) or state == "28P01":
        what = "the server refused the user name or password; check the credentials in the URL"
    elif isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError) or state == "28000":
        what = "the server does not let this user connect; check the user name and the server's pg_hba.conf"
    elif isinstance(exc, asyncpg.InvalidCatalogNameError) or state == "3D000":
        what = "the database does not exist; create it (createdb) or name an existing one"
    elif isinstance(exc, ConnectionRefusedError):
        what = "the server refused the connection; check the host and port, and that PostgreSQL is running"
    elif isinstance(exc, FileNotFoundError | ConnectionError):
        what = "no PostgreSQL server answers there; check the host, port or socket folder, and that it is running"
    elif isinstance(exc, TimeoutError):
        what = f"no answer from the server within {CONNECT_TIMEOUT:.0f} s; check the host and port"
    elif isinstance(exc, OSError):
        what = f"cannot reach the server ({exc.strerror or exc}); check the host name and port"
    elif isinstance(exc, ValueError | asyncpg.ClientConfigurationError | asyncpg.InterfaceError):
        what = ("is not a valid PostgreSQL URL; expected postgresql://user:password@host:5432/database "
                "(or ...@/database?host=/run/postgresql for a socket)")
    else:
        what = f"cannot be used ({type(exc).__name__})"
    message = f"DATABASE_URL: {where} {what}"
    password = _password(url)
    return message.replace(password, "***") if password else message


def _password(url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError:
        return None
