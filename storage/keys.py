"""The stored keyed hashes of people: where they are, the hashing key's fingerprint, moving them to a new key.

The key itself is never stored here (it lives in the key file or QUEUEWATCH_SECRET, see bot/hashkey.py);
only its fingerprint, so a start with another key is refused instead of silently orphaning every hash.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from storage import meta
from storage.database import Database, Executor

# Every column that holds a person's keyed hash (app.person_key). A new one must be listed here, or a
# rekey would leave it on the old key: tests/test_hash_key.py finds a member's hash in every table.
HASHED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("reports", "reporter"),
    ("member_settings", "person"),
    ("reporter_trust", "reporter"),
    ("reporter_bars", "reporter"),
    ("reporter_first_seen", "reporter"),
    ("reporter_activity", "reporter"),
    ("moderation_log", "actor"),
    ("community_notes", "author"),
    ("button_payloads", "viewer"),
    ("digest_settings", "disabled_by"),
)
# Columns that hold a keyed hash sealed for one purpose (app.unlinked_key), with that purpose.
SEALED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("trust_penalties", "key", "trust-penalty"),
)
FINGERPRINT = "key_fingerprint"
LEGACY_KEY = "queuewatch_secret"  # where versions before the key file kept a generated key
TEMP = {"sqlite": "temp", "postgresql": "pg_temp"}  # the schema of a connection's own temporary tables


@dataclass(frozen=True)
class Mover:
    """How stored values move to a new key: a keyed hash, and a sealed one (given its purpose)."""

    hashed: Callable[[str], str]
    sealed: Callable[[str, str], str]


async def fingerprint(db: Database) -> str | None:
    """The fingerprint of the key the stored hashes were made with, or None before the first start."""
    return await db.get_meta(FINGERPRINT)


async def legacy_key(db: Database) -> str | None:
    """A key an older version generated and kept in the database itself, if it is still there."""
    return await db.get_meta(LEGACY_KEY)


async def has_hashes(db: Database) -> bool:
    """True when any table holds a keyed hash (so a key cannot simply be made up for this database)."""
    for table, column in (*HASHED_COLUMNS, *((t, c) for t, c, _purpose in SEALED_COLUMNS)):
        if await db.fetchone(f"SELECT 1 FROM {table} WHERE {column} != '' LIMIT 1"):
            return True
    return False


async def settle(db: Database, value: str) -> None:
    """Record the key's fingerprint and remove any key kept in the database, leaving no copy in the file."""
    legacy = await legacy_key(db)
    async with db.transaction() as tx:
        await meta.put(tx, FINGERPRINT, value)
        if legacy is not None:
            await _securely(tx, "DELETE FROM meta WHERE key = ?", (LEGACY_KEY,))
    if legacy is not None:
        await _drop_old_pages(db)


async def rehash(db: Database, move: Mover, new_fingerprint: str) -> tuple[int, int]:
    """Move every stored hash and sealed hash to a new key and store its fingerprint, in one transaction,
    leaving no old value in the file; returns (distinct hashes, rows changed)."""
    rows = 0
    sqlite = db.dialect == "sqlite"
    if sqlite:
        await db.execute("PRAGMA temp_store = MEMORY")  # the old -> new table below never touches the disk
    async with db.transaction() as tx:
        found: set[str] = set()
        for table, column in HASHED_COLUMNS:
            found.update(r[0] for r in await tx.fetchall(
                f"SELECT DISTINCT {column} FROM {table} WHERE {column} != ''"))
        hashed = [(old, move.hashed(old)) for old in sorted(found)]
        await tx.execute("CREATE TEMP TABLE rekey_map (old TEXT PRIMARY KEY, new TEXT NOT NULL)")
        try:
            for table, column in HASHED_COLUMNS:
                rows += await _remap(tx, table, column, hashed)
            for table, column, purpose in SEALED_COLUMNS:
                olds = [r[0] for r in await tx.fetchall(f"SELECT {column} FROM {table} WHERE {column} != ''")]
                rows += await _remap(tx, table, column, [(old, move.sealed(purpose, old)) for old in olds])
        finally:
            await tx.execute(f"DROP TABLE {TEMP[tx.dialect]}.rekey_map")
        await meta.put(tx, FINGERPRINT, new_fingerprint)
    if sqlite:
        await db.execute("PRAGMA temp_store = DEFAULT")
    await _drop_old_pages(db)
    return len(found), rows


async def _remap(tx: Executor, table: str, column: str, mapping: list[tuple[str, str]]) -> int:
    """Replace old by new values in one column: one statement per column, far faster than one per value."""
    if not mapping:
        return 0
    temp = TEMP[tx.dialect]
    await tx.execute(f"DELETE FROM {temp}.rekey_map")
    await tx.executemany(f"INSERT INTO {temp}.rekey_map (old, new) VALUES (?, ?)", mapping)
    return await _securely(tx, f"UPDATE {table} SET {column} = rekey_map.new FROM {temp}.rekey_map "
                               f"WHERE {table}.{column} = rekey_map.old")


async def _securely(tx: Executor, sql: str, params: tuple[object, ...] = ()) -> int:
    """Run a statement with SQLite's secure_delete on, so what it replaces is zeroed, not left in free space.
    (PostgreSQL keeps replaced rows until VACUUM: see _drop_old_pages.)"""
    if tx.dialect != "sqlite":
        return await tx.execute(sql, params)
    await tx.execute("PRAGMA secure_delete = ON")
    try:
        return await tx.execute(sql, params)
    finally:
        await tx.execute("PRAGMA secure_delete = OFF")


async def _drop_old_pages(db: Database) -> None:
    """Copy the write-ahead log into the database and empty it, so no old page image stays on disk; on PostgreSQL,
    rewrite the tables that held hashes (VACUUM FULL), so their replaced rows are gone from the table files."""
    if db.dialect == "sqlite":
        await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return
    tables = dict.fromkeys([*(t for t, _c in HASHED_COLUMNS), *(t for t, _c, _p in SEALED_COLUMNS), "meta"])
    await db.execute(f"VACUUM (FULL) {', '.join(tables)}")
