"""Helpers for the reports and availability tests: many members, filing reports through the dispatcher."""

from __future__ import annotations

from bot.core.model import Actor, Place, Platform, Reply
from bot.wiring import App


def members(count: int, start: int = 0) -> list[Actor]:
    """Distinct members on the console."""
    return [Actor(Platform.CONSOLE, f"member{i}", f"Member {i}") for i in range(start, start + count)]


async def report(app: App, actor: Actor, place: Place, platform: str, what: str, **extra: str) -> Reply:
    """File one /report through the dispatcher, as a front end would."""
    return await app.dispatcher.dispatch("report", {"platform": platform, "what": what, **extra}, actor, place)


async def count_reports(app: App, where: str = "1 = 1", params: tuple = ()) -> int:
    """How many report rows match."""
    row = await app.db.fetchone(f"SELECT count(*) FROM reports WHERE {where}", params)
    return int(row[0])


async def events(app: App, platform: str, project: str = "") -> list[tuple[str, str]]:
    """The recorded state changes of a platform, oldest first."""
    rows = await app.db.fetchall(
        "SELECT old_state, new_state FROM status_events WHERE platform = ? AND project = ? ORDER BY id",
        (platform, project),
    )
    return [(r[0], r[1]) for r in rows]
