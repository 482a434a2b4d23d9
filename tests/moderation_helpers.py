"""Helpers for the moderation, trust and privacy tests: crowds of console members filing reports."""

from __future__ import annotations

from bot.core.model import Actor, Place, Platform, Reply
from bot.wiring import App


def crowd(prefix: str, count: int) -> list[Actor]:
    """Distinct console members named prefix0, prefix1, ..."""
    return [Actor(Platform.CONSOLE, f"{prefix}{i}", f"{prefix.title()} {i}") for i in range(count)]


async def file(app: App, actor: Actor, place: Place, what: str, platform: str = "outlier", **extra: str) -> Reply:
    """File one /report through the dispatcher and fail loudly if it was refused."""
    reply = await app.dispatcher.dispatch("report", {"platform": platform, "what": what, **extra}, actor, place)
    assert not reply.is_error, reply.plain_text()
    return reply


async def report_id(app: App, actor: Actor, kind: str | None = None) -> int:
    """The id of a member's newest report (of a kind)."""
    key = app.person_key(actor.platform, actor.user_id)
    sql = "SELECT id FROM reports WHERE reporter = ?" + (" AND kind = ?" if kind else "") + " ORDER BY id DESC"
    row = await app.db.fetchone(sql, (key, kind) if kind else (key,))
    assert row is not None, f"{actor.user_id} has no report"
    return int(row["id"])


async def run(app: App, line: str, actor: Actor, place: Place) -> Reply:
    """Run a typed command line."""
    return await app.dispatcher.dispatch_line(line, actor, place)
