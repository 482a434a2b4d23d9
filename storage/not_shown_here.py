"""SQL for reports a community does not show: marks, the project names they stop, and reports from elsewhere."""

from __future__ import annotations

from collections.abc import Sequence

from storage.database import Database, Executor, Row


async def mark(db: Executor, community: str, report_id: int, reason: str, at: int) -> bool:
    """Mark a report as not shown in a community; False when it already was."""
    return bool(await db.execute(
        "INSERT INTO not_shown_here (community, report_id, reason, at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (community, report_id) DO NOTHING",
        (community, report_id, reason, at),
    ))


async def unmark(db: Executor, community: str, report_id: int) -> bool:
    """Show a report in a community again; False when it was not marked."""
    return bool(await db.execute(
        "DELETE FROM not_shown_here WHERE community = ? AND report_id = ?", (community, report_id)
    ))


async def names_not_shown(db: Database, community: str | None = None) -> list[Row]:
    """(community, platform, project) of every project name marked not shown, in one community or in every one."""
    where, params = ("WHERE n.community = ? AND", (community,)) if community is not None else ("WHERE", ())
    return await db.fetchall(
        "SELECT DISTINCT n.community AS community, r.platform AS platform, r.project AS project FROM not_shown_here n "
        f"JOIN reports r ON r.id = n.report_id {where} r.project != ''",
        params,
    )


async def reports_from_elsewhere(db: Database, community: str, kinds: Sequence[str], since: int,
                                 platform: str | None, limit: int) -> list[Row]:
    """Visible reports of these kinds naming a project, made outside this community since `since`, newest first,
    each with not_here = 1 when this community marked it."""
    marks = ",".join("?" * len(kinds))
    where, params = (" AND r.platform = ?", (platform,)) if platform else ("", ())
    return await db.fetchall(
        "SELECT r.id, r.platform, r.kind, r.project, r.updated_at, n.report_id IS NOT NULL AS not_here "
        "FROM reports r LEFT JOIN not_shown_here n ON n.report_id = r.id AND n.community = ? "
        f"WHERE r.kind IN ({marks}) AND r.updated_at >= ? AND r.hidden = 0 AND r.project != '' "
        f"AND (r.community IS NULL OR r.community != ?){where} ORDER BY r.updated_at DESC, r.id DESC LIMIT ?",
        (community, *kinds, since, community, *params, limit),
    )
