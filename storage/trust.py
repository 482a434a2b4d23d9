"""SQL for reporter trust: each reporter's judged days, and what settling them reads."""

from __future__ import annotations

from collections.abc import Sequence

from storage.database import Database, Executor, Row, chunks


async def trust_rows(db: Database, reporters: Sequence[str]) -> dict[str, Row]:
    """The trust rows of these reporters (absent: no settled reports yet)."""
    found: dict[str, Row] = {}
    for chunk in chunks(reporters):
        marks = ",".join("?" * len(chunk))
        rows = await db.fetchall(f"SELECT * FROM reporter_trust WHERE reporter IN ({marks})", tuple(chunk))
        found.update((row["reporter"], row) for row in rows)
    return found


async def add_trust(
    db: Executor, reporter: str, first_seen: int, agreements: int, contradictions: int, at: int
) -> None:
    """Add settled agreements and contradictions to a reporter's record."""
    await db.execute(
        "INSERT INTO reporter_trust (reporter, first_seen, agreements, contradictions, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (reporter) DO UPDATE SET "
        "first_seen = MIN(first_seen, excluded.first_seen), agreements = agreements + excluded.agreements, "
        "contradictions = contradictions + excluded.contradictions, updated_at = excluded.updated_at",
        (reporter, first_seen, agreements, contradictions, at),
    )


async def judgeable_reports(db: Database, kinds: Sequence[str], since: int, until: int) -> list[Row]:
    """Visible platform-wide reports of these kinds last updated in [since, until)."""
    return await db.fetchall(
        "SELECT reporter, platform, kind, updated_at FROM reports WHERE hidden = 0 AND project = '' "
        f"AND kind IN ({','.join('?' * len(kinds))}) AND updated_at >= ? AND updated_at < ?",
        (*kinds, since, until),
    )


async def platform_states(db: Database, platform: str, start: int, end: int) -> list[Row]:
    """A platform's status events: the one in force at `start`, then those up to `end` (at, new_state)."""
    before = await db.fetchone(
        "SELECT at, new_state FROM status_events WHERE platform = ? AND project = '' AND at <= ? "
        "ORDER BY at DESC, id DESC LIMIT 1",
        (platform, start),
    )
    during = await db.fetchall(
        "SELECT at, new_state FROM status_events WHERE platform = ? AND project = '' AND at > ? AND at <= ? "
        "ORDER BY at, id",
        (platform, start, end),
    )
    return ([before] if before else []) + list(during)


async def delete_trust(db: Executor, reporter: str) -> int:
    """Delete a reporter's trust record; returns the rows deleted."""
    return await db.execute("DELETE FROM reporter_trust WHERE reporter = ?", (reporter,))


async def penalties(db: Database, keys: Sequence[str]) -> dict[str, float]:
    """The trust penalty kept under each of these keys (absent: none)."""
    found: dict[str, float] = {}
    for chunk in chunks(keys):
        marks = ",".join("?" * len(chunk))
        rows = await db.fetchall(f"SELECT key, penalty FROM trust_penalties WHERE key IN ({marks})", tuple(chunk))
        found.update((row["key"], row["penalty"]) for row in rows)
    return found


async def put_penalty(db: Executor, key: str, penalty: float) -> None:
    """Keep a trust penalty under a key (replacing any before)."""
    await db.execute(
        "INSERT INTO trust_penalties (key, penalty) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET penalty = "
        "excluded.penalty",
        (key, penalty),
    )


async def delete_penalty(db: Executor, key: str) -> int:
    """Drop the trust penalty under a key; returns the rows deleted."""
    return await db.execute("DELETE FROM trust_penalties WHERE key = ?", (key,))
