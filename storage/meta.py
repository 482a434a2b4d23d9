"""The key-value meta table, written inside a caller's transaction (the Database has get_meta/set_meta too)."""

from __future__ import annotations

from storage.database import Executor


async def put(db: Executor, key: str, value: str) -> None:
    """Store a value under a key, replacing any earlier one."""
    await db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
