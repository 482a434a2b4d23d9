"""Reading the status events availability records (one row per state change of a platform or project)."""

from __future__ import annotations

from storage.database import Executor, Row


async def last_id(db: Executor) -> int:
    """The id of the newest status event (0 when there is none)."""
    row = await db.fetchone("SELECT coalesce(max(id), 0) FROM status_events")
    return int(row[0]) if row else 0


async def after(db: Executor, event_id: int, limit: int) -> list[Row]:
    """Status events newer than `event_id`, oldest first."""
    return await db.fetchall(
        "SELECT id, platform, project, old_state, new_state, at, reporters FROM status_events "
        "WHERE id > ? ORDER BY id LIMIT ?",
        (event_id, limit),
    )


async def last_state_among(db: Executor, platform: str, project: str, before_id: int,
                           states: tuple[str, ...]) -> str | None:
    """The newest of these states a platform (or project) entered before an event, or None."""
    marks = ",".join("?" * len(states))
    row = await db.fetchone(
        "SELECT new_state FROM status_events WHERE platform = ? AND project = ? AND id < ? "
        f"AND new_state IN ({marks}) ORDER BY at DESC, id DESC LIMIT 1",
        (platform, project, before_id, *states),
    )
    return None if row is None else str(row[0])
