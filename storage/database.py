"""The Database interface and its aiosqlite implementation (WAL, foreign keys, numbered migrations)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, closing, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Protocol, TypeVar

import aiosqlite

from bot.core.errors import StorageUnavailable
from storage import multirow
from storage.group_commit import GroupCommit, Statement
from storage.shared import (  # re-exported: the contract both backends share
    BUSY_TIMEOUT_MS,
    RETRY_SECONDS,
    DatabaseUnusable,
    available_migrations,
    is_postgres,
    retrying,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
Row = sqlite3.Row

BUSY_TIMEOUT = f"busy_timeout = {BUSY_TIMEOUT_MS}"
# Group-commit batches run on the event loop's own thread: a hop to the connection's thread costs more than the
# statement, and a thread stepping SQLite while the loop runs Python waits for the GIL between statements.
# Checkpoints (which fsync) run on a connection of their own, so a commit only appends to the WAL.
WRITE_BATCH_MAX = 64  # statements per shared transaction: bounds how long one batch holds the loop (~10 ms)
CHECKPOINT_EVERY = 100  # statements written between background checkpoints
# A file up to this size is checked whole (PRAGMA quick_check) before the bot starts on it; a larger one (the check
# reads every page: 9 s at 10M reports) has its schema checked at once and the whole file checked in the background.
CHECK_AT_OPEN_MAX_BYTES = 256 * 1024 * 1024
WAL_BACKSTOP_PAGES = 4000  # the writer checkpoints itself past this, should the background ones fall behind
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT = 5, 6, 8, 10, 11
SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 13, 14, 26
UNAVAILABLE_REASONS = {SQLITE_BUSY: "busy", SQLITE_FULL: "full", SQLITE_READONLY: "read-only",
                       SQLITE_IOERR: "unavailable", SQLITE_CANTOPEN: "unavailable"}
# The scalar min and max of two values, the spelling most statements differ by: SQLite's min(a, b) and max(a, b)
# are PostgreSQL's least(a, b) and greatest(a, b) (there min and max take one argument: aggregates only).
LEAST = {"sqlite": "min", "postgresql": "least"}
GREATEST = {"sqlite": "max", "postgresql": "greatest"}
# Set while a task holds the open transaction, so its own reads and writes through the database reach it.
_TRANSACTION: ContextVar[object | None] = ContextVar("queuewatch_transaction", default=None)


class Executor(Protocol):
    """What can run SQL: the database itself, or an open transaction. `dialect` ("sqlite" or "postgresql") picks
    a storage module's SQL where the two dialects differ."""

    dialect: str

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; returns the rows changed (for an INSERT a true value when a row was inserted:
        SQLite gives its rowid, PostgreSQL the row count; RETURNING id is how to get an id on both)."""
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

    async def write_returning(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run one writing statement with a RETURNING clause; the rows it returns, once it has committed.

        Concurrent calls may share one transaction (group commit); each returns only after that COMMIT.
        """
        ...


class Database(Executor, Protocol):
    """The Store interface every backend implements (SQLite here, PostgreSQL in storage/postgres.py)."""

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


class _Statements:
    """Runs statements on one SQLite connection; errors that mean the store is unavailable become
    StorageUnavailable (everything else, such as a constraint or SQL error, propagates as it is)."""

    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: str, writing: bool) -> None:
        self._conn = conn
        self._path = path
        self._writing = writing

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return await self._in_thread(lambda conn: _execute(conn, sql, params))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        def run(conn: sqlite3.Connection) -> None:
            conn.executemany(sql, rows).close()

        with _storage_errors(self._path, self._writing):  # many rows: on the connection's thread, loop free
            await self._conn._execute(run, self._conn._conn)

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        def run(conn: sqlite3.Connection) -> Row | None:
            with closing(conn.execute(sql, params)) as cursor:
                return cursor.fetchone()

        return await self._in_thread(run)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        def run(conn: sqlite3.Connection) -> list[Row]:
            with closing(conn.execute(sql, params)) as cursor:
                return cursor.fetchall()

        return await self._in_thread(run)

    async def _in_thread(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run a statement from start to end in one trip to the connection's thread. A statement left open across
        an await keeps its read snapshot, and every query queued behind it on this connection would share that
        old snapshot: a write acknowledged meanwhile would be missing from their answers.

        The writer's statements run here on the loop's thread instead (they hold the write lock, so its thread
        has nothing else to run): through the thread, a transaction would keep the lock for a turn of the loop
        per statement, and behind a busy loop every queued write would wait out all of those turns."""
        with _storage_errors(self._path, self._writing):
            if self._writing:
                return work(self._conn._conn)
            return await self._conn._execute(work, self._conn._conn)

    async def write_returning(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return await self.fetchall(sql, params)  # read to the end, so an autocommit statement commits


class SqliteDatabase:
    """The embedded default: a writer connection in autocommit mode, writes serialised by a lock, and for
    a file a second, read-only connection, so reads see only committed data and never wait for a write.

    A single statement runs as its own transaction; several statements that must land together go
    through `transaction()`, which holds the lock from BEGIN IMMEDIATE to COMMIT. In memory there is
    one connection, so reads take the lock too. A write that finds the database locked (by another
    process) is retried with backoff for `retry_seconds`, then fails with StorageUnavailable.
    """

    dialect = "sqlite"

    def __init__(self, writer: aiosqlite.Connection, reader: aiosqlite.Connection | None, path: str,
                 checkpointer: aiosqlite.Connection | None = None, quick: sqlite3.Connection | None = None) -> None:
        self._conn = writer
        self._quick = quick
        self._reader_conn = reader
        self._checkpointer = checkpointer
        self._checkpointing: asyncio.Task | None = None
        self._since_checkpoint = 0
        self._tx = _Statements(writer, path, writing=True)
        self._reader = None if reader is None else _Statements(reader, path, writing=False)
        self._lock = asyncio.Lock()
        self._lock_waiters = 0  # waits for the lock that have not ended (won, given up or cancelled)
        self._open_tx: object | None = None
        self.path = path
        self.retry_seconds = RETRY_SECONDS
        self.group = GroupCommit(self._write_batch, max_batch=WRITE_BATCH_MAX)
        self.integrity: asyncio.Task[bool] | None = None  # the background whole-file check of a large file
        self.problem: str | None = None  # what that check found wrong

    @classmethod
    async def open(cls, path: str, check_large_later: bool = False) -> SqliteDatabase:
        """Open (creating it, private to its owner, if needed) and check a database file, or ':memory:'.

        Raises DatabaseUnusable, naming DATABASE_URL, for a folder, a read-only, non-SQLite or corrupted
        file, or a schema newer than this code. `check_large_later`: a file over CHECK_AT_OPEN_MAX_BYTES has only
        its schema checked now and the whole file in the background (`integrity`), so a bot starts on it at once.
        """
        if path == ":memory:":
            return cls(await _connect(path, "foreign_keys = ON", shared=True), None, path)
        _prepare_file(path)
        writer = reader = checkpointer = None
        try:
            writer = await _connect(path, BUSY_TIMEOUT, "foreign_keys = ON", shared=True)
            whole = not check_large_later or os.path.getsize(path) <= CHECK_AT_OPEN_MAX_BYTES
            await _check(writer, path, whole)  # before WAL is switched on, so a file that is refused stays as it was
            for pragma in ("journal_mode = WAL", "synchronous = NORMAL", f"wal_autocheckpoint = {WAL_BACKSTOP_PAGES}",
                           "temp_store = MEMORY"):  # a batch's statement journals (undo of one statement) in memory
                await writer.execute(f"PRAGMA {pragma}")
            reader = await _connect(path, BUSY_TIMEOUT, "foreign_keys = ON", "query_only = ON")
            checkpointer = await _connect(path, BUSY_TIMEOUT, "query_only = ON")
            quick = _quick_reader(path)
        except BaseException as exc:
            for conn in (checkpointer, reader, writer):
                if conn is not None:
                    await conn.close()
            if isinstance(exc, sqlite3.Error):
                raise DatabaseUnusable(_describe(path, exc)) from None
            raise
        db = cls(writer, reader, path, checkpointer, quick)
        if not whole:
            db.integrity = asyncio.create_task(db._check_in_background())
        return db

    async def _check_in_background(self) -> bool:
        """The whole-file check of a large database, on a connection of its own while the bot serves: a problem is
        logged as an error and makes `schema_version` (so /healthz) fail. True when the file is sound."""
        conn = await _connect(self.path, BUSY_TIMEOUT, "query_only = ON")
        try:
            problems = [row[0] for row in await conn.execute_fetchall("PRAGMA quick_check") if row[0] != "ok"]
            if problems:
                self.problem = _corrupted(self.path, problems[0])
        except sqlite3.Error as exc:  # a page too damaged to walk stops the check itself
            self.problem = _describe(self.path, exc)
        finally:
            await conn.close()
        if self.problem is not None:
            log.error("%s", self.problem)
        return self.problem is None

    def _in_own_transaction(self) -> bool:
        """True when the running task holds the open transaction (so it reaches it, not the lock)."""
        return self._open_tx is not None and _TRANSACTION.get() is self._open_tx

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        if self._in_own_transaction():
            return await self._tx.execute(sql, params)
        deadline = time.monotonic() + self.retry_seconds
        async with self._locked(deadline, writing=True):  # the statement runs on this thread (_Statements)
            return await retrying(lambda: self._tx.execute(sql, params), deadline)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        if self._in_own_transaction():
            return await self._tx.executemany(sql, rows)
        async with self.transaction() as tx:
            await tx.executemany(sql, rows)

    async def write_returning(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        if self._in_own_transaction():
            return await self._tx.write_returning(sql, params)
        return await self.group.write_returning(sql, params)

    async def _write_batch(self, statements: list[Statement]) -> list[list[Row]]:
        """Run statements in one transaction (one alone in autocommit); concurrent reports as one statement of many
        rows (storage/multirow.py); here on the loop's thread."""
        deadline = time.monotonic() + self.retry_seconds
        writer = self._conn
        runs = multirow.combine(statements)

        def run() -> list[list[Row]]:
            conn = writer._conn  # the sqlite3 connection under aiosqlite (opened shared, for this)
            if len(runs) == 1:
                (sql, params), members = runs[0]
                return multirow.split(statements, members, conn.execute(sql, params).fetchall())  # commits
            conn.execute("BEGIN IMMEDIATE")
            try:
                results = [rows for (sql, params), members in runs
                           for rows in multirow.split(statements, members, conn.execute(sql, params).fetchall())]
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return results

        async def attempt() -> list[list[Row]]:
            with _storage_errors(self.path, writing=True):
                return run()  # the write lock is held: the writer's thread has nothing of ours to run meanwhile

        async with self._locked(deadline, writing=True):
            results = await retrying(attempt, deadline)
        self._since_checkpoint += len(statements)
        if self._since_checkpoint >= CHECKPOINT_EVERY and self._checkpointer is not None and (
                self._checkpointing is None or self._checkpointing.done()):
            self._since_checkpoint = 0
            self._checkpointing = asyncio.create_task(self._checkpoint(self._checkpointer))
        return results

    async def _checkpoint(self, checkpointer: aiosqlite.Connection) -> None:
        """Copy committed WAL pages into the database on the checkpointer's thread; writers go on meanwhile."""
        try:
            await checkpointer.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")  # read to the end: no open statement
        except sqlite3.Error as exc:  # the next one, or the writer's backstop, catches up
            log.warning("background checkpoint of %s failed: %s", self.path, exc)

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return await self._read(lambda statements: statements.fetchone(sql, params))

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return await self._read(lambda statements: statements.fetchall(sql, params))

    async def _read(self, query: Callable[[_Statements], Awaitable[T]]) -> T:
        if self._in_own_transaction():
            return await query(self._tx)
        deadline = time.monotonic() + self.retry_seconds
        if self._reader is not None:
            reader = self._reader
            return await retrying(lambda: query(reader), deadline)
        async with self._locked(deadline, writing=False):
            return await query(self._tx)

    async def lookup(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a read served by an index seek (a row or two): see `lookup_all`."""
        rows = await self.lookup_all(sql, params)
        return rows[0] if rows else None

    async def lookup_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """The rows of a small read served by index seeks (a few rows): answered at once on this thread, on a
        connection of its own, since a trip to the reader's thread costs several times the read. Should the file
        be locked at that moment (a checkpoint resetting the log), it waits its turn on the reader instead."""
        if self._quick is not None and not self._in_own_transaction():
            try:
                with _storage_errors(self.path, writing=False), closing(self._quick.execute(sql, params)) as cursor:
                    return cursor.fetchall()  # closed: the read ends here, so no snapshot is kept past these rows
            except StorageUnavailable as exc:
                if exc.reason != "busy":
                    raise
        return await self.fetchall(sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_Statements]:
        if self._in_own_transaction():
            raise RuntimeError("transaction() was opened inside this task's own open transaction")
        deadline = time.monotonic() + self.retry_seconds
        async with self._locked(deadline, writing=True):
            await retrying(lambda: self._tx.execute("BEGIN IMMEDIATE"), deadline)
            self._open_tx = token = object()
            reset = _TRANSACTION.set(token)
            try:
                yield self._tx
                await self._tx.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    await self._conn.execute("ROLLBACK")
                raise
            finally:
                self._open_tx = None
                _TRANSACTION.reset(reset)

    @asynccontextmanager
    async def _locked(self, deadline: float, writing: bool) -> AsyncIterator[None]:
        """Hold the write lock; StorageUnavailable when this process's other writes keep it past the deadline."""
        if not self._lock.locked() and not self._lock_waiters:
            await self._lock.acquire()  # free and no one queued: taken at once, no task to wait on (every write)
            try:
                yield
            finally:
                self._lock.release()
            return
        acquiring = asyncio.ensure_future(self._lock.acquire())
        self._lock_waiters += 1
        acquiring.add_done_callback(self._waited)
        try:
            done, _ = await asyncio.wait({acquiring}, timeout=max(0.0, deadline - time.monotonic()))
        except BaseException:  # cancelled while waiting
            self._abandon(acquiring)
            raise
        if acquiring not in done:
            self._abandon(acquiring)
            raise StorageUnavailable(f"{self.path}: this process's earlier writes are still waiting for the "
                                     f"database after {self.retry_seconds:.1f} s", "busy", writing)
        try:
            yield
        finally:
            self._lock.release()

    def _waited(self, _acquiring: asyncio.Future) -> None:
        self._lock_waiters -= 1

    def _abandon(self, acquiring: asyncio.Future) -> None:
        """Stop waiting for the lock; should the wait win it at this very moment, hand it straight back."""
        acquiring.cancel()
        acquiring.add_done_callback(lambda task: task.cancelled() or self._lock.release())

    async def schema_version(self) -> int:
        if self.problem is not None:
            raise DatabaseUnusable(self.problem)
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self) -> tuple[int, int]:
        before = current = await self.schema_version()
        for number, name, sql in available_migrations():
            if number <= current:
                continue
            deadline = time.monotonic() + self.retry_seconds
            script = f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;"
            try:
                async with self._locked(deadline, writing=True):
                    await retrying(lambda script=script: self._script(script), deadline)
            except sqlite3.Error:
                # Another process may have applied it since this one read the version (its script rolled back).
                if await self.schema_version() < number:
                    raise
            else:
                log.info("applied migration %s", name)
            current = number
        return before, current

    async def _script(self, script: str) -> None:
        try:
            with _storage_errors(self.path, writing=True):
                await self._conn.executescript(script)
        except BaseException:
            if self._conn.in_transaction:
                await self._conn.execute("ROLLBACK")
            raise

    async def get_meta(self, key: str) -> str | None:
        row = await self.fetchone("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else row["value"]

    async def set_meta(self, key: str, value: str, only_if_missing: bool = False) -> None:
        conflict = "DO NOTHING" if only_if_missing else "DO UPDATE SET value = excluded.value"
        await self.execute(f"INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) {conflict}", (key, value))

    async def backup(self, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o600))  # private from its first byte
        os.chmod(target, 0o600)
        async with aiosqlite.connect(target) as dest:
            with _storage_errors(self.path, writing=False):
                if self._reader_conn is not None:  # the reader sees committed data only
                    await self._reader_conn.backup(dest)
                else:
                    async with self._locked(time.monotonic() + self.retry_seconds, writing=False):
                        await self._conn.backup(dest)

    async def close(self) -> None:
        if self.integrity is not None and not self.integrity.done():
            self.integrity.cancel()  # its own connection is closed when the statement under way ends
            await asyncio.gather(self.integrity, return_exceptions=True)
        if self._checkpointing is not None:
            await asyncio.gather(self._checkpointing, return_exceptions=True)
        await self._conn.close()
        for conn in (self._reader_conn, self._checkpointer):
            if conn is not None:
                await conn.close()
        if self._quick is not None:
            self._quick.close()


async def _connect(path: str, *pragmas: str, shared: bool = False) -> aiosqlite.Connection:
    """A connection in autocommit mode with these PRAGMAs set (closed again if setting them fails); `shared`: it
    may also be used from the event loop's thread (only while the write lock is held)."""
    conn = await aiosqlite.connect(path, isolation_level=None, check_same_thread=not shared)
    conn.row_factory = sqlite3.Row
    try:
        for pragma in pragmas:
            await conn.execute(f"PRAGMA {pragma}")
    except BaseException:
        await conn.close()
        raise
    return conn


def _execute(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> int:
    """Run one statement to its end; the rows changed, or for an INSERT its rowid (0 when it inserted nothing)."""
    with closing(conn.execute(sql, params)) as cursor:
        if sql.lstrip()[:6].upper() == "INSERT":
            # lastrowid keeps the previous insert's id when this one inserted nothing (ON CONFLICT DO NOTHING).
            return cursor.lastrowid if cursor.rowcount > 0 and cursor.lastrowid else 0
        return cursor.rowcount


def _quick_reader(path: str) -> sqlite3.Connection:
    """A read-only connection used on the event loop's own thread, for `lookup`: it never waits for a lock."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    try:
        for pragma in ("busy_timeout = 0", "query_only = ON"):
            conn.execute(f"PRAGMA {pragma}")
    except BaseException:
        conn.close()
        raise
    return conn


async def lookup(db: Executor, sql: str, params: Sequence[Any] = ()) -> Row | None:
    """The first row of a read served by an index seek; on SQLite answered on the caller's thread (see
    SqliteDatabase.lookup_all), elsewhere as `fetchone`."""
    if isinstance(db, SqliteDatabase):
        return await db.lookup(sql, params)
    return await db.fetchone(sql, params)


async def lookup_all(db: Executor, sql: str, params: Sequence[Any] = ()) -> list[Row]:
    """The rows of a small read served by index seeks; on SQLite answered on the caller's thread (see
    SqliteDatabase.lookup_all), elsewhere as `fetchall`."""
    if isinstance(db, SqliteDatabase):
        return await db.lookup_all(sql, params)
    return await db.fetchall(sql, params)


# A statement's text is its key in each connection's cache of prepared statements (128 kept): SQL whose text changed
# with the number of values (an IN list of N placeholders, N SELECTs joined) filled it with one statement per N, up
# to ~120 KB each. So a list of values is one placeholder (`one_of`), and a compound is made of power-of-two parts.
COMPOUND_PARTS = 128  # SELECTs joined by UNION ALL in one statement at most: below SQLite's limit of 500


def one_of(dialect: str, column: str, values: Iterable[Any]) -> tuple[str, tuple[Any, ...]]:
    """`column` is one of `values` (duplicates dropped), as SQL with one placeholder whatever their number, and
    its parameter: SQLite reads a JSON array (json_each), PostgreSQL an array."""
    unique = list(dict.fromkeys(values))
    if dialect == "postgresql":
        return f"{column} = ANY(?)", (unique,)
    return f"{column} IN (SELECT value FROM json_each(?))", (json.dumps(unique),)


async def fetch_each(db: Executor, select: str, params: Sequence[Sequence[Any]]) -> list[Row]:
    """The rows of one SELECT run for each of many parameter rows, in order, in one round trip for what would be a
    query each: on SQLite as few statements as it allows (UNION ALL of up to COMPOUND_PARTS, a power of two, at a
    time); on PostgreSQL one prepared statement run for every row in a pipeline (a UNION ALL there is planned part by
    part: 200 parts took ~120 ms to plan)."""
    if not params:
        return []
    fetch_many = getattr(db, "fetch_many", None)
    if fetch_many is not None:
        return await fetch_many(select, params)
    rows: list[Row] = []
    first = 0
    for size in multirow.power_of_two_parts(len(params), COMPOUND_PARTS):
        chunk = params[first:first + size]
        rows.extend(await db.fetchall(" UNION ALL ".join([select] * size), [v for row in chunk for v in row]))
        first += size
    return rows


def _prepare_file(path: str) -> None:
    """Create a missing database file with mode 0600; refuse a folder, a special file or a read-only file."""
    file = Path(path)
    if file.is_dir():
        raise DatabaseUnusable(f"DATABASE_URL: {path} is a folder, not a database file; name a file in it, "
                               f"e.g. sqlite:///{file / 'queuewatch.db'}")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise DatabaseUnusable(f"DATABASE_URL: cannot create {path} ({exc.strerror}); check the folder exists "
                               "and this user may write to it") from None
    if not file.is_file():
        raise DatabaseUnusable(f"DATABASE_URL: {path} is not a regular file; point it at a database file")
    if not os.access(file, os.R_OK | os.W_OK):
        raise DatabaseUnusable(f"DATABASE_URL: {path} is read-only for this user; the bot must write to it, so "
                               "fix its permissions or point DATABASE_URL at a writable copy")


async def _check(conn: aiosqlite.Connection, path: str, whole: bool = True) -> None:
    """PRAGMA quick_check (or, not `whole`, a read of the schema only), and a schema no newer than the migrations
    this code ships."""
    check = "PRAGMA quick_check" if whole else "SELECT 'ok' FROM (SELECT count(*) FROM sqlite_schema)"
    problems = [row[0] for row in await conn.execute_fetchall(check) if row[0] != "ok"]
    if problems:
        raise DatabaseUnusable(_corrupted(path, problems[0]))
    version = (await conn.execute_fetchall("PRAGMA user_version"))[0][0]
    known = max((number for number, _name, _sql in available_migrations()), default=0)
    if version > known:
        raise DatabaseUnusable(f"DATABASE_URL: {path} has schema version {version}, newer than this queuewatch "
                               f"knows ({known}); run the newer queuewatch that wrote it, or restore a backup")


def _corrupted(path: str, problem: str) -> str:
    """The one line for a file whose quick_check found a problem."""
    return (f"DATABASE_URL: {path} is corrupted (quick_check: {problem[:100]}); restore it from a backup, or move "
            "it away to start an empty database")


def _describe(path: str, exc: sqlite3.Error) -> str:
    """One line for an SQLite error met while opening the database."""
    what = {
        SQLITE_NOTADB: "is not an SQLite database; point DATABASE_URL at the bot's database file",
        SQLITE_CORRUPT: "is corrupted; restore it from a backup, or move it away to start an empty database",
        SQLITE_READONLY: "is read-only; the bot must write to it, so fix its permissions",
        SQLITE_CANTOPEN: "cannot be opened; check that it and its folder are readable and writable by this user",
        SQLITE_BUSY: "is locked by another program; stop it or try again in a moment",
        SQLITE_FULL: "cannot be written: the disk is full",
    }.get(_primary_code(exc), "cannot be used")
    return f"DATABASE_URL: {path} {what} ({exc})"


def _primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return None
    return SQLITE_BUSY if code & 0xFF == SQLITE_LOCKED else code & 0xFF


@contextmanager
def _storage_errors(path: str, writing: bool) -> Iterator[None]:
    """Turn an SQLite error that means the store is unavailable into StorageUnavailable."""
    try:
        yield
    except sqlite3.Error as exc:
        reason = UNAVAILABLE_REASONS.get(_primary_code(exc) or 0)
        if reason is None:
            raise
        raise StorageUnavailable(f"{path}: {exc}", reason, writing) from exc


def sqlite_path(url: str) -> str:
    """The file path in a sqlite:/// URL (relative to the working directory), or ':memory:'."""
    return url.removeprefix("sqlite:///")


async def open_database(url: str, pool_size: int = 10, serving: bool = False) -> Database:
    """Open the database a DATABASE_URL names: an SQLite file, or a PostgreSQL server (a pool of `pool_size`).
    `serving`: for the bot, which checks a large SQLite file whole in the background instead of before it starts."""
    if url.startswith("sqlite:///"):
        return await SqliteDatabase.open(sqlite_path(url), check_large_later=serving)
    if is_postgres(url):
        from storage.postgres import PostgresDatabase  # asyncpg is loaded only for PostgreSQL

        return await PostgresDatabase.open(url, pool_size)
    raise ValueError(f"unsupported DATABASE_URL scheme: {url.split(':', 1)[0]}")
