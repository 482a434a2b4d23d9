"""The stored keyed hashes of people: where they are, the hashing key's fingerprint, moving them to a new key.

The key itself is never stored here (it lives in the key file or QUEUEWATCH_SECRET, see bot/hashkey.py);
only its fingerprint, so a start with another key is refused instead of silently orphaning every hash.
"""

from __future__ import annotations

from collections.abc import Callable

from storage import meta
from storage.database import Database, Executor

# Every column that holds a person's keyed hash (app.person_key). A new one must be listed here, or a
# rekey would leave it on the old key: tests/test_hash_key.py finds a member's hash in every table.
HASHED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("reports", "reporter"),
    ("member_settings", "person"),
    ("reporter_trust", "reporter"),
    ("reporter_bars", "reporter"),
    ("moderation_log", "actor"),
    ("community_notes", "author"),
)
FINGERPRINT = "key_fingerprint"
LEGACY_KEY = "queuewatch_secret"  # where versions before the key file kept a generated key


async def fingerprint(db: Database) -> str | None:
    """The fingerprint of the key the stored hashes were made with, or None before the first start."""
    return await db.get_meta(FINGERPRINT)


async def legacy_key(db: Database) -> str | None:
    """A key an older version generated and kept in the database itself, if it is still there."""
    return await db.get_meta(LEGACY_KEY)


async def has_hashes(db: Database) -> bool:
    """True when any table holds a keyed hash (so a key cannot simply be made up for this database)."""
    for table, column in HASHED_COLUMNS:
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


async def rehash(db: Database, new_hash: Callable[[str], str], new_fingerprint: str) -> tuple[int, int]:
    """Replace every stored hash h by new_hash(h) and the fingerprint, in one transaction, leaving no old
    hash in the file; returns (distinct hashes, rows changed)."""
    rows = 0
    await db.execute("PRAGMA temp_store = MEMORY")  # the old -> new table below never touches the disk
    async with db.transaction() as tx:
        found: set[str] = set()
        for table, column in HASHED_COLUMNS:
            found.update(r[0] for r in await tx.fetchall(f"SELECT DISTINCT {column} FROM {table} WHERE {column} != ''"))
        await tx.execute("CREATE TEMP TABLE rekey_map (old TEXT PRIMARY KEY, new TEXT NOT NULL)")
        try:
            await tx.executemany("INSERT INTO temp.rekey_map (old, new) VALUES (?, ?)",
                                 [(old, new_hash(old)) for old in sorted(found)])
            for table, column in HASHED_COLUMNS:
                # One statement per table: far faster than one UPDATE per person on an indexed column.
                rows += await _securely(tx, f"UPDATE {table} SET {column} = rekey_map.new FROM temp.rekey_map "
                                            f"WHERE {table}.{column} = rekey_map.old")
        finally:
            await tx.execute("DROP TABLE temp.rekey_map")
        await meta.put(tx, FINGERPRINT, new_fingerprint)
    await db.execute("PRAGMA temp_store = DEFAULT")
    await _drop_old_pages(db)
    return len(found), rows


async def _securely(tx: Executor, sql: str, params: tuple[object, ...] = ()) -> int:
    """Run a statement with SQLite's secure_delete on, so what it replaces is zeroed, not left in free space."""
    await tx.execute("PRAGMA secure_delete = ON")
    try:
        return await tx.execute(sql, params)
    finally:
        await tx.execute("PRAGMA secure_delete = OFF")


async def _drop_old_pages(db: Database) -> None:
    """Copy the write-ahead log into the database and empty it, so no old page image stays on disk."""
    await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
