"""Benchmark: issue 15's hot spots, each measured before and after its fix, side by side in one run.

    .venv/bin/python benchmarks/hotspots.py [--reports 100000 1000000]

For each size it generates (once; cached under benchmarks/.cache/) a database at schema 12, the one before
migration 0014: reports over 100 platforms and 90 days from members who arrive over time (with bursts of
newcomers on one platform), spread over 60 communities and private chats, and status events every few hours.
"Before" runs the replaced code (tests/support/hotspots_reference.py) on a copy of it; "after" migrates another
copy to the current schema (timed) and runs the bot's code. The clock moves, so caches expire. The last line
printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.clock import ManualClock, unix
from bot.features.availability import brigading, trust
from bot.features.availability.brigading import BURST_WINDOW, Arrival, split_confirmed
from bot.features.digest.build import MIN_PAY_MOVE, MIN_PAY_N, PAYBACK_SECONDS, WEEK, _pay_moves
from bot.features.reports.kinds import PAYMENT_KINDS
from bot.features.reports.pay import ONBOARDING_SPAN
from bot.features.reports.recording import ROLE_TIERS, window_start
from bot.settings import load_settings
from bot.wiring import build_app
from storage import aggregates, digest_queries, first_seen
from storage import reports as store
from storage.database import SqliteDatabase, available_migrations
from tests.support import hotspots_reference as before

CACHE = Path(__file__).resolve().parent / ".cache"
NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
PLATFORMS = [f"p{i:03d}" for i in range(100)]
COMMUNITIES = [None] * 25 + [f"telegram:-100{i}" for i in range(30)] + [f"discord:{9000 + i}" for i in range(30)]
DAYS = 90
SCHEMA_BEFORE = 12
HISTORY_COPY_UP_TO = 200_000  # sizes up to this are measured again with twice the history (older reports)
KIND_MIX = {"drought": 30, "tasks_back": 15, "project_paused": 3, "project_ended": 2, "paid_on_time": 15,
            "paid_late": 4, "payment_missing": 2, "account_restricted": 2, "payrate": 20, "onboarding": 7}
INSERT = ("INSERT OR IGNORE INTO reports (reporter, platform, kind, project, window_start, created_at, updated_at, "
          "community, amount, currency, hourly_usd, role, hours, paid) VALUES (" + ", ".join("?" * 14) + ")")


def generate(path: Path, count: int) -> None:
    """A schema-12 database of about `count` reports (see the module docstring)."""
    rng = random.Random(15)
    now = unix(NOW)
    start = now - DAYS * 86400
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    for number, _name, sql in available_migrations():
        if number <= SCHEMA_BEFORE:
            conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reports' "
                           "AND sql IS NOT NULL").fetchall()
    for name, _sql in indexes:
        conn.execute(f"DROP INDEX {name}")
    kinds = rng.choices(list(KIND_MIX), weights=list(KIND_MIX.values()), k=4096)
    roles = [*ROLE_TIERS, None]
    step = DAYS * 86400 / count
    burst_every = 20_000  # a burst of 150 brand-new members on one platform within an hour, every 20k reports

    def rows():
        arrived = 1
        for i in range(count):
            at = int(start + i * step)
            if i % burst_every == 0 and i:
                platform, community = rng.choice(PLATFORMS[:10]), rng.choice(COMMUNITIES[25:])
                for b in range(150):
                    yield (f"b{i}-{b}", platform, "drought", "", window_start("drought", at), at + b * 20,
                           at + b * 20, community, None, None, None, None, None, None)
            if rng.random() < 0.25:
                arrived += 1  # a new member's first report
                reporter = arrived
            else:
                reporter = rng.randrange(max(1, arrived - 20_000), arrived + 1)  # mostly recent members
            kind = kinds[i % 4096]
            project = f"project{rng.randrange(20)}" if kind in ("project_paused", "project_ended") else ""
            hourly = round(rng.lognormvariate(2.9, 0.4), 2) if kind == "payrate" else None
            hours = round(rng.uniform(1, 20), 1) if kind == "onboarding" else None
            yield (f"m{reporter:07d}", PLATFORMS[int(rng.paretovariate(1.2)) % 100], kind, project,
                   window_start(kind, at), at, at, COMMUNITIES[reporter % len(COMMUNITIES)], hourly,
                   "USD" if hourly else None, hourly, rng.choice(roles) if hourly else None, hours,
                   int(rng.random() < 0.2) if hours else None)

    conn.execute("BEGIN")
    conn.executemany(INSERT, rows())
    events = []
    for platform in PLATFORMS:
        at = start
        while at < now:
            at += rng.randrange(3600, 6 * 3600)
            events.append((platform, "", "none", rng.choice(("drought", "flowing", "mixed", "none")), at, 3, 0.5))
    conn.executemany("INSERT INTO status_events (platform, project, old_state, new_state, at, reporters, "
                     "confidence) VALUES (?, ?, ?, ?, ?, ?, ?)", events)
    conn.execute("COMMIT")
    for _name, sql in indexes:
        conn.execute(sql)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def database_for(count: int) -> Path:
    """The cached generated database of this size, generated first when missing."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"hotspots-{count}.db"
    if not path.exists():
        started = time.perf_counter()
        generate(path.with_suffix(".tmp"), count)
        path.with_suffix(".tmp").rename(path)
        print(f"  generated {path.name} in {time.perf_counter() - started:.1f} s")
    return path


def copy(source: Path, name: str) -> Path:
    target = source.with_name(name)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


async def median_ms(make: Callable[[], Awaitable[object]], runs: int = 5) -> float:
    """The median wall time of `runs` awaited calls, in milliseconds."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await make()
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1000, 3)


def pure_ms(call: Callable[[], object], runs: int = 3) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1000, 3)


def burst(n: int, seed: int = 1) -> list[Arrival]:
    """n newcomers within two windows, a few regulars among them, some reporters twice."""
    rng = random.Random(seed)
    return [Arrival(i, f"n{rng.randrange(int(n * 0.9) + 1)}", rng.randrange(2 * BURST_WINDOW), rng.random() < 0.95)
            for i in range(n)]


def brigading_figures() -> dict[str, list[float]]:
    found = {}
    for n in (100, 1000, 3000):
        arrivals = burst(n)
        assert split_confirmed(arrivals) == before.split_confirmed_quadratic(arrivals)
        found[f"split_confirmed_{n}_ms"] = [pure_ms(lambda a=arrivals: before.split_confirmed_quadratic(a)),
                                            pure_ms(lambda a=arrivals: split_confirmed(a))]
    return found


@asynccontextmanager
async def timing_transactions(db, held: list[float]):
    """Record how long each transaction of `db` holds the write lock."""
    real = db.transaction

    @asynccontextmanager
    async def timed():
        started = time.perf_counter()
        async with real() as tx:
            yield tx
        held.append(time.perf_counter() - started)

    db.transaction = timed
    try:
        yield
    finally:
        db.transaction = real


async def recent_members(db, now: int) -> list[str]:
    """2,000 generated members who reported in the last six hours (topped up with the earliest members)."""
    reporters = [r[0] for r in await db.fetchall(
        "SELECT DISTINCT reporter FROM reports WHERE updated_at >= ? AND reporter LIKE 'm%' LIMIT 2000",
        (now - 6 * 3600,))]
    return reporters + [f"m{i:07d}" for i in range(1, 2001 - len(reporters))]


async def query_figures(old, app, now: int, reporters: list[str], suffix: str = "") -> dict[str, list[float]]:
    """Queries that read all history before: first-seen, /legit's counts, the digest's states and pay, onboarding."""
    figures: dict[str, list[float]] = {}
    figures["first_seen_2000_ms"] = [await median_ms(lambda: before.first_seen_by_scan(old, reporters)),
                                     await median_ms(lambda: first_seen.firsts(app.db, reporters))]
    kinds = (*PAYMENT_KINDS, "account_restricted")
    since = now - 90 * 86400

    async def legit_all(kind_counts) -> None:
        for platform in PLATFORMS:
            await kind_counts(platform)

    figures["legit_kind_counts_100_platforms_ms"] = [
        await median_ms(lambda: legit_all(lambda p: before.kind_counts_by_scan(old, p, kinds, since)), 3),
        await median_ms(lambda: legit_all(lambda p: store.kind_counts(app.db, p, kinds, since)), 3)]
    figures["digest_latest_states_ms"] = [await median_ms(lambda: before.latest_states_by_scan(old, now)),
                                          await median_ms(lambda: digest_queries.latest_states(app.db, now))]
    figures["digest_pay_moves_ms"] = [
        await median_ms(lambda: before.pay_moves_in_python(old, now - WEEK, now, PAYBACK_SECONDS, MIN_PAY_N,
                                                           MIN_PAY_MOVE)),
        await median_ms(lambda: _pay_moves(app, now - WEEK, now))]

    async def onboarding_all(query) -> None:
        for platform in PLATFORMS[:20]:
            await query(platform)

    figures["pay_onboarding_20_platforms_ms"] = [
        await median_ms(lambda: onboarding_all(lambda p: before.onboarding_hours_unbounded(old, p))),
        await median_ms(lambda: onboarding_all(lambda p: store.onboarding_hours(app.db, p, now - ONBOARDING_SPAN)))]
    return {f"{name}{suffix}": value for name, value in figures.items()}


OLDER = 2 * 365 * 86400
COPY_OLDER = ("INSERT INTO reports (reporter, platform, kind, project, window_start, created_at, updated_at, "
              "community, amount, currency, hourly_usd, role, hours, paid, note, hidden) SELECT reporter, platform, "
              "kind, project, window_start - ?, created_at - ?, updated_at - ?, community, amount, currency, "
              "hourly_usd, role, hours, paid, note, hidden FROM reports")
COPY_OLDER_EVENTS = ("INSERT INTO status_events (platform, project, old_state, new_state, at, reporters, confidence) "
                     "SELECT platform, project, old_state, new_state, at - ?, reporters, confidence FROM status_events")


async def with_older_history(db) -> None:
    """Add a copy of every report and status event two years earlier: twice the history, the same windows."""
    async with db.transaction() as tx:
        await tx.execute(COPY_OLDER, (OLDER, OLDER, OLDER))
        await tx.execute(COPY_OLDER_EVENTS, (OLDER,))
    await aggregates.rebuild(db)  # copied around storage/ (a no-op on the schema before the aggregates)


async def measure(count: int) -> dict[str, object]:
    base = database_for(count)
    old_path, new_path = copy(base, "before.db"), copy(base, "after.db")
    stored = sqlite3.connect(base).execute("SELECT count(*) FROM reports").fetchone()[0]
    figures: dict[str, object] = {"reports": stored}
    now = unix(NOW)
    old = await SqliteDatabase.open(str(old_path))
    clock = ManualClock(NOW)
    settings = load_settings(database_url=f"sqlite:///{new_path}", queuewatch_secret="bench-secret-0123456789")
    started = time.perf_counter()
    app = await build_app(settings, clock=clock)  # migrates to the current schema: 0014 fills its tables
    figures["migrate_0014_ms"] = round((time.perf_counter() - started) * 1000, 1)
    try:
        reporters = await recent_members(old, now)
        figures.update(await query_figures(old, app, now, reporters))
        # Trust: the first settle judges 30 days; then a restart; then a day later.
        started = time.perf_counter()
        judged_before, lock_before = await before.settle_before(old, now)
        total_before = time.perf_counter() - started
        held: list[float] = []
        async with timing_transactions(app.db, held):
            started = time.perf_counter()
            judged_after = await trust.settle_trust(app)
            total_after = time.perf_counter() - started
        figures["trust_first_settle_ms"] = [round(total_before * 1000, 1), round(total_after * 1000, 1)]
        # How long one transaction holds the write lock (every /report waits that long at worst), and in all.
        figures["trust_first_settle_longest_lock_ms"] = [round(lock_before * 1000, 1), round(max(held) * 1000, 1)]
        figures["trust_first_settle_lock_total_ms"] = [round(lock_before * 1000, 1), round(sum(held) * 1000, 1)]
        figures["trust_judged_days"] = [judged_before, judged_after]
        restarted = await build_app(settings, clock=clock)
        figures["trust_settle_after_restart_ms"] = [await median_ms(lambda: before.settle_before(old, now), 1),
                                                    await median_ms(lambda: trust.settle_trust(restarted), 1)]
        await restarted.db.close()
        clock.advance(days=1)
        held.clear()
        async with timing_transactions(app.db, held):
            figures["trust_next_day_settle_ms"] = [None, await median_ms(lambda: trust.settle_trust(app), 1)]
        figures["trust_next_day_settle_longest_lock_ms"] = [None, round(max(held, default=0) * 1000, 1)]

        figures["ingest_per_report_us"] = await ingest_us(old, app.db, now)
        figures.update(await status_with_newcomers(app, clock))
        figures.update(await caches_under_new_members(app, clock))
        if count <= HISTORY_COPY_UP_TO:
            for db in (old, app.db):
                await with_older_history(db)
            figures.update(await query_figures(old, app, now, reporters, "_with_2x_history"))
    finally:
        await old.close()
        await app.db.close()
    return figures


async def ingest_us(old, new, now: int, count: int = 3000) -> list[float]:
    """Microseconds per new report written one by one (autocommit), before and after: what the triggers of
    0014 add to /report. The two sides alternate, so both run under the same load."""
    spent = [0.0, 0.0]
    for i in range(count):
        at = now + i
        report = store.NewReport(f"ingest{i}", PLATFORMS[i % 100], "drought", "", window_start("drought", at), at,
                                 COMMUNITIES[i % len(COMMUNITIES)])
        for side, db in ((i % 2, (old, new)[i % 2]), (1 - i % 2, (old, new)[1 - i % 2])):
            started = time.perf_counter()
            await store.upsert_report(db, report)
            spent[side] += time.perf_counter() - started
    return [round(total / count * 1e6, 1) for total in spent]


async def status_with_newcomers(app, clock: ManualClock) -> dict[str, object]:
    """/status of one platform with 2,000 newcomers in the last hour, and of every platform after cache expiry."""
    now = unix(clock.now())
    await store.upsert_many(app.db, (store.NewReport(f"new{i}", "p050", "drought", "", window_start("drought", now),
                                                     now - 3600 + i, "telegram:-100555") for i in range(2000)))
    one = lambda: app.availability.statuses(clock.now(), "p050")  # noqa: E731
    await one()  # warm the caches
    real = brigading.split_confirmed
    brigading.split_confirmed = before.split_confirmed_quadratic
    try:
        quadratic = await median_ms(one, 3)
    finally:
        brigading.split_confirmed = real
    found: dict[str, object] = {"status_one_2000_newcomers_ms": [quadratic, await median_ms(one, 3)]}
    await app.availability.statuses(clock.now())
    found["status_all_warm_ms"] = [None, await median_ms(lambda: app.availability.statuses(clock.now()))]
    expired = []
    for _ in range(5):
        clock.advance(seconds=max(trust.CACHE_SECONDS, brigading.CACHE_SECONDS) + 1)
        started = time.perf_counter()
        await app.availability.statuses(clock.now())
        expired.append(time.perf_counter() - started)
    found["status_all_cache_expired_ms"] = [None, round(statistics.median(expired) * 1000, 3)]
    return found


async def caches_under_new_members(app, clock: ManualClock) -> dict[str, object]:
    """5,000 commands from new members, two seconds apart: what the caches hold afterwards.

    Before issue 15 neither cache ever dropped an entry, so it held one per reporter seen (the first figure).
    """
    members = 5000
    for i in range(members):
        key = f"soak{i}"
        await trust.trust_weights(app, [key])
        await app.first_seen.of([key])
        clock.advance(seconds=2)
    return {"trust_cache_entries": [members, len(app.trust.weights)],
            "first_seen_cache_entries": [members, len(app.first_seen._firsts)]}


def show(figures: dict[str, object]) -> None:
    print(f"  {figures['reports']:,} reports; migration 0014 took {figures['migrate_0014_ms']:,.0f} ms")
    print(f"  {'measure':44} {'before':>12} {'after':>12} {'ratio':>8}")
    for name, value in figures.items():
        if not isinstance(value, list):
            continue
        old, new = value
        ratio = f"{old / new:7.1f}x" if old and new else ""
        print(f"  {name:44} {'-' if old is None else f'{old:,.2f}':>12} {new:>12,.2f} {ratio:>8}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    print("brigading check, one platform, newcomers in a burst (pure function):")
    results: dict[str, object] = {"brigading": brigading_figures()}
    for name, (old, new) in results["brigading"].items():  # type: ignore[union-attr]
        print(f"  {name:44} {old:12,.2f} {new:12,.2f} {old / new:7.1f}x")
    runs = []
    for count in args.reports:
        print(f"database of {count:,} generated reports (before = replaced code on schema 12, after = this code):")
        figures = await measure(count)
        show(figures)
        runs.append(figures)
    results["runs"] = runs
    print(json.dumps(results, separators=(",", ":")))


if __name__ == "__main__":
    asyncio.run(main())
