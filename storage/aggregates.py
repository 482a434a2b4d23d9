"""SQL for the report aggregates of migrations 0016 and 0021: the reads made of them, and their rebuild from the
reports.

Triggers on reports (migrations 0019 and 0021) keep them inside every statement that writes a report (a report or
its repeat, a retraction, a hide or unhide, /forget, a clock put right, a bulk load), so a report is still one
statement. The tables:
- report_hours: visible reports per platform, kind and UTC hour (exact counts);
- drought_slots: distinct platform-wide drought reporters in the 6 hours before each whole hour (exact: a change
  to one reporter's drought report is compared with that reporter's other drought reports in reach);
- report_bins and report_bin_totals: the pay and onboarding figures in log-scale bins, per platform, kind, tag,
  bin and UTC hour with a running count per bin, and per bin in all (see `figures` for what that buys and costs).
Reads take whole buckets from these tables and the partial buckets at a window's edges from reports, so each
count is exact and its cost grows with the window's buckets (or the bins), not with the stored history.
`rebuild` recomputes the tables from the reports (`queuewatch aggregates rebuild`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from storage.database import Database, Executor, Row, one_of

HOUR = 3600
DAY = 86400
DROUGHT_SLOT = 6 * HOUR  # the length of a baseline slot: availability's LOOKBACK (a test keeps them equal)
SCHEMA = 21  # the migration that made the last of them
TABLES = ("report_hours", "drought_slots", "report_bins", "report_bin_totals")

# The bins of a figure v > 0: bin i = ceil(ln(v) / ln(GAMMA)) holds (GAMMA^(i-1), GAMMA^i] and stands for
# 2 GAMMA^i / (GAMMA + 1), whose distance from any figure in the bin is at most RELATIVE_ERROR of that figure;
# a percentile interpolated between two bins' values is as close to the one of the figures (a weighted mean of
# values each within 2%). From $0.50 to $300 an hour that is at most 161 bins per tag (0.25 to 200 onboarding
# hours: 168), whatever the history. (Error against cost: at 1% a read looked up twice as many bins and took
# 3.3 ms of CPU at 1M reports where 2% takes 1.6 ms.)
GAMMA = 51 / 49
RELATIVE_ERROR = (GAMMA - 1) / (GAMMA + 1)  # 0.02
ZERO_BIN = -999_999  # the figure 0
NO_FIGURE = -1_000_000  # a report without a figure (onboarding without hours): counted, never ranked
ANY_BIN = 1_000_000  # every report of the tag, a figure or not: its count, for a tag whose figures are not wanted
EXACT_UP_TO = 200  # a window of at most this many reports is read exactly from the reports themselves
VALUE_OF = {"payrate": "hourly_usd", "onboarding": "coalesce(hours, -1)"}  # the figure, -1 when not given

# The statements that recompute the aggregates from the reports (migration 0016's), each one INSERT .. SELECT ..
# GROUP BY: `{where}` is "platform = ? AND " for one platform, "" for all at once.
PAID_TAG = "CASE WHEN paid IS NULL THEN '' WHEN paid = 0 THEN '0' ELSE '1' END"
TAG_OF = {"payrate": "coalesce(role, '')", "onboarding": PAID_TAG}
COUNTED = {"payrate": " AND hourly_usd IS NOT NULL", "onboarding": ""}  # a payrate report without a figure is left out


def bin_of(value: str) -> str:
    """The SQL of a figure's bin (as migration 0021's triggers compute it)."""
    return (f"CASE WHEN {value} > 0 THEN CAST(ceil(ln({value}) / ln(CAST(51 AS DOUBLE PRECISION) / 49)) AS INTEGER) "
            f"WHEN {value} = 0 THEN {ZERO_BIN} ELSE {NO_FIGURE} END")


_REBUILD = (
    "INSERT INTO report_hours (platform, kind, hour, n) SELECT platform, kind, updated_at - updated_at % 3600, "
    "count(*) FROM reports WHERE {where}hidden = 0 GROUP BY platform, kind, updated_at - updated_at % 3600",
    # Each reporter's drought hours first (one row per reporter and hour), then spread over the 6 slots they lie in.
    "INSERT INTO drought_slots (platform, slot_end, reporters) WITH k(n) AS (VALUES (1), (2), (3), (4), (5), (6)), "
    "h AS (SELECT DISTINCT platform, reporter, updated_at - updated_at % 3600 AS hour FROM reports "
    "WHERE {where}kind = 'drought' AND project = '' AND hidden = 0) "
    "SELECT h.platform, h.hour + k.n * 3600, count(DISTINCT h.reporter) FROM h CROSS JOIN k "
    "GROUP BY h.platform, h.hour + k.n * 3600",
    # Per kind: each figure's bin, and ANY_BIN (every report of the tag), per hour, with the running counts.
    *("INSERT INTO report_bins (platform, kind, tag, bin, hour, n, n_upto) SELECT platform, kind, tag, bin, hour, "
      "n, sum(n) OVER (PARTITION BY platform, kind, tag, bin ORDER BY hour) FROM ("
      + " UNION ALL ".join(
          f"SELECT platform, kind, {TAG_OF[kind]} AS tag, {bin_sql} AS bin, updated_at - updated_at % 3600 AS hour, "
          f"count(*) AS n FROM reports WHERE {{where}}kind = '{kind}' AND hidden = 0{COUNTED[kind]} "
          "GROUP BY 1, 2, 3, 4, 5" for bin_sql in (bin_of(VALUE_OF[kind]), str(ANY_BIN)))
      + ") AS counted" for kind in VALUE_OF),
    "INSERT INTO report_bin_totals (platform, kind, tag, bin, n) SELECT platform, kind, tag, bin, sum(n) "
    "FROM report_bins WHERE {where}n > 0 GROUP BY platform, kind, tag, bin",
)
# One platform: the platform for each `?`.
REBUILD = tuple(statement.format(where="platform = ? AND ") for statement in _REBUILD)
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


def bin_value(bin_: int) -> float | None:
    """The figure a bin stands for (None: the bin of reports without a figure)."""
    if bin_ == NO_FIGURE:
        return None
    return 0.0 if bin_ == ZERO_BIN else 2 * GAMMA ** bin_ / (GAMMA + 1)


async def figures(db: Executor, platform: str, kind: str, since: int, ranked: Collection[str] | None = None,
                  exact_up_to: int = EXACT_UP_TO) -> list[tuple]:
    """What the quartiles and median of a platform's payrate or onboarding figures updated since `since` need, per
    tag in `ranked` (None: every tag, and every tag together as ALL_TAGS):

    - rank rows (tag, value, below, n, total): the distinct figures (value >= 0; onboarding's -1 is "no hours")
      holding the ranks floor((total - 1) * q) and the one after, for q = 1/4, 2/4, 3/4, with how many figures of
      the tag are below them (`below`) and in all (`total`);
    - count rows (tag, NULL, NULL, NULL, total): every report of every tag, counted.
    The counts are exact. The figures are exact while the window holds at most `exact_up_to` reports (read from
    the reports); above that they are the values of their bins, each within RELATIVE_ERROR (2%) of the figure, so
    each quartile is too. The bins' counts from hour `lo` on are one look-up per bin in report_bins (a bin's total
    less its running count before `lo`), the part of an hour before `lo` comes from the reports: the cost grows
    with the bins of the ranked tags (at most 161 per tag for pay, 168 for onboarding hours) and one per other
    tag, not with the reports in the window or the stored history.
    """
    lo = -(-since // HOUR) * HOUR
    tag_sql, value_sql = TAG_OF[kind], VALUE_OF[kind]
    wanted = (lambda tag: True) if ranked is None else set(ranked).__contains__
    among, tags = ("", ()) if ranked is None else one_of(db.dialect, "t.tag", ranked)
    only = among and f" AND (t.bin = {ANY_BIN} OR {among})"
    reports = (f"FROM reports WHERE platform = ? AND kind = ? AND updated_at >= ? {{before}}AND hidden = 0"
               f"{COUNTED[kind]} GROUP BY {{by}}")
    edge = reports.format(before="AND updated_at < ? ", by="1")
    parts = await db.fetchall(  # (the parts are summed here: a GROUP BY over them in SQL costs more than the sum)
        "SELECT t.tag, t.bin, t.n - coalesce((SELECT b.n_upto FROM report_bins b "
        "WHERE b.platform = t.platform AND b.kind = t.kind AND b.tag = t.tag AND b.bin = t.bin AND b.hour < ? "
        "ORDER BY b.hour DESC LIMIT 1), 0) AS n FROM report_bin_totals t WHERE t.platform = ? AND t.kind = ? "
        f"AND t.bin > {NO_FIGURE}{only} "
        f"UNION ALL SELECT {tag_sql} AS tag, {bin_of(value_sql)} AS bin, count(*) AS n "
        + reports.format(before="AND updated_at < ? ", by="1, 2")
        + f" UNION ALL SELECT {tag_sql} AS tag, {ANY_BIN} AS bin, count(*) AS n {edge}",
        (lo, platform, kind, *tags, platform, kind, since, lo, platform, kind, since, lo),
    )
    binned: dict[tuple[str, int], int] = {}
    for tag, bin_, n in parts:
        binned[(tag, bin_)] = binned.get((tag, bin_), 0) + n
    counted: dict[str, int] = {}
    per_tag: dict[str, list[tuple[int, int]]] = {}
    for (tag, bin_), n in sorted(binned.items()):
        if bin_ == ANY_BIN:
            counted[tag] = n
        elif n > 0 and bin_ != NO_FIGURE and wanted(tag):
            per_tag.setdefault(tag, []).append((bin_, n))
    if sum(counted.values()) > exact_up_to:
        return _ranks(counted, per_tag, bin_value, everyone=ranked is None)
    exact = await db.fetchall(f"SELECT {tag_sql} AS tag, {value_sql} AS value, count(*) AS n "
                              + reports.format(before="", by="1, 2") + " ORDER BY 1, 2", (platform, kind, since))
    counted, per_tag = {}, {}
    for tag, value, n in exact:
        counted[tag] = counted.get(tag, 0) + n
        if value >= 0 and wanted(tag):
            per_tag.setdefault(tag, []).append((float(value), n))
    return _ranks(counted, per_tag, float, everyone=ranked is None)


async def binned_before(db: Executor, kind: str, cuts: Sequence[int]) -> dict[str, dict[int, list[int]]]:
    """Per platform and figure bin of `kind` (every tag together): how many visible reports with a figure were
    updated before each cut ({platform: {bin: [before cuts[0], before cuts[1], ...]}}; bins of no reports left out).

    A cut's count is a bin's running count at its last hour before the cut's hour (one look-up per platform, tag and
    bin) plus the reports of the cut's own hour before it; a last cut after every report of the kind is the total.
    """
    whole = await db.fetchone(f"SELECT 1 FROM reports WHERE kind = ? AND updated_at >= ? AND hidden = 0"
                              f"{COUNTED[kind]} LIMIT 1", (kind, cuts[-1])) is None
    seeked = list(cuts[:-1] if whole else cuts)
    seeks = "".join(", coalesce((SELECT b.n_upto FROM report_bins b WHERE b.platform = t.platform AND b.kind = t.kind "
                    "AND b.tag = t.tag AND b.bin = t.bin AND b.hour < ? ORDER BY b.hour DESC LIMIT 1), 0)"
                    for _cut in seeked)
    rows = await db.fetchall(f"SELECT t.platform, t.bin, t.n{seeks} FROM report_bin_totals t "
                             "WHERE t.platform IN (SELECT platform FROM report_totals WHERE kind = ? AND n > 0) "
                             f"AND t.kind = ? AND t.bin > {NO_FIGURE} AND t.bin != {ANY_BIN}",
                             (*(cut - cut % HOUR for cut in seeked), kind, kind))
    found: dict[str, dict[int, list[int]]] = {}
    for platform, bin_, total, *before in rows:
        counts = found.setdefault(platform, {}).setdefault(bin_, [0] * len(cuts))
        for i, n in enumerate([*before, total] if whole else before):
            counts[i] += n
    if seeked:
        partial = " UNION ALL ".join(
            f"SELECT CAST(? AS INTEGER), platform, {bin_of(VALUE_OF[kind])}, count(*) FROM reports WHERE kind = ? "
            f"AND updated_at >= ? AND updated_at < ? AND hidden = 0{COUNTED[kind]} GROUP BY 2, 3" for _cut in seeked)
        params = [v for i, cut in enumerate(seeked) for v in (i, kind, cut - cut % HOUR, cut)]
        for i, platform, bin_, n in await db.fetchall(partial, params):
            found.setdefault(platform, {}).setdefault(bin_, [0] * len(cuts))[i] += n
    return found


def _ranks(counted: dict[str, int], per_tag: dict[str, list], figure_of: Callable, everyone: bool) -> list[tuple]:
    """The count rows of `figures`, and its rank rows from each tag's keys in order (a bin or a figure, with how
    many reports gave it; `figure_of` tells a key's figure); `everyone`: the rank rows of every tag together too."""
    rows: list[tuple] = [(tag, None, None, None, n) for tag, n in counted.items() if n > 0]
    together: dict = {}
    for tag, keys in per_tag.items():
        rows += _ranked(tag, keys, figure_of)
        if everyone:
            for key, n in keys:
                together[key] = together.get(key, 0) + n
    return rows + (_ranked(ALL_TAGS, sorted(together.items()), figure_of) if everyone else [])


def _ranked(tag: str, ranked: list[tuple], figure_of: Callable) -> list[tuple]:
    """Of a tag's keys in order and their counts, the ones holding the ranks the quartiles need (see `figures`)."""
    total = sum(n for _key, n in ranked)
    wanted = sorted({rank for k in (1, 2, 3) for base in [(total - 1) * k // 4] for rank in (base, base + 1)})
    rows: list[tuple] = []
    below = 0
    for key, n in ranked:
        if wanted and wanted[0] < below + n:
            rows.append((tag, figure_of(key), below, n, total))
            while wanted and wanted[0] < below + n:
                wanted.pop(0)
        below += n
        if not wanted:
            break
    return rows


async def drought_reporters_at(db: Executor, platform: str | None, ends: Sequence[int]) -> list[Row]:
    """Per platform: the sum over these whole hours of the distinct drought reporters in the 6 hours before each."""
    where, params = ("platform = ? AND ", (platform,)) if platform is not None else ("", ())
    return await db.fetchall(
        f"SELECT platform, sum(reporters) AS reporters FROM drought_slots WHERE {where}"
        f"slot_end IN ({','.join('?' * len(ends))}) GROUP BY platform HAVING sum(reporters) > 0",
        (*params, *ends),
    )


async def counts_by_span(db: Executor, bounds: Sequence[int]) -> list[tuple[str, int, int]]:
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
    found: dict[tuple[str, int], int] = {}
    if whole:
        span_of = "CASE " + " ".join("WHEN hour >= ? AND hour < ? THEN CAST(? AS INTEGER)" for _ in whole) + " END"
        rows = await db.fetchall(  # (summed per hour first, in the order of the hour index: no sort of every row)
            f"SELECT platform, {span_of} AS span, sum(n) FROM (SELECT platform, hour, sum(n) AS n FROM report_hours "
            "WHERE hour >= ? AND hour < ? GROUP BY hour, platform) AS h GROUP BY 1, 2",
            [v for i, lo, hi in whole for v in (lo, hi, i)] + [whole[0][1], whole[-1][2]])
        for platform, span, n in rows:
            if span is not None:
                found[(platform, span)] = int(n)
    if edges:
        span_of = ("CASE " + " ".join("WHEN updated_at >= ? AND updated_at < ? THEN CAST(? AS INTEGER)" for _ in edges)
                   + " END")  # typed: PostgreSQL gives a bare parameter in a CASE no type
        where, where_params = _time_filter([(a, b) for _i, a, b in edges])
        rows = await db.fetchall(
            f"SELECT platform, {span_of} AS span, count(*) FROM reports WHERE {where} AND hidden = 0 GROUP BY 1, 2",
            [v for i, a, b in edges for v in (a, b, i)] + list(where_params))
        for platform, span, n in rows:
            if span is not None:
                found[(platform, span)] = found.get((platform, span), 0) + int(n)
    return [(platform, span, n) for (platform, span), n in found.items() if n > 0]


async def snapshot(db: Executor) -> dict[str, set[tuple]]:
    """Every non-empty aggregate row, per table (to compare what was kept with what a rebuild gives)."""
    found: dict[str, set[tuple]] = {}
    for table, count in (("report_hours", "n"), ("drought_slots", "reporters"), ("report_bins", "n"),
                         ("report_bin_totals", "n")):
        rows = await db.fetchall(f"SELECT * FROM {table} WHERE {count} != 0")
        found[table] = {tuple(row) for row in rows}
    return found


async def kind_totals(db: Executor, kinds: Sequence[str]) -> list[tuple[str, str, int]]:
    """(platform, kind, visible reports in all) of these kinds, from report_totals (a row per platform and kind)."""
    marks = ",".join("?" * len(kinds))
    rows = await db.fetchall(f"SELECT platform, kind, n FROM report_totals WHERE kind IN ({marks})", tuple(kinds))
    return [(row[0], row[1], int(row[2])) for row in rows]


async def platforms(db: Executor) -> list[str]:
    """Every platform with stored reports or aggregates (what a rebuild walks)."""
    rows = await db.fetchall("SELECT platform FROM report_totals UNION SELECT platform FROM report_hours "
                             "UNION SELECT platform FROM drought_slots UNION SELECT platform FROM report_bin_totals")
    return sorted(row[0] for row in rows)


async def rebuild_platform(db: Database, platform: str) -> None:
    """Recompute one platform's aggregates from its reports (in one transaction, so writers see either)."""
    async with db.transaction() as tx:
        for table in TABLES:
            await tx.execute(f"DELETE FROM {table} WHERE platform = ?", (platform,))
        for statement in REBUILD:
            await tx.execute(statement, (platform,) * statement.count("?"))


async def rebuild(db: Database, done: Callable[[str], None] | None = None) -> int:
    """Recompute every platform's aggregates from the reports, one platform per transaction; returns how many
    platforms (`done` is told each one as it is finished). On a schema before them, nothing: migrations 0016
    and 0021 fill them."""
    if await db.schema_version() < SCHEMA:
        return 0
    found = await platforms(db)
    for platform in found:
        await rebuild_platform(db, platform)
        if done is not None:
            done(platform)
    return len(found)
