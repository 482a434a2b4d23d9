"""The implementations issue 15 replaced, kept verbatim as references: tests compare the new code with them and
benchmarks/hotspots.py measures them side by side. Not used by the bot."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from statistics import median

from bot.features.availability.brigading import BURST_SIZE, BURST_WINDOW, Arrival
from storage.database import one_of

# --- the brigading rule: a window rebuilt (and its reporters counted) for every newcomer: O(n^2) in a burst


def split_confirmed_quadratic(arrivals: Iterable[Arrival]) -> tuple[list[Arrival], list[Arrival]]:
    """(confirmed, unconfirmed) for one platform, as before issue 15."""
    ordered = sorted(arrivals, key=lambda a: a.at)
    newcomers = [a for a in ordered if a.new]
    flagged: set[int] = set()
    end = 0
    for start, first in enumerate(newcomers):
        end = max(end, start)
        while end + 1 < len(newcomers) and newcomers[end + 1].at - first.at <= BURST_WINDOW:
            end += 1
        window = newcomers[start:end + 1]
        if len({a.reporter for a in window}) >= BURST_SIZE:
            flagged.update(id(a) for a in window)
    return [a for a in ordered if id(a) not in flagged], [a for a in ordered if id(a) in flagged]


# --- first-seen times: a scan of each reporter's whole history


async def first_seen_by_scan(db, reporters: Sequence[str]) -> dict[tuple[str, str | None], int]:
    """(reporter, community) -> earliest created_at over the reporter's stored reports."""
    found: dict[tuple[str, str | None], int] = {}
    among, params = one_of(db.dialect, "reporter", reporters)
    for row in await db.fetchall(
        f"SELECT reporter, community, MIN(created_at) AS first FROM reports WHERE {among} GROUP BY reporter, community",
        params,
    ):
        found[(row["reporter"], row["community"])] = int(row["first"])
    return found


# --- window queries that read all history


async def kind_counts_by_scan(db, platform: str, kinds: Sequence[str], recent_since: int) -> dict[str, tuple]:
    """kind -> (total, recent) counted over every visible report."""
    marks = ", ".join("?" for _ in kinds)
    rows = await db.fetchall(
        "SELECT kind, count(*) AS total, count(*) FILTER (WHERE updated_at >= ?) AS recent FROM reports "
        f"WHERE platform = ? AND kind IN ({marks}) AND hidden = 0 GROUP BY kind",
        (recent_since, platform, *kinds),
    )
    return {row[0]: (row[1], row[2]) for row in rows}


async def latest_states_by_scan(db, before: int) -> dict[str, tuple]:
    """platform -> (platform, new_state, at, reporters, confidence) read from every status event."""
    rows = await db.fetchall(
        "SELECT s.platform, s.new_state, s.at, s.reporters, s.confidence FROM status_events s "
        "JOIN (SELECT platform, max(at) AS at FROM status_events WHERE project = '' AND at < ? GROUP BY platform) m "
        "ON s.platform = m.platform AND s.at = m.at WHERE s.project = '' ORDER BY s.id",
        (before,),
    )
    return {row["platform"]: tuple(row) for row in rows}


async def pay_moves_in_python(db, start: int, end: int, payback: int, min_n: int, min_move: float) -> list[tuple]:
    """(platform, median now, median before, n now, n before) of moves, every figure brought into Python."""
    rows = await db.fetchall(
        "SELECT platform, updated_at, hourly_usd FROM reports WHERE updated_at >= ? AND updated_at < ? "
        "AND hidden = 0 AND kind = 'payrate' AND hourly_usd IS NOT NULL",
        (start - payback, end),
    )
    now_values: dict[str, list[float]] = defaultdict(list)
    before_values: dict[str, list[float]] = defaultdict(list)
    for platform_id, at, usd in rows:
        (now_values if at >= start else before_values)[platform_id].append(usd)
    moves = []
    for platform_id, values in now_values.items():
        before = before_values.get(platform_id, [])
        if len(values) < min_n or len(before) < min_n:
            continue
        now_median, before_median = median(values), median(before)
        if before_median > 0 and abs(now_median / before_median - 1) >= min_move:
            moves.append((platform_id, now_median, before_median, len(values), len(before)))
    return sorted(moves)


async def onboarding_hours_unbounded(db, platform: str) -> list[tuple]:
    """Per paid: onboarding reports of all time and their hours (the query before issue 15)."""
    concat = "string_agg(hours::text, ',')" if db.dialect == "postgresql" else "group_concat(hours)"
    rows = await db.fetchall(
        f"SELECT paid, count(*) AS n, {concat} AS hours FROM reports "
        "WHERE platform = ? AND kind = 'onboarding' AND hidden = 0 GROUP BY paid",
        (platform,),
    )
    return [tuple(row) for row in rows]


# --- the trust settle's write: one awaited INSERT per reporter inside one transaction

ADD_TRUST_BEFORE = (
    "INSERT INTO reporter_trust (reporter, first_seen, agreements, contradictions, updated_at) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (reporter) DO UPDATE SET "
    "first_seen = MIN(first_seen, excluded.first_seen), agreements = agreements + excluded.agreements, "
    "contradictions = contradictions + excluded.contradictions, updated_at = excluded.updated_at"
)


async def write_trust_row_by_row(db, rows: Sequence[tuple], watermark: str) -> None:
    """The settle's write as before issue 15: every reporter's UPSERT awaited inside BEGIN IMMEDIATE."""
    from storage import meta

    async with db.transaction() as tx:
        for row in rows:
            await tx.execute(ADD_TRUST_BEFORE, row)
        await meta.put(tx, "trust_settled_until", watermark)


# --- the trust settle as a whole: 30 days judged with a linear walk of the timeline, then the row-by-row write


def states_during_linear(timeline: list[tuple[int, str]], start: int, end: int) -> set[str]:
    """Every state in force during [start, end], walking the whole timeline (before issue 15)."""
    states: set[str] = set()
    current: str | None = None
    for at, state in timeline:
        if at <= start:
            current = state
        elif at <= end:
            states.add(state)
    if current is not None:
        states.add(current)
    return states


async def settle_before(db, now: int) -> tuple[int, float]:
    """The settle before issue 15 on a database; returns (judged days, seconds the write lock was held)."""
    import time

    from bot.features.availability.trust import (
        CLAIMS,
        DAY,
        FIRST_SETTLE_LOOKBACK,
        SETTLE_AFTER,
        SETTLED_META_KEY,
        judge,
    )
    from storage import trust as trust_store

    until = now - SETTLE_AFTER
    stored = await db.get_meta(SETTLED_META_KEY)
    since = int(stored) if stored else until - FIRST_SETTLE_LOOKBACK
    if until <= since:
        return 0, 0.0
    rows = await trust_store.judgeable_reports(db, tuple(CLAIMS), since, until)
    timelines = {}
    for platform in {r["platform"] for r in rows}:
        events = await trust_store.platform_states(db, platform, since, until + SETTLE_AFTER)
        timelines[platform] = [(r["at"], r["new_state"]) for r in events]
    days: dict[tuple[str, str, int], set[str]] = defaultdict(set)
    first: dict[str, int] = {}
    for row in rows:
        at = row["updated_at"]
        verdict = judge(CLAIMS[row["kind"]], states_during_linear(timelines[row["platform"]], at, at + SETTLE_AFTER))
        first[row["reporter"]] = min(first.get(row["reporter"], at), at)
        if verdict:
            days[(row["reporter"], row["platform"], at // DAY)].add(verdict)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (reporter, _platform, _day), verdicts in days.items():
        totals[reporter][1 if "contradiction" in verdicts else 0] += 1
    started = time.perf_counter()
    await write_trust_row_by_row(db, [(r, first[r], a, c, now) for r, (a, c) in totals.items()], str(until))
    return sum(a + c for a, c in totals.values()), time.perf_counter() - started
