"""The inbox table: platform updates kept from the moment they are received until they are answered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage.database import Database, Executor, one_of


@dataclass(frozen=True)
class Unfinished:
    """An update received but not yet answered."""

    update_id: int
    payload: str
    state: str
    attempts: int


ROWS_PER_INSERT = 200  # a Telegram batch is at most 100 updates: one statement, one round trip


async def accept(db: Database, platform: str, updates: Sequence[tuple[int, str]], now: int) -> list[int]:
    """Store (update id, JSON) pairs in one transaction; the ids that were new (a repeat is ignored)."""
    new: list[int] = []
    async with db.transaction() as tx:
        for start in range(0, len(updates), ROWS_PER_INSERT):
            chunk = updates[start:start + ROWS_PER_INSERT]
            rows = await tx.fetchall(
                "INSERT INTO inbox (platform, update_id, payload, received_at) VALUES "
                + ", ".join(["(?, ?, ?, ?)"] * len(chunk))
                + " ON CONFLICT (platform, update_id) DO NOTHING RETURNING update_id",
                [value for update_id, payload in chunk for value in (platform, update_id, payload, now)],
            )
            new.extend(row[0] for row in rows)
    return new


async def unfinished(db: Executor, platform: str, received_before: int | None = None) -> list[Unfinished]:
    """Every update received (before `received_before`, when given) but not finished, oldest first."""
    rows = await db.fetchall(
        "SELECT update_id, payload, state, attempts FROM inbox WHERE platform = ? AND done_at IS NULL "
        "AND received_at < coalesce(?, received_at + 1) ORDER BY update_id",
        (platform, received_before),
    )
    return [Unfinished(row[0], row[1], row[2], row[3]) for row in rows]


async def started(db: Executor, platform: str, update_id: int) -> None:
    """Handling an update begins (counted, so an update that keeps crashing the process can be given up)."""
    await db.execute("UPDATE inbox SET attempts = attempts + 1 WHERE platform = ? AND update_id = ?",
                     (platform, update_id))


async def replying(db: Executor, platform: str, update_ids: Sequence[int]) -> None:
    """A reply to these updates is about to go out: after a crash, it may or may not have arrived."""
    among, params = one_of(db.dialect, "update_id", update_ids)
    await db.execute(f"UPDATE inbox SET state = 'replying' WHERE platform = ? AND state = 'pending' AND {among}",
                     (platform, *params))


async def finish(db: Executor, platform: str, update_id: int, now: int, state: str = "done") -> None:
    """The update is answered (`done`) or given up (`dropped`); its content is deleted, its id kept a while."""
    await db.execute(
        "UPDATE inbox SET state = ?, payload = NULL, done_at = ? WHERE platform = ? AND update_id = ?",
        (state, now, platform, update_id),
    )


async def prune(db: Executor, before: int) -> int:
    """Delete finished updates older than `before`; how many went."""
    return await db.execute("DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?", (before,))
