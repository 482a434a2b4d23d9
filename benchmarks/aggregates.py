"""Benchmark: the reads migration 0016's aggregates serve, before (the scans they replace) and after, on one database.

    .venv/bin/python benchmarks/aggregates.py [--reports 100000 1000000]

It takes benchmarks/hotspots.py's generated database (schema 12; cached under benchmarks/.cache/), migrates a copy to
the current schema (timed: 0014-0016 fill their tables from the reports), and measures on it the replaced SQL and
the bot's code side by side, with a moving clock. The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.hotspots import NOW, PLATFORMS, copy, database_for
from bot.core.clock import ManualClock, unix
from bot.features.availability import trust
from bot.features.availability.status import baseline_slots
from bot.features.digest.build import build_digest, day_bounds
from bot.features.reports.kinds import PAYMENT_KINDS
from bot.features.reports.pay import ONBOARDING_SPAN, PAY_SPAN, crowd_pay, percentile
from bot.features.reports.recording import window_start
from bot.settings import load_settings
from bot.wiring import build_app
from storage import digest_queries
from storage import reports as store

# The statements migration 0016's aggregates replaced (as on main before it).
OLD_BASELINE = (
    "WITH slots(start, stop) AS (VALUES {values}) SELECT r.platform AS platform, "
    "count(DISTINCT s.start || ':' || r.reporter) AS reporters FROM slots s JOIN reports r ON r.kind = 'drought' "
    "AND r.updated_at >= s.start AND r.updated_at < s.stop AND r.hidden = 0 AND r.project = '' GROUP BY r.platform")
OLD_PAY = ("SELECT coalesce(role, '') AS role, group_concat(hourly_usd) AS amounts FROM reports WHERE platform = ? "
           "AND kind = 'payrate' AND updated_at >= ? AND hidden = 0 AND hourly_usd IS NOT NULL GROUP BY role")
OLD_ONBOARDING = ("SELECT paid, count(*) AS n, group_concat(hours) AS hours FROM reports WHERE platform = ? "
                  "AND kind = 'onboarding' AND hidden = 0 AND updated_at >= ? GROUP BY paid")
OLD_KIND_COUNTS = (
    "SELECT t.kind, t.n AS total, (SELECT count(*) FROM reports r WHERE r.platform = t.platform "
    "AND r.kind = t.kind AND r.updated_at >= ? AND r.hidden = 0) AS recent FROM report_totals t "
    "WHERE t.platform = ? AND t.kind IN ({marks}) AND t.n > 0")
OLD_DAILY = ("SELECT platform, {day} AS day, count(*) AS reports FROM reports WHERE updated_at >= ? AND updated_at < ? "
             "AND hidden = 0 GROUP BY platform, day")


async def samples_ms(make: Callable[[], Awaitable[object]], runs: int) -> list[float]:
    """Wall times of `runs` awaited calls, in milliseconds."""
    found = []
    for _ in range(runs):
        started = time.perf_counter()
        await make()
        found.append((time.perf_counter() - started) * 1000)
    return found


def p50_p99(values: list[float]) -> list[float]:
    ordered = sorted(values)
    return [round(statistics.median(ordered), 3), round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 3)]


async def old_crowd_pay(db, platform: str, now: int) -> tuple:
    """/pay's crowd figures as main computed them: every figure to Python, sorted there."""
    by_role = {role: sorted(float(v) for v in amounts.split(","))
               for role, amounts in await db.fetchall(OLD_PAY, (platform, now - PAY_SPAN))}
    everyone = sorted(v for values in by_role.values() for v in values)
    figures = [percentile(everyone, f) for f in (0.25, 0.5, 0.75)] if len(everyone) >= 5 else None
    rows = await db.fetchall(OLD_ONBOARDING, (platform, now - ONBOARDING_SPAN))
    return figures, rows


async def measure(count: int) -> dict[str, object]:
    base = database_for(count)
    path = copy(base, "aggregates.db")
    clock = ManualClock(NOW)
    settings = load_settings(database_url=f"sqlite:///{path}", queuewatch_secret="bench-secret-0123456789")
    started = time.perf_counter()
    app = await build_app(settings, clock=clock)
    figures: dict[str, object] = {"reports": (await app.db.fetchone("SELECT count(*) FROM reports"))[0],
                                  "migrate_0014_to_0016_ms": round((time.perf_counter() - started) * 1000, 1)}
    db, now = app.db, unix(NOW)
    try:
        slots = baseline_slots(now)
        values = ", ".join("(?, ?)" for _ in slots)
        flat = [b for slot in slots for b in slot]
        figures["baseline_all_ms"] = [
            p50_p99(await samples_ms(lambda: db.fetchall(OLD_BASELINE.format(values=values), flat), 5))[0],
            p50_p99(await samples_ms(lambda: store.drought_reporters_in_slots(db, None, slots), 20))[0]]
        old_pay, new_pay = [], []
        for platform in PLATFORMS:
            old_pay += await samples_ms(lambda p=platform: old_crowd_pay(db, p, now), 1)
            new_pay += await samples_ms(lambda p=platform: crowd_pay(app, p, NOW), 1)
        figures["pay_100_platforms_p50_p99_ms"] = [p50_p99(old_pay), p50_p99(new_pay)]
        busiest = PLATFORMS[1]  # the generator's Pareto draw makes p001 the busiest
        figures["pay_busiest_platform_ms"] = [
            p50_p99(await samples_ms(lambda: old_crowd_pay(db, busiest, now), 10))[0],
            p50_p99(await samples_ms(lambda: crowd_pay(app, busiest, NOW), 10))[1]]
        kinds = (*PAYMENT_KINDS, "account_restricted")
        marks = ",".join("?" * len(kinds))
        old_legit, new_legit = [], []
        for platform in PLATFORMS:
            old_legit += await samples_ms(lambda p=platform: db.fetchall(OLD_KIND_COUNTS.format(marks=marks),
                                                                         (now - 90 * 86400, p, *kinds)), 1)
            new_legit += await samples_ms(lambda p=platform: store.kind_counts(db, p, kinds, now - 90 * 86400), 1)
        figures["legit_counts_100_platforms_p50_p99_ms"] = [p50_p99(old_legit), p50_p99(new_legit)]
        digest = await build_digest(app, None, NOW, chart=False)
        bounds = day_bounds(digest.start, digest.end)
        cuts = bounds[1:-1]
        day = "CASE " + " ".join(f"WHEN updated_at < ? THEN {i}" for i in range(len(cuts))) + f" ELSE {len(cuts)} END"
        old_daily = OLD_DAILY.format(day=day)
        figures["digest_daily_counts_ms"] = [
            p50_p99(await samples_ms(lambda: db.fetchall(old_daily, (*cuts, bounds[0], bounds[-1])), 3))[0],
            p50_p99(await samples_ms(lambda: digest_queries.daily_counts(db, bounds), 3))[0]]
        figures["digest_full_with_chart_ms"] = [None, p50_p99(await samples_ms(
            lambda: build_digest(app, None, NOW), 3))[0]]
        # /status: the first after a start (no settle waits), warm, and in a new hour (baselines recomputed).
        await trust.settle_trust(app)  # as the service would have, before this start
        restarted = await build_app(settings, clock=clock)
        figures["status_all_first_after_start_ms"] = [None, round((await samples_ms(
            lambda: restarted.availability.statuses(clock.now()), 1))[0], 2)]
        figures["refresh_first_after_start_ms"] = [None, round((await samples_ms(
            restarted.availability.refresh_all, 1))[0], 2)]
        await restarted.db.close()
        figures["status_all_warm_p50_p99_ms"] = [None, p50_p99(await samples_ms(
            lambda: app.availability.statuses(clock.now()), 30))]
        figures["status_one_warm_p50_p99_ms"] = [None, p50_p99(await samples_ms(
            lambda: app.availability.statuses(clock.now(), busiest), 30))]
        new_hour = []
        for _ in range(5):
            clock.advance(hours=1)
            new_hour += await samples_ms(lambda: app.availability.statuses(clock.now()), 1)
        figures["status_all_new_hour_p50_max_ms"] = [None, [round(statistics.median(new_hour), 2),
                                                            round(max(new_hour), 2)]]
        figures["ingest_per_report_us_bare_raw_app"] = await ingest_us(db, path, now)
    finally:
        await app.db.close()
    return figures


async def ingest_us(db, path: Path, now: int, count: int = 2000) -> list[float]:
    """Microseconds per new report written alone, the three alternating under the same load: raw sqlite3 per-row
    commits on a copy without migration 0019's aggregate triggers (what a report cost before the aggregates), raw
    sqlite3 on a copy with them (the triggers' own cost), and the bot's upsert_report (the triggers, group commit).
    Drought reports: the kind that also moves the baseline slots."""
    await db.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")  # the copies below hold every committed row
    raws = []
    for name, drop in (("bare.db", True), ("raw.db", False)):
        conn = sqlite3.connect(copy(path, name), isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        for (trigger,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND "
                                       "(name LIKE 'reports_hours_%' OR name LIKE 'reports_values_%' "
                                       "OR name LIKE 'reports_slots_%')").fetchall() if drop else ():
            conn.execute(f"DROP TRIGGER {trigger}")
        raws.append(conn)
    spent = [0.0, 0.0, 0.0]
    for i in range(count):
        at = now + i
        for side in ((0, 1, 2), (2, 1, 0))[i % 2]:
            report = store.NewReport(f"ingest{side}-{i % 300}", PLATFORMS[i % 100], "drought", "",
                                     window_start("drought", at), at, None)
            started = time.perf_counter()
            if side < 2:
                raws[side].execute(store.UPSERT_ONE_REPORT, report.values()).fetchall()
            else:
                await store.upsert_report(db, report)
            spent[side] += time.perf_counter() - started
    for conn in raws:
        conn.close()
    return [round(total / count * 1e6, 1) for total in spent]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    results = {}
    for count in args.reports:
        figures = await measure(count)
        print(f"{count:,} reports ([before, after]; ms unless named):")
        for name, value in figures.items():
            print(f"  {name}: {value}")
        results[str(count)] = figures
    print(json.dumps(results))


if __name__ == "__main__":
    asyncio.run(main())
