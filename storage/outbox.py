"""The outbox table: messages waiting to be delivered, each under an idempotency key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storage.database import Executor, Row


@dataclass(frozen=True)
class OutboxItem:
    """One message to deliver."""

    id: int
    key: str
    platform: str
    dest_kind: str
    dest_id: str
    origin: str  # the kind of sender: digest, alerts, sub
    origin_ref: str  # the sender's own reference (a community, a member)
    topic: str
    payload: str
    attempts: int

    @classmethod
    def from_row(cls, row: Row) -> OutboxItem:
        """Build from an outbox row."""
        return cls(row["id"], row["key"], row["platform"], row["dest_kind"], row["dest_id"], row["origin"],
                   row["origin_ref"], row["topic"], row["payload"], row["attempts"])


async def insert_new(db: Executor, exists_sql: str, insert_sql: str, key_params: Sequence[Any],
                     insert_params: Sequence[Any]) -> bool:
    """Insert a row unless `exists_sql` finds it; True when inserted. Atomic: runs in a transaction
    (the caller's, when given one)."""
    if hasattr(db, "transaction"):
        async with db.transaction() as tx:
            return await insert_new(tx, exists_sql, insert_sql, key_params, insert_params)
    if await db.fetchone(exists_sql, key_params) is not None:
        return False
    await db.execute(insert_sql, insert_params)
    return True


async def add(db: Executor, key: str, platform: str, dest_kind: str, dest_id: str, origin: str, origin_ref: str,
              payload: str, now: float, topic: str = "") -> bool:
    """Queue a message; False (and nothing queued) when the key was used before."""
    return await insert_new(
        db, "SELECT 1 FROM outbox WHERE key = ?",
        "INSERT INTO outbox (key, platform, dest_kind, dest_id, origin, origin_ref, topic, payload, next_at, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (key,), (key, platform, dest_kind, dest_id, origin, origin_ref, topic, payload, now, int(now)),
    )


async def due(db: Executor, platforms: list[str], now: float, limit: int) -> list[OutboxItem]:
    """Pending messages for these platforms whose time has come, oldest first."""
    if not platforms:
        return []
    marks = ",".join("?" * len(platforms))
    rows = await db.fetchall(
        f"SELECT * FROM outbox WHERE state = 'pending' AND next_at <= ? AND platform IN ({marks}) "
        "ORDER BY next_at, id LIMIT ?",
        (now, *platforms, limit),
    )
    return [OutboxItem.from_row(row) for row in rows]


async def next_due_at(db: Executor, platforms: list[str]) -> float | None:
    """When the next pending message for these platforms falls due, or None."""
    if not platforms:
        return None
    marks = ",".join("?" * len(platforms))
    row = await db.fetchone(
        f"SELECT min(next_at) FROM outbox WHERE state = 'pending' AND platform IN ({marks})", tuple(platforms)
    )
    return None if row is None or row[0] is None else float(row[0])


async def mark_sent(db: Executor, item_id: int, now: float) -> None:
    """The message was delivered."""
    await db.execute(
        "UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
        (int(now), item_id),
    )


async def retry_later(db: Executor, item_id: int, next_at: float, error: str) -> None:
    """A passing failure: try again at `next_at`."""
    await db.execute(
        "UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?",
        (next_at, error[:500], item_id),
    )


async def mark_failed(db: Executor, item_id: int, error: str) -> None:
    """Delivery can never succeed."""
    await db.execute(
        "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?",
        (error[:500], item_id),
    )


async def cancel_destination(db: Executor, platform: str, dest_kind: str, dest_id: str, reason: str) -> int:
    """Cancel every pending message to a destination that can no longer receive any."""
    return await db.execute(
        "UPDATE outbox SET state = 'cancelled', last_error = ? "
        "WHERE state = 'pending' AND platform = ? AND dest_kind = ? AND dest_id = ?",
        (reason[:500], platform, dest_kind, dest_id),
    )


async def counts(db: Executor) -> dict[str, int]:
    """How many messages are in each state."""
    rows = await db.fetchall("SELECT state, count(*) FROM outbox GROUP BY state")
    return {row[0]: row[1] for row in rows}


async def failures(db: Executor, origin: str, origin_ref: str, limit: int = 3) -> list[Row]:
    """The latest failed messages of one sender (for moderators)."""
    return await db.fetchall(
        "SELECT key, last_error, created_at FROM outbox WHERE origin = ? AND origin_ref = ? AND state = 'failed' "
        "ORDER BY id DESC LIMIT ?",
        (origin, origin_ref, limit),
    )


async def recent_refs(db: Executor, topic: str, since: float, origin: str) -> set[str]:
    """The references of one kind of sender that queued a message about `topic` since `since`."""
    rows = await db.fetchall(
        "SELECT DISTINCT origin_ref FROM outbox WHERE topic = ? AND created_at >= ? AND origin = ? "
        "AND state != 'cancelled'",
        (topic, int(since), origin),
    )
    return {row[0] for row in rows}
