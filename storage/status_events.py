"""Reading the status events availability records (one row per state change of a platform or project)."""

from __future__ import annotations

from collections.abc import Sequence

from storage.database import Executor, Row, fetch_each


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


async def last_states_among(db: Executor, before: Sequence[tuple[str, str, int]],
                            states: tuple[str, ...]) -> dict[int, str | None]:
    """For each (platform, project, event id): the newest of these states that platform (or project) entered before
    that event, or None; by event id. One index descent each, many to a statement."""
    marks = ",".join("?" * len(states))
    lookup = ("SELECT CAST(? AS BIGINT), (SELECT new_state FROM status_events WHERE platform = ? AND project = ? "
              f"AND id < ? AND new_state IN ({marks}) ORDER BY at DESC, id DESC LIMIT 1)")
    rows = await fetch_each(db, lookup, [(event_id, platform, project, event_id, *states)
                                         for platform, project, event_id in before])
    return {int(event_id): None if state is None else str(state) for event_id, state in rows}
