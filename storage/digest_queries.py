"""Read-only queries over reports and status_events that a weekly digest is made of."""

from __future__ import annotations

from collections.abc import Sequence

from storage.database import Executor, Row


async def status_events_between(db: Executor, start: int, end: int) -> list[Row]:
    """State changes in [start, end), oldest first."""
    return await db.fetchall(
        "SELECT id, platform, project, old_state, new_state, at, reporters FROM status_events "
        "WHERE at >= ? AND at < ? ORDER BY at, id",
        (start, end),
    )


async def latest_states(db: Executor, before: int) -> dict[str, Row]:
    """Each platform's latest whole-platform state at `before`, by platform id (the later event of a tie).

    One index descent per platform (status_events_by_project_platform): the platforms are walked with a
    recursive skip-scan and each one's latest event is a LIMIT 1, so the cost grows with the platforms,
    not with every status event ever stored.
    """
    rows = await db.fetchall(
        "WITH RECURSIVE platforms(platform) AS ("
        " SELECT (SELECT min(platform) FROM status_events WHERE project = '')"
        " UNION ALL SELECT (SELECT min(platform) FROM status_events WHERE project = '' AND platform > p.platform)"
        " FROM platforms p WHERE p.platform IS NOT NULL) "
        "SELECT s.platform, s.new_state, s.at, s.reporters, s.confidence FROM platforms p "
        "JOIN status_events s ON s.id = (SELECT id FROM status_events WHERE project = '' AND platform = p.platform "
        "AND at < ? ORDER BY at DESC, id DESC LIMIT 1)",
        (before,),
    )
    return {row["platform"]: row for row in rows}


async def activity_by_platform(db: Executor, start: int, end: int) -> list[Row]:
    """Per platform: visible reports and distinct contributors in [start, end)."""
    return await db.fetchall(
        "SELECT platform, count(*) AS reports, count(DISTINCT reporter) AS contributors FROM reports "
        "WHERE updated_at >= ? AND updated_at < ? AND hidden = 0 GROUP BY platform",
        (start, end),
    )


async def daily_counts(db: Executor, start: int, end: int) -> list[Row]:
    """Per platform and day (0 = the first 24 hours from `start`): visible reports."""
    return await db.fetchall(
        "SELECT platform, (updated_at - ?) / 86400 AS day, count(*) AS reports FROM reports "
        "WHERE updated_at >= ? AND updated_at < ? AND hidden = 0 GROUP BY platform, day",
        (start, start, end),
    )


async def totals(db: Executor, start: int, end: int, community: str | None = None) -> tuple[int, int]:
    """(visible reports, distinct contributors) in [start, end), in one community or everywhere."""
    where = "updated_at >= ? AND updated_at < ? AND hidden = 0"
    params: tuple = (start, end)
    if community is not None:
        where += " AND community = ?"
        params += (community,)
    row = await db.fetchone(f"SELECT count(*), count(DISTINCT reporter) FROM reports WHERE {where}", params)
    return (row[0], row[1]) if row else (0, 0)


async def project_reports(db: Executor, kinds: Sequence[str], start: int, end: int,
                          min_reporters: int = 1) -> list[Row]:
    """Project reports of these kinds (paused, ended) in [start, end) by at least `min_reporters` people:
    platform, project, kind, reporters, last."""
    marks = ",".join("?" * len(kinds))
    return await db.fetchall(
        "SELECT platform, project, kind, count(DISTINCT reporter) AS reporters, max(updated_at) AS last "
        f"FROM reports WHERE updated_at >= ? AND updated_at < ? AND hidden = 0 AND kind IN ({marks}) "
        "AND project != '' GROUP BY platform, project, kind HAVING reporters >= ? ORDER BY reporters DESC, last DESC",
        (start, end, *kinds, min_reporters),
    )


async def payment_reports(db: Executor, kinds: Sequence[str], start: int, end: int) -> list[Row]:
    """Payment reports of these kinds in [start, end): platform, kind, distinct reporters."""
    marks = ",".join("?" * len(kinds))
    return await db.fetchall(
        "SELECT platform, kind, count(DISTINCT reporter) AS reporters FROM reports "
        f"WHERE updated_at >= ? AND updated_at < ? AND hidden = 0 AND kind IN ({marks}) GROUP BY platform, kind",
        (start, end, *kinds),
    )


async def pay_medians(db: Executor, before_start: int, start: int, end: int) -> list[Row]:
    """Per platform and period, the median hourly pay (USD) and how many: `recent` 1 for [start, end), 0 for
    [before_start, start). Computed in SQL (the middle one or two values of each sorted group), so a few rows
    per platform come back, not every figure; read from the partial index reports_payrate_by_time."""
    return await db.fetchall(
        "WITH ranked AS (SELECT platform, updated_at >= ? AS recent, hourly_usd, "
        "row_number() OVER (PARTITION BY platform, updated_at >= ? ORDER BY hourly_usd) AS position, "
        "count(*) OVER (PARTITION BY platform, updated_at >= ?) AS n FROM reports "
        "WHERE updated_at >= ? AND updated_at < ? AND kind = 'payrate' AND hidden = 0 AND hourly_usd IS NOT NULL) "
        "SELECT platform, recent, (min(hourly_usd) + max(hourly_usd)) / 2.0 AS median, n FROM ranked "
        "WHERE position IN ((n + 1) / 2, (n + 2) / 2) GROUP BY platform, recent",
        (start, start, start, before_start, end),
    )


async def payment_problem_reporters(db: Executor, kinds: Sequence[str], start: int, end: int) -> dict[str, int]:
    """Distinct people filing reports of these kinds (late or missing pay) in [start, end), by platform."""
    marks = ",".join("?" * len(kinds))
    rows = await db.fetchall(
        "SELECT platform, count(DISTINCT reporter) FROM reports WHERE updated_at >= ? AND updated_at < ? "
        f"AND hidden = 0 AND kind IN ({marks}) GROUP BY platform",
        (start, end, *kinds),
    )
    return {row[0]: row[1] for row in rows}
