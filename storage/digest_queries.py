"""Read-only queries over reports and status_events that a weekly digest is made of."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from storage import activity, aggregates
from storage.database import Executor, Row, fetch_each


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


async def activity_by_platform(db: Executor, start: int, end: int,
                               reports: Mapping[str, int] | None = None) -> list[Row | dict]:
    """Per platform: visible reports and distinct contributors in [start, end) (platform, reports, contributors);
    `reports`: the visible reports per platform in the window, when the caller has counted them already."""
    if await activity.answers_for(db, end):
        if reports is None:
            reports = {row[0]: row[2] for row in await aggregates.counts_by_span(db, (start, end))}
        people = await activity.people(db, [activity.platform_scope(p) for p in reports], start)
        return [{"platform": p, "reports": n, "contributors": people.get(activity.platform_scope(p), 0)}
                for p, n in reports.items()]
    return await db.fetchall(
        "SELECT platform, count(*) AS reports, count(DISTINCT reporter) AS contributors FROM reports "
        "WHERE updated_at >= ? AND updated_at < ? AND hidden = 0 GROUP BY platform",
        (start, end),
    )


async def daily_counts(db: Executor, bounds: Sequence[int]) -> list[tuple[str, int, int]]:
    """Per platform and day: visible reports (platform, span, reports), day i being [bounds[i], bounds[i + 1]) (the
    caller's calendar days): whole hours from report_hours, the partial hours at the cuts from reports."""
    return await aggregates.counts_by_span(db, bounds)


async def totals(db: Executor, start: int, end: int, community: str | None = None,
                 reports: int | None = None) -> tuple[int, int]:
    """(visible reports, distinct contributors) in [start, end), in one community or everywhere (`reports`: the
    visible reports everywhere in the window, when the caller has counted them already)."""
    if await activity.answers_for(db, end):
        scope = activity.EVERYONE if community is None else activity.community_scope(community)
        people = (await activity.people(db, [scope], start)).get(scope, 0)
        if community is None:
            if reports is None:
                reports = sum(row[2] for row in await aggregates.counts_by_span(db, (start, end)))
            return reports, people
        row = await db.fetchone("SELECT count(*) FROM reports WHERE community = ? AND updated_at >= ? "
                                "AND updated_at < ? AND hidden = 0", (community, start, end))
        return row[0], people
    where = "updated_at >= ? AND updated_at < ? AND hidden = 0"
    params: tuple = (start, end)
    if community is not None:
        where += " AND community = ?"
        params += (community,)
    row = await db.fetchone(f"SELECT count(*), count(DISTINCT reporter) FROM reports WHERE {where}", params)
    return (row[0], row[1]) if row else (0, 0)


async def project_reports(db: Executor, kinds: Sequence[str], start: int, end: int,
                          min_reporters: int = 1) -> list[Row | dict]:
    """Project reports of these kinds (paused, ended) in [start, end) by at least `min_reporters` people:
    platform, project, kind, reporters, last."""
    if await activity.answers_for(db, end):
        found = await activity.project_people(db, kinds, start, min_reporters)
        return [{"platform": platform, "project": project, "kind": kind, "reporters": n, "last": last}
                for platform, project, kind, n, last in sorted(found, key=lambda row: (-row[3], -row[4]))]
    marks = ",".join("?" * len(kinds))
    return await db.fetchall(
        "SELECT platform, project, kind, count(DISTINCT reporter) AS reporters, max(updated_at) AS last "
        f"FROM reports WHERE updated_at >= ? AND updated_at < ? AND hidden = 0 AND kind IN ({marks}) "
        "AND project != '' GROUP BY platform, project, kind HAVING count(DISTINCT reporter) >= ? "
        "ORDER BY reporters DESC, last DESC",
        (start, end, *kinds, min_reporters),
    )


async def payment_reports(db: Executor, kinds: Sequence[str], start: int, end: int) -> list[Row | dict]:
    """Payment reports of these kinds in [start, end): platform, kind, distinct reporters."""
    if await activity.answers_for(db, end) and set(kinds) <= set(activity.PAYMENT_KINDS):
        scopes = {activity.kind_scope(platform, kind): (platform, kind)
                  for platform, kind, n in await aggregates.kind_totals(db, kinds) if n > 0}
        people = await activity.people(db, list(scopes), start)
        return [{"platform": scopes[scope][0], "kind": scopes[scope][1], "reporters": n}
                for scope, n in people.items()]
    marks = ",".join("?" * len(kinds))
    return await db.fetchall(
        "SELECT platform, kind, count(DISTINCT reporter) AS reporters FROM reports "
        f"WHERE updated_at >= ? AND updated_at < ? AND hidden = 0 AND kind IN ({marks}) GROUP BY platform, kind",
        (start, end, *kinds),
    )


# The middle one or two pay figures of one platform and span, averaged: its median.
# (The parameters of the SELECT list are CAST: PostgreSQL gives a bare one no type; on SQLite it changes nothing.)
_MIDDLE = ("SELECT CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS INTEGER), (SELECT (min(v) + max(v)) / 2.0 "
           "FROM (SELECT hourly_usd AS v FROM reports "
           "WHERE platform = ? AND kind = 'payrate' AND updated_at >= ? AND updated_at < ? AND hidden = 0 "
           "AND hourly_usd IS NOT NULL ORDER BY hourly_usd LIMIT ? OFFSET ?))")
COUNTED_UP_TO = 100_000  # stored pay figures up to which a window's are counted from the reports, not the bins


async def pay_medians(db: Executor, before_start: int, start: int, end: int, min_n: int = 1,
                      exact_up_to: int = aggregates.EXACT_UP_TO) -> list[tuple[str, int, int, float]]:
    """(platform, recent, n, median hourly USD) of the pay figures in [start, end) (recent 1) and in
    [before_start, start) (recent 0), for each platform with at least `min_n` figures in both spans.

    No figure reaches Python. The counts come from the pay bins (storage/aggregates.py `binned_before`), or, with at
    most COUNTED_UP_TO figures stored, from the reports (counting a few is cheaper than a look-up per bin). A median
    of at most `exact_up_to` figures is exact: the middle one or two, picked by ORDER BY ... LIMIT ... OFFSET on a
    covering index, for every such platform and span in one statement. Above that it is the value of the bin (or
    the mean of the two bins) holding the middle figures, within aggregates.RELATIVE_ERROR (2%) of the exact one.
    """
    binned: dict[str, dict[int, list[int]]] | None = None
    if sum(n for _platform, _kind, n in await aggregates.kind_totals(db, ("payrate",))) <= COUNTED_UP_TO:
        counts = await db.fetchall(
            "SELECT platform, updated_at >= ? AS recent, count(*) AS n FROM reports WHERE updated_at >= ? "
            "AND updated_at < ? AND kind = 'payrate' AND hidden = 0 AND hourly_usd IS NOT NULL "
            "GROUP BY platform, recent", (start, before_start, end))
        n_of = {(platform, int(recent)): n for platform, recent, n in counts}
    else:
        binned = await aggregates.binned_before(db, "payrate", (before_start, start, end))
        n_of = {(platform, recent): sum(c[recent + 1] - c[recent] for c in bins.values())
                for platform, bins in binned.items() for recent in (0, 1)}
    found: list[tuple[str, int, int, float]] = []
    wanted: list[tuple[str, int, int]] = []
    for platform in sorted({platform for platform, _recent in n_of}):
        n = [n_of.get((platform, 0), 0), n_of.get((platform, 1), 0)]
        if min(n) < max(min_n, 1):
            continue
        for recent in (1, 0):
            if n[recent] <= exact_up_to:
                wanted.append((platform, recent, n[recent]))
                continue
            if binned is None:
                binned = await aggregates.binned_before(db, "payrate", (before_start, start, end))
            span = sorted((bin_, c[recent + 1] - c[recent]) for bin_, c in binned[platform].items())
            found.append((platform, recent, n[recent], _binned_median(span, n[recent])))
    found.extend(tuple(row) for row in await fetch_each(db, _MIDDLE, [
        (platform, recent, n, platform, *((start, end) if recent else (before_start, start)), 2 - n % 2, (n - 1) // 2)
        for platform, recent, n in wanted]))
    return found


def _binned_median(bins: list[tuple[int, int]], n: int) -> float:
    """The median of n figures given as (bin, count) in bin order: the middle bin's value, or the two middle ones'
    mean."""
    ranks = sorted({(n - 1) // 2, n // 2})
    values: list[float] = []
    below = 0
    for bin_, count in bins:
        while ranks and ranks[0] < below + count:
            values.append(aggregates.bin_value(bin_) or 0.0)
            ranks.pop(0)
        below += count
    return sum(values) / len(values)


async def payment_problem_reporters(db: Executor, kinds: Sequence[str], start: int, end: int) -> dict[str, int]:
    """Distinct people filing reports of these kinds (late or missing pay) in [start, end), by platform."""
    marks = ",".join("?" * len(kinds))
    rows = await db.fetchall(
        "SELECT platform, count(DISTINCT reporter) FROM reports WHERE updated_at >= ? AND updated_at < ? "
        f"AND hidden = 0 AND kind IN ({marks}) GROUP BY platform",
        (start, end, *kinds),
    )
    return {row[0]: row[1] for row in rows}
