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


async def activity_by_platform(db: Executor, start: int, end: int) -> list[Row]:
    """Per platform: visible reports and distinct contributors in [start, end)."""
    return await db.fetchall(
        "SELECT platform, count(*) AS reports, count(DISTINCT reporter) AS contributors FROM reports "
        "WHERE updated_at >= ? AND updated_at < ? AND hidden = 0 GROUP BY platform",
        (start, end),
    )


async def daily_counts(db: Executor, bounds: Sequence[int]) -> list[Row]:
    """Per platform and day: visible reports, day i being [bounds[i], bounds[i + 1]) (the caller's calendar days)."""
    cuts = bounds[1:-1]
    day = "CASE " + " ".join(f"WHEN updated_at < ? THEN {i}" for i in range(len(cuts))) + f" ELSE {len(cuts)} END"
    return await db.fetchall(
        f"SELECT platform, {day if cuts else '0'} AS day, count(*) AS reports FROM reports "
        "WHERE updated_at >= ? AND updated_at < ? AND hidden = 0 GROUP BY platform, day",
        (*cuts, bounds[0], bounds[-1]),
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


async def pay_values(db: Executor, start: int, end: int) -> list[Row]:
    """Hourly pay (USD) reported in [start, end): platform, updated_at, hourly_usd."""
    return await db.fetchall(
        "SELECT platform, updated_at, hourly_usd FROM reports WHERE updated_at >= ? AND updated_at < ? "
        "AND hidden = 0 AND kind = 'payrate' AND hourly_usd IS NOT NULL",
        (start, end),
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
