"""SQL for the report aggregates of migration 0016: the reads made of them, and their rebuild from the reports.

Migration 0019's triggers on reports keep them inside every statement that writes a report (a report or its
repeat, a retraction, a hide or unhide, /forget, a clock put right, a bulk load), so a report is still one
statement. Three tables:
- report_hours: visible reports per platform, kind and UTC hour (exact counts);
- report_values: per platform, kind, UTC day, tag and value, how many visible reports gave it (exact figures, so
  medians and quartiles over whole days are exact);
- drought_slots: distinct platform-wide drought reporters in the 6 hours before each whole hour (exact: a change
  to one reporter's drought report is compared with that reporter's other drought reports in reach).
Reads take whole buckets from these tables and the partial buckets at a window's edges from reports, so each
answer is exact and its cost grows with the window's buckets, not with the stored history. `rebuild`
recomputes the tables from the reports (`queuewatch aggregates rebuild`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from storage.database import Database, Executor, Row

HOUR = 3600
DAY = 86400
DROUGHT_SLOT = 6 * HOUR  # the length of a baseline slot: availability's LOOKBACK (a test keeps them equal)
SCHEMA = 16  # the migration that made them
TABLES = ("report_hours", "drought_slots", "report_values")

# The statements that recompute the aggregates from the reports (migration 0016's), each one INSERT .. SELECT ..
# GROUP BY: `{where}` is "platform = ? AND " for one platform, "" for all at once.
PAID_TAG = "CASE WHEN paid IS NULL THEN '' WHEN paid = 0 THEN '0' ELSE '1' END"
_REBUILD = (
    "INSERT INTO report_hours (platform, kind, hour, n) SELECT platform, kind, updated_at - updated_at % 3600, "
    "count(*) FROM reports WHERE {where}hidden = 0 GROUP BY platform, kind, updated_at - updated_at % 3600",
    # Each reporter's drought hours first (one row per reporter and hour), then spread over the 6 slots they lie in.
    "INSERT INTO drought_slots (platform, slot_end, reporters) WITH k(n) AS (VALUES (1), (2), (3), (4), (5), (6)), "
    "h AS (SELECT DISTINCT platform, reporter, updated_at - updated_at % 3600 AS hour FROM reports "
    "WHERE {where}kind = 'drought' AND project = '' AND hidden = 0) "
    "SELECT h.platform, h.hour + k.n * 3600, count(DISTINCT h.reporter) FROM h CROSS JOIN k "
    "GROUP BY h.platform, h.hour + k.n * 3600",
    "INSERT INTO report_values (platform, kind, day, tag, value, n) SELECT platform, kind, "
    "updated_at - updated_at % 86400, coalesce(role, ''), hourly_usd, count(*) FROM reports WHERE {where}"
    "kind = 'payrate' AND hidden = 0 AND hourly_usd IS NOT NULL "
    "GROUP BY platform, kind, updated_at - updated_at % 86400, coalesce(role, ''), hourly_usd",
    "INSERT INTO report_values (platform, kind, day, tag, value, n) SELECT platform, kind, "
    f"updated_at - updated_at % 86400, {PAID_TAG}, coalesce(hours, -1), count(*) FROM reports WHERE {{where}}"
    "kind = 'onboarding' AND hidden = 0 "
    f"GROUP BY platform, kind, updated_at - updated_at % 86400, {PAID_TAG}, coalesce(hours, -1)",
)
REBUILD = tuple(statement.format(where="platform = ? AND ") for statement in _REBUILD)  # one platform: (platform,)
REBUILD_ALL = tuple(statement.format(where="") for statement in _REBUILD)  # every platform at once, no parameters


def _edges(start: int, end: int | None, unit: int) -> tuple[int, int | None, list[tuple[int, int | None]]]:
    """[start, end) as whole buckets [lo, hi) and the partial edges to read from reports (end None: unbounded)."""
    lo = -(-start // unit) * unit
    hi = None if end is None else end - end % unit
    if hi is not None and lo >= hi:
        return lo, lo, [(start, end)]
    edges: list[tuple[int, int | None]] = [(start, lo)] if start < lo else []
    if hi is not None and hi < end:
        edges.append((hi, end))
    return lo, hi, edges


def _time_filter(edges: list[tuple[int, int | None]], column: str = "updated_at") -> tuple[str, tuple]:
    if not edges:
        return "0 = 1", ()
    parts, params = [], []
    for a, b in edges:
        parts.append(f"({column} >= ?" + (f" AND {column} < ?)" if b is not None else ")"))
        params += [a] if b is None else [a, b]
    return "(" + " OR ".join(parts) + ")", tuple(params)


async def kind_counts(db: Executor, platform: str, kinds: Sequence[str], recent_since: int) -> list[Row]:
    """Per kind with visible reports: (kind, total, recent): all time from report_totals, since `recent_since`
    from report_hours' whole hours and the reports of the partial hour before them."""
    lo, _hi, edges = _edges(recent_since, None, HOUR)
    where, params = _time_filter(edges, "r.updated_at")
    marks = ",".join("?" * len(kinds))
    return await db.fetchall(
        "SELECT t.kind, t.n AS total, (SELECT coalesce(sum(h.n), 0) FROM report_hours h WHERE h.platform = t.platform "
        "AND h.kind = t.kind AND h.hour >= ?) + (SELECT count(*) FROM reports r WHERE r.platform = t.platform "
        f"AND r.kind = t.kind AND {where} AND r.hidden = 0) AS recent FROM report_totals t "
        f"WHERE t.platform = ? AND t.kind IN ({marks}) AND t.n > 0",
        (lo, *params, platform, *kinds),
    )


ALL_TAGS = "*"  # the tag of every figure together (all roles)


async def figures(db: Executor, platform: str, kind: str, since: int) -> list[tuple]:
    """What the quartiles and median of a platform's payrate or onboarding figures updated since `since` need, per
    tag and for every tag together (ALL_TAGS):

    - rank rows (tag, value, below, n, total): the distinct figures (value >= 0; onboarding's -1 is "no hours")
      holding the ranks floor((total - 1) * q) and the one after, for q = 1/4, 2/4, 3/4, with how many figures of
      the tag are below them (`below`) and in all (`total`);
    - count rows (tag, NULL, NULL, NULL, total): every report of the tag, counted.
    Whole days come from report_values, the partial day before them from reports; SQL merges them into one row per
    tag and distinct figure (in order), and the ranks are walked here: a window function over the same rows cost
    SQLite 10-30 times as much as the grouping itself.
    """
    lo, _hi, edges = _edges(since, None, DAY)
    where, params = _time_filter(edges)
    if kind == "payrate":
        raw = ("SELECT coalesce(role, '') AS tag, hourly_usd AS value, count(*) AS n FROM reports WHERE platform = ? "
               f"AND kind = 'payrate' AND {where} AND hidden = 0 AND hourly_usd IS NOT NULL "
               "GROUP BY coalesce(role, ''), hourly_usd")
    else:
        raw = (f"SELECT {PAID_TAG} AS tag, coalesce(hours, -1) AS value, count(*) AS n FROM reports "
               f"WHERE platform = ? AND kind = 'onboarding' AND {where} AND hidden = 0 "
               f"GROUP BY {PAID_TAG}, coalesce(hours, -1)")
    merged = await db.fetchall(
        "SELECT tag, value, sum(n) AS n FROM (SELECT tag, value, n FROM report_values WHERE platform = ? AND kind = ? "
        f"AND day >= ? UNION ALL {raw}) AS found GROUP BY tag, value HAVING sum(n) > 0 ORDER BY tag, value",
        (platform, kind, lo, platform, *params),
    )
    counted: dict[str, int] = {}
    by_tag: dict[str, list[tuple[float, int]]] = {}
    everyone: dict[float, int] = {}
    for tag, value, n in merged:
        counted[tag] = counted.get(tag, 0) + n
        if value >= 0:
            by_tag.setdefault(tag, []).append((value, n))
            everyone[value] = everyone.get(value, 0) + n
    if everyone:
        by_tag[ALL_TAGS] = sorted(everyone.items())
    rows: list[tuple] = []
    for tag, values in by_tag.items():
        total = sum(n for _value, n in values)
        wanted = {rank for k in (1, 2, 3) for base in [(total - 1) * k // 4] for rank in (base, base + 1)}
        below = 0
        for value, n in values:
            if any(below <= rank < below + n for rank in wanted):
                rows.append((tag, value, below, n, total))
            below += n
    rows += [(tag, None, None, None, total) for tag, total in counted.items()]
    return rows


async def drought_reporters_at(db: Executor, platform: str | None, ends: Sequence[int]) -> list[Row]:
    """Per platform: the sum over these whole hours of the distinct drought reporters in the 6 hours before each."""
    where, params = ("platform = ? AND ", (platform,)) if platform is not None else ("", ())
    return await db.fetchall(
        f"SELECT platform, sum(reporters) AS reporters FROM drought_slots WHERE {where}"
        f"slot_end IN ({','.join('?' * len(ends))}) GROUP BY platform HAVING sum(reporters) > 0",
        (*params, *ends),
    )


async def counts_by_span(db: Executor, bounds: Sequence[int]) -> list[Row]:
    """Per platform and span: visible reports, span i being [bounds[i], bounds[i + 1]) (platform, span, reports).

    Whole hours come from report_hours, the partial hours at each cut from reports.
    """
    whole: list[tuple[int, int, int]] = []
    edges: list[tuple[int, int, int]] = []
    for i in range(len(bounds) - 1):
        lo, hi, parts = _edges(bounds[i], bounds[i + 1], HOUR)
        if hi is not None and lo < hi:
            whole.append((i, lo, hi))
        edges += [(i, a, b) for a, b in parts if b is not None]
    selects: list[str] = []
    params: list[int] = []
    if whole:
        span = "CASE " + " ".join("WHEN hour >= ? AND hour < ? THEN CAST(? AS INTEGER)" for _ in whole) + " END"
        selects.append(f"SELECT platform, {span} AS span, n FROM report_hours WHERE hour >= ? AND hour < ?")
        params += [v for i, lo, hi in whole for v in (lo, hi, i)] + [whole[0][1], whole[-1][2]]
    if edges:
        span = ("CASE " + " ".join("WHEN updated_at >= ? AND updated_at < ? THEN CAST(? AS INTEGER)" for _ in edges)
                + " END")  # typed: PostgreSQL gives a bare parameter in a CASE no type
        where, where_params = _time_filter([(a, b) for _i, a, b in edges])
        selects.append(f"SELECT platform, {span} AS span, 1 AS n FROM reports WHERE {where} AND hidden = 0")
        params += [v for i, a, b in edges for v in (a, b, i)] + list(where_params)
    if not selects:
        return []
    return await db.fetchall(
        f"SELECT platform, span, sum(n) AS reports FROM ({' UNION ALL '.join(selects)}) AS found "
        "WHERE span IS NOT NULL GROUP BY platform, span HAVING sum(n) > 0",
        params,
    )


async def snapshot(db: Executor) -> dict[str, set[tuple]]:
    """Every non-empty aggregate row, per table (to compare what was kept with what a rebuild gives)."""
    found: dict[str, set[tuple]] = {}
    for table, count in (("report_hours", "n"), ("drought_slots", "reporters"), ("report_values", "n")):
        rows = await db.fetchall(f"SELECT * FROM {table} WHERE {count} != 0")
        found[table] = {tuple(row) for row in rows}
    return found


async def platforms(db: Executor) -> list[str]:
    """Every platform with stored reports or aggregates (what a rebuild walks)."""
    rows = await db.fetchall("SELECT platform FROM report_totals UNION SELECT platform FROM report_hours "
                             "UNION SELECT platform FROM drought_slots UNION SELECT platform FROM report_values")
    return sorted(row[0] for row in rows)


async def rebuild_platform(db: Database, platform: str) -> None:
    """Recompute one platform's aggregates from its reports (in one transaction, so writers see either)."""
    async with db.transaction() as tx:
        for table in TABLES:
            await tx.execute(f"DELETE FROM {table} WHERE platform = ?", (platform,))
        for statement in REBUILD:
            await tx.execute(statement, (platform,))


async def rebuild(db: Database, done: Callable[[str], None] | None = None) -> int:
    """Recompute every platform's aggregates from the reports, one platform per transaction; returns how many
    platforms (`done` is told each one as it is finished). On a schema before them, nothing: migration 0016
    fills them."""
    if await db.schema_version() < SCHEMA:
        return 0
    found = await platforms(db)
    for platform in found:
        await rebuild_platform(db, platform)
        if done is not None:
            done(platform)
    return len(found)
