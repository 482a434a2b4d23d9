"""SQL for the public page's history: hourly reporter counts and the latest platform-wide state changes.

Served by the covering indexes of 0003 (reports_by_platform_kind for one platform, reports_by_kind_time for all)
and status_events_by_time.
"""

from __future__ import annotations

from collections.abc import Sequence

from storage.database import Database, Row

HOUR = 3600


async def hourly_reporters(db: Database, kinds: Sequence[str], platform: str | None,
                           slots: Sequence[tuple[int, int]]) -> list[Row]:
    """Distinct platform-wide reporters per (platform, kind, hour) of visible reports updated within the slots
    [start, stop); `hour` is the hour's start (unix seconds). Overlapping slots count a report once."""
    values = ", ".join("(?, ?)" for _ in slots)
    flat = [bound for slot in slots for bound in slot]
    marks = ",".join("?" * len(kinds))
    where, params = ("r.platform = ? AND ", (platform,)) if platform is not None else ("", ())
    return await db.fetchall(
        f"WITH slots(start, stop) AS (VALUES {values}) "
        f"SELECT r.platform AS platform, r.kind AS kind, (r.updated_at / {HOUR}) * {HOUR} AS hour, "
        "count(DISTINCT r.reporter) AS reporters "
        f"FROM slots s JOIN reports r ON {where}r.kind IN ({marks}) AND r.updated_at >= s.start "
        "AND r.updated_at < s.stop AND r.hidden = 0 AND r.project = '' "
        "GROUP BY r.platform, r.kind, hour",
        (*flat, *params, *kinds),
    )


async def platform_changes(db: Database, states: Sequence[str], since: int, limit: int) -> list[Row]:
    """The newest platform-wide state changes into these states since `since` (newest first)."""
    marks = ",".join("?" * len(states))
    return await db.fetchall(
        "SELECT id, platform, project, old_state, new_state, at, reporters FROM status_events "
        f"WHERE at >= ? AND project = '' AND new_state IN ({marks}) ORDER BY at DESC, id DESC LIMIT ?",
        (since, *states, limit),
    )
