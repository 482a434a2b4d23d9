"""Alert events announced so far, so each is announced once."""

from __future__ import annotations

from collections.abc import Sequence

from storage.database import Executor, one_of
from storage.outbox import insert_new


async def announced(db: Executor, keys: Sequence[str]) -> set[str]:
    """Which of these alert events were announced before (one read for a scan's events)."""
    among, params = one_of(db.dialect, "key", keys)
    return {row[0] for row in await db.fetchall(f"SELECT key FROM alert_events WHERE {among}", params)}


async def claim_alert_event(db: Executor, key: str, platform: str, kind: str, at: int) -> bool:
    """Record that an alert event is being announced; False if it was announced before."""
    return await insert_new(
        db, "SELECT 1 FROM alert_events WHERE key = ?",
        "INSERT INTO alert_events (key, platform, kind, at, recipients) VALUES (?, ?, ?, ?, 0)",
        (key,), (key, platform, kind, at),
    )


async def set_alert_recipients(db: Executor, key: str, recipients: int) -> None:
    """Record how many messages an alert event was queued as."""
    await db.execute("UPDATE alert_events SET recipients = ? WHERE key = ?", (recipients, key))
