"""The outbox table: messages waiting to be delivered, each under an idempotency key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.core.errors import StorageUnavailable
from storage.database import GREATEST, Database, Executor, Row

DUE_STATES = "('pending', 'uncertain')"
# No earlier message to the same destination is still to be delivered (migration 0023's index answers it): a
# destination's messages go out in the order they were queued, also while an earlier one waits for a retry.
FIRST_IN_LINE = ("NOT EXISTS (SELECT 1 FROM outbox AS earlier WHERE earlier.platform = {o}.platform "
                 "AND earlier.dest_kind = {o}.dest_kind AND earlier.dest_id = {o}.dest_id AND earlier.id < {o}.id "
                 "AND earlier.state IN ('pending', 'uncertain', 'sending'))")
# The same, on PostgreSQL where several processes claim in one statement: OFFSET 0 keeps the check a look-up in
# outbox_undelivered_by_dest for each candidate. Left to itself, the planner turns NOT EXISTS into an anti-join, and
# with statistics from before a burst was queued (an empty queue: "1 row") it picked a nested loop that compared
# every due message with every other (4 million comparisons, 0.7 s, for each claim of a 2,000-message fan-out).
FIRST_IN_LINE_PG = FIRST_IN_LINE[:-1] + " OFFSET 0)"
TRANSIENT_REASONS = ("busy", "full", "unavailable")  # may pass: another process's lock, a full disk, an I/O error


def is_transient(exc: BaseException) -> bool:
    """True for a store error that may pass if the statement is tried again (a lock, a full disk)."""
    return isinstance(exc, StorageUnavailable) and exc.reason in TRANSIENT_REASONS


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
    parts_sent: int = 0  # parts of the message delivered by earlier attempts
    uncertain: int = 0  # earlier sends whose outcome was unknown
    state: str = "pending"  # when it was read: pending or uncertain

    @classmethod
    def from_row(cls, row: Row) -> OutboxItem:
        """Build from an outbox row."""
        return cls(row["id"], row["key"], row["platform"], row["dest_kind"], row["dest_id"], row["origin"],
                   row["origin_ref"], row["topic"], row["payload"], row["attempts"], row["parts_sent"],
                   row["uncertain"], row["state"])


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
    """Pending (and uncertain) messages for these platforms whose time has come, first in line for their
    destination, oldest first."""
    if not platforms:
        return []
    marks = ",".join("?" * len(platforms))
    rows = await db.fetchall(
        f"SELECT * FROM outbox WHERE state IN {DUE_STATES} AND next_at <= ? AND platform IN ({marks}) "
        f"AND {(FIRST_IN_LINE_PG if db.dialect == 'postgresql' else FIRST_IN_LINE).format(o='outbox')} "
        "ORDER BY next_at, id LIMIT ?",
        (now, *platforms, limit),
    )
    return [OutboxItem.from_row(row) for row in rows]


async def next_due_at(db: Executor, platforms: list[str]) -> float | None:
    """When the next message for these platforms falls due (or a lease on one runs out), or None."""
    if not platforms:
        return None
    marks = ",".join("?" * len(platforms))
    row = await db.fetchone(
        f"SELECT min(CASE WHEN state = 'sending' THEN lease_until ELSE next_at END) FROM outbox "
        f"WHERE state IN ('pending', 'uncertain', 'sending') AND platform IN ({marks})", tuple(platforms)
    )
    return None if row is None or row[0] is None else float(row[0])


async def bring_back_future(db: Executor, now: float, horizon: float) -> int:
    """Times written by a clock that ran ahead: a try due more than `horizon` from now is due now, a lease that
    long is over now, and no message was queued in the future. Returns the messages whose try was brought back."""
    brought = await db.execute(f"UPDATE outbox SET next_at = ? WHERE state IN {DUE_STATES} AND next_at > ?",
                               (now, now + horizon))
    await db.execute("UPDATE outbox SET lease_until = ? WHERE state = 'sending' AND lease_until > ?",
                     (now, now + horizon))
    await db.execute("UPDATE outbox SET created_at = ? WHERE created_at > ?", (int(now), int(now)))
    return brought


async def reclaim_expired(db: Executor, now: float) -> int:
    """Release the claims whose lease ran out: their claimer stopped mid-send, so the send it had in flight may
    have arrived. Each becomes uncertain (due now), or unconfirmed when it was uncertain before."""
    return await db.execute(
        "UPDATE outbox SET state = CASE WHEN uncertain > 0 THEN 'unconfirmed' ELSE 'uncertain' END, "
        "uncertain = uncertain + 1, claim = NULL, lease_until = NULL, next_at = ?, "
        "last_error = 'the sender stopped while sending; it may have arrived' "
        "WHERE state = 'sending' AND lease_until <= ?",
        (now, now),
    )


async def claim(db: Executor, item_id: int, token: str, now: float, lease_until: float) -> bool:
    """Claim a due message for one send, until `lease_until`; False when another claimer got it first.

    One statement, so two processes can never both claim the same message. On PostgreSQL, where several
    processes deliver, the row is locked with SKIP LOCKED (a claimer never waits for another one), and a message
    with an earlier one to its destination still to be delivered (in flight among them) is not claimed: one send
    in flight per destination (a unique index of migration 0017 holds it even when two claims race).
    """
    if db.dialect == "postgresql":
        return await _claim_postgresql(db, item_id, token, now, lease_until)
    changed = await db.execute(
        f"UPDATE outbox SET state = 'sending', claim = ?, lease_until = ?, attempts = attempts + 1 "
        f"WHERE id = ? AND state IN {DUE_STATES} AND next_at <= ?",
        (token, lease_until, item_id, now),
    )
    return changed == 1


async def _claim_postgresql(db: Executor, item_id: int, token: str, now: float, lease_until: float) -> bool:
    try:
        changed = await db.execute(
            "UPDATE outbox SET state = 'sending', claim = ?, lease_until = ?, attempts = attempts + 1 "
            f"WHERE id = (SELECT id FROM outbox WHERE id = ? AND state IN {DUE_STATES} AND next_at <= ? "
            f"FOR UPDATE SKIP LOCKED) AND {FIRST_IN_LINE.format(o='outbox')}",
            (token, lease_until, item_id, now),
        )
    except Exception as exc:
        if _unique_violation(exc):  # another process claimed a message to the same destination a moment ago
            return False
        raise
    return changed == 1


async def claim_due(db: Database, platforms: list[str], now: float, lease_until: float, token: str,
                    limit: int, skip: Sequence[tuple[str, str, str]] = ()) -> list[OutboxItem]:
    """Claim up to `limit` due messages for these platforms under one token (PostgreSQL, several processes): rows
    another claimer has locked are skipped (FOR UPDATE SKIP LOCKED), and so is every destination with a send in
    flight or an earlier message still to be delivered, and every destination (platform, kind, id) in `skip`; at
    most one message per destination is taken. Oldest first."""
    if not platforms:
        return []
    sql, params = claim_due_select(platforms, now, limit, skip)
    try:
        async with db.transaction() as tx:
            rows = await tx.fetchall(sql, params)
            chosen: dict[tuple[str, str, str], int] = {}
            for row in rows:
                chosen.setdefault((row["platform"], row["dest_kind"], row["dest_id"]), row["id"])
            ids = list(chosen.values())[:limit]
            if not ids:
                return []
            claimed = await tx.fetchall(
                "UPDATE outbox SET state = 'sending', claim = ?, lease_until = ?, attempts = attempts + 1 "
                f"WHERE id IN ({','.join('?' * len(ids))}) RETURNING *",
                (token, lease_until, *ids),
            )
    except Exception as exc:
        if _unique_violation(exc):  # another claimer took a message to one of these destinations a moment ago
            return []
        raise
    # The state read is the one before the claim: what a claim given back returns to.
    before = {row["id"]: row for row in rows}
    items = [OutboxItem.from_row(row) for row in claimed]
    items = [replace(item, state=before[item.id]["state"]) for item in items]
    return sorted(items, key=lambda item: ids.index(item.id))


def claim_due_select(platforms: list[str], now: float, limit: int, skip: Sequence[tuple[str, str, str]] = ()
                     ) -> tuple[str, tuple[Any, ...]]:
    """claim_due's first statement and its parameters: the candidates, locked (a few per message wanted, as
    several may be to one destination)."""
    marks = ",".join("?" * len(platforms))
    skipped = ""
    if skip:
        skipped = f"AND (platform, dest_kind, dest_id) NOT IN ({','.join(['(?, ?, ?)'] * len(skip))}) "
    sql = (f"SELECT id, platform, dest_kind, dest_id, state FROM outbox AS o WHERE state IN {DUE_STATES} "
           f"AND next_at <= ? AND platform IN ({marks}) {skipped}AND {FIRST_IN_LINE_PG.format(o='o')} "
           "ORDER BY next_at, id LIMIT ? FOR UPDATE SKIP LOCKED")
    return sql, (now, *platforms, *(part for dest in skip for part in dest), limit * 4)


def _unique_violation(exc: BaseException) -> bool:
    """True for PostgreSQL's unique_violation (SQLSTATE 23505), however the driver wraps it."""
    while exc is not None:
        if getattr(exc, "sqlstate", None) == "23505":
            return True
        exc = exc.__cause__
    return False


async def unclaim(db: Executor, item_id: int, token: str, state: str) -> bool:
    """Give a claim back unsent (its destination is busy for a while): as it was, the attempt not counted."""
    changed = await db.execute(
        "UPDATE outbox SET state = ?, claim = NULL, lease_until = NULL, attempts = attempts - 1 "
        "WHERE id = ? AND claim = ? AND state = 'sending'",
        (state, item_id, token),
    )
    return changed == 1


async def record_parts(db: Executor, item_id: int, token: str, parts: int, lease_until: float) -> bool:
    """`parts` parts of a claimed message have arrived; renew the lease. False when the claim was lost."""
    changed = await db.execute(
        "UPDATE outbox SET parts_sent = ?, lease_until = ? WHERE id = ? AND claim = ? AND state = 'sending'",
        (parts, lease_until, item_id, token),
    )
    return changed == 1


async def mark_sent(db: Executor, item_id: int, token: str, now: float, parts: int) -> bool:
    """The message was delivered. Recorded also when the claim was lost but nobody holds it now (so it is not
    sent again); False only when another claimer is sending it at this moment."""
    changed = await db.execute(
        f"UPDATE outbox SET state = 'sent', sent_at = ?, parts_sent = {GREATEST[db.dialect]}(parts_sent, ?), "
        "claim = NULL, lease_until = NULL, last_error = NULL "
        "WHERE id = ? AND (claim = ? OR state IN ('pending', 'uncertain', 'unconfirmed'))",
        (int(now), parts, item_id, token),
    )
    return changed == 1


async def retry_later(db: Executor, item_id: int, token: str, next_at: float, error: str, parts: int) -> bool:
    """A passing failure (nothing more of the message arrived): try again at `next_at`."""
    return await _release(db, "'pending'", item_id, token, next_at, error, parts)


async def mark_uncertain(db: Executor, item_id: int, token: str, next_at: float, error: str, parts: int) -> bool:
    """No answer came, so the send may have arrived: try once more at `next_at`; after a second unknown
    outcome, never again (unconfirmed)."""
    return await _release(db, "CASE WHEN uncertain > 0 THEN 'unconfirmed' ELSE 'uncertain' END", item_id, token,
                          next_at, error, parts, "uncertain = uncertain + 1, ")


async def mark_failed(db: Executor, item_id: int, token: str, error: str, parts: int = 0) -> bool:
    """Delivery can never succeed."""
    return await _release(db, "'failed'", item_id, token, None, error, parts)


async def _release(db: Executor, state_sql: str, item_id: int, token: str, next_at: float | None, error: str,
                   parts: int, extra_sql: str = "") -> bool:
    """End a claim with a new state; False when the claim had been lost (another claimer handles it)."""
    changed = await db.execute(
        f"UPDATE outbox SET state = {state_sql}, {extra_sql}next_at = coalesce(?, next_at), last_error = ?, "
        f"parts_sent = {GREATEST[db.dialect]}(parts_sent, ?), claim = NULL, lease_until = NULL "
        "WHERE id = ? AND claim = ?",
        (next_at, error[:500], parts, item_id, token),
    )
    return changed == 1


async def cancel_destination(db: Executor, platform: str, dest_kind: str, dest_id: str, reason: str) -> int:
    """Cancel every waiting message to a destination that can no longer receive any."""
    return await db.execute(
        f"UPDATE outbox SET state = 'cancelled', last_error = ? "
        f"WHERE state IN {DUE_STATES} AND platform = ? AND dest_kind = ? AND dest_id = ?",
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


async def uncertain_sends(db: Executor, origins: Sequence[str], origin_ref: str, since: float) -> Row | None:
    """Messages of these sender kinds for one reference, queued since `since`, that had a send with an unknown
    outcome: how many, how many were then not tried again (unconfirmed), and when the newest was queued; None
    when there are none."""
    marks = ",".join("?" * len(origins))
    row = await db.fetchone(
        "SELECT count(*) AS n, count(*) FILTER (WHERE state = 'unconfirmed') AS unconfirmed, max(created_at) AS latest "
        "FROM outbox "
        f"WHERE origin IN ({marks}) AND origin_ref = ? AND uncertain > 0 AND created_at >= ?",
        (*origins, origin_ref, int(since)),
    )
    return row if row is not None and row["n"] else None


async def uncertain_total(db: Executor) -> int:
    """How many sends, over every message, had an unknown outcome."""
    row = await db.fetchone("SELECT coalesce(sum(uncertain), 0) FROM outbox")
    return int(row[0]) if row else 0
