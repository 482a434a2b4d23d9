"""Benchmark: crowd reports on a generated database of 1,000,000 reports over 100 platforms and 90 days.

Prints, from one run: ingestion through the dispatcher (/report end to end, dedupe upsert included) vs raw
aiosqlite INSERT+COMMIT per row (target >= 0.8x); /status <platform> p99 (< 5 ms); /status for all
platforms p99 (< 50 ms); /pay crowd figures p99 (< 10 ms).

    .venv/bin/python benchmarks/reports.py [--reports 1000000] [--keep path.db]

The generated platforms are the known ones plus synthetic ids; name resolution (find_platform) is bypassed
only where a synthetic id must be used (status and pay are called on platform ids directly).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.clock import ManualClock
from bot.core.model import Actor, Place, Platform
from bot.features.availability.reply import all_status, platform_status
from bot.features.knowledge.platforms import all_platforms
from bot.features.reports.kinds import KINDS
from bot.features.reports.pay import crowd_pay, pay_fields
from bot.features.reports.recording import ROLE_TIERS, window_start
from bot.settings import load_settings
from bot.wiring import build_app
from storage import aggregates
from storage.database import SqliteDatabase
from storage.reports import UPSERT_REPORT

PLATFORMS = 100
DAYS = 90
REPORTERS = 250_000
BATCH = 100_000
NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
KIND_MIX = {  # share of each kind in the generated data
    "drought": 30, "tasks_back": 15, "project_paused": 3, "project_ended": 2, "paid_on_time": 15, "paid_late": 4,
    "payment_missing": 2, "account_restricted": 2, "payrate": 20, "onboarding": 7,
}
RAW_INSERT = (
    "INSERT INTO reports (reporter, platform, kind, project, window_start, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def platform_ids(known: list[str]) -> list[str]:
    """The known platform ids, then synthetic ones up to PLATFORMS."""
    return (known + [f"synthetic{i:03d}" for i in range(PLATFORMS - len(known))])[:PLATFORMS]


def generate(path: str, count: int, platforms: list[str], now: int) -> int:
    """Fill the reports table fast: drop the secondary indexes, executemany in big transactions, rebuild."""
    rng = random.Random(6)
    kinds = rng.choices(list(KIND_MIX), weights=list(KIND_MIX.values()), k=4096)
    roles = [*ROLE_TIERS, None]
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reports' AND sql IS NOT NULL"
    ).fetchall()
    for name, _sql in indexes:
        conn.execute(f"DROP INDEX {name}")
    start = now - DAYS * 86400
    step = DAYS * 86400 / count

    def rows(first: int, last: int):
        for i in range(first, last):
            at = int(start + i * step)
            kind = kinds[i % 4096]
            project = f"project{rng.randrange(20)}" if kind in ("project_paused", "project_ended") else ""
            hourly = round(rng.lognormvariate(2.9, 0.4), 2) if kind == "payrate" else None
            hours = round(rng.uniform(1, 20), 1) if kind == "onboarding" else None
            yield (f"r{rng.randrange(REPORTERS):06d}", platforms[rng.randrange(len(platforms))], kind, project,
                   window_start(kind, at), at, at, None, hourly, "USD" if hourly else None, hourly,
                   rng.choice(roles) if hourly else None, hours, (rng.random() < 0.2) if hours else None, None)

    for first in range(0, count, BATCH):
        conn.execute("BEGIN")
        conn.executemany(UPSERT_REPORT, rows(first, min(count, first + BATCH)))
        conn.execute("COMMIT")
    for _name, sql in indexes:
        conn.execute(sql)
    stored = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # start measuring from a settled database, as in production
    conn.close()
    return stored


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p99) in milliseconds."""
    ordered = sorted(samples)
    return ordered[len(ordered) // 2] * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


async def timed(calls: int, make) -> list[float]:
    """Run `make(i)` (a coroutine) `calls` times; the duration of each."""
    samples = []
    for i in range(calls):
        started = time.perf_counter()
        await make(i)
        samples.append(time.perf_counter() - started)
    return samples


async def ingestion(app, path: str, clock: ManualClock, known: list[str], count: int):
    """Interleave raw INSERT+COMMIT rows and dispatcher /report calls one by one; total seconds of each.

    Interleaving puts both under the same machine load; the order alternates so neither side always runs
    first after the other.
    """
    # The raw side writes to its own identical copy: two connections writing one file would throw away each
    # other's page cache on every statement, a cost a single-process bot never pays.
    await app.db.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")
    raw_path = path + ".raw"
    shutil.copyfile(path, raw_path)
    raw_conn = await aiosqlite.connect(raw_path)
    await raw_conn.execute("PRAGMA synchronous = NORMAL")
    place = Place(Platform.CONSOLE, "bench", "bench", is_private=False)
    whats = ["drought", "tasks_back", "paid_on_time", "drought", "project_ended"]
    totals = {"raw": 0.0, "dispatch": 0.0}
    errors = 0

    async def raw(i: int) -> None:
        kind = whats[i % len(whats)]
        at = int(clock.now().timestamp())
        reporter = hashlib.sha256(f"raw{i}".encode()).hexdigest()[:32]  # keyed hashes, like real reporters
        await raw_conn.execute(RAW_INSERT, (reporter, known[i % len(known)], kind, "", window_start(kind, at), at, at))
        await raw_conn.commit()

    async def dispatch(i: int) -> None:
        nonlocal errors
        person = i % (count // 2)  # the second half repeat the first: same person, platform and kind
        kind = whats[person % len(whats)]
        args = {"platform": known[person % len(known)], "what": kind}
        if kind == "project_ended":
            args["project"] = f"project{person % 7}"
        actor = Actor(Platform.CONSOLE, f"bench{person}", "bench")
        reply = await app.dispatcher.dispatch("report", args, actor, place)
        errors += reply.is_error

    for i in range(count):
        for name, step in (("raw", raw), ("dispatch", dispatch))[:: 1 if i % 2 else -1]:
            started = time.perf_counter()
            await step(i)
            totals[name] += time.perf_counter() - started
        clock.advance(seconds=5)
    await raw_conn.close()
    return totals["raw"], totals["dispatch"], errors


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--keep", help="keep the generated database at this path")
    options = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="queuewatch-bench-")
    path = options.keep or str(Path(folder) / "reports.db")
    Path(path).unlink(missing_ok=True)

    setup = await SqliteDatabase.open(path)
    await setup.migrate()
    await setup.close()
    clock = ManualClock(NOW)
    settings = load_settings(database_url=f"sqlite:///{path}", queuewatch_secret="benchmark-secret-0123456789")
    app = await build_app(settings, clock=clock)
    known = [p.id for p in all_platforms(app)]
    platforms = platform_ids(known)
    print(f"queuewatch reports benchmark: {options.reports:,} reports, {len(platforms)} platforms "
          f"({len(known)} known + {len(platforms) - len(known)} synthetic), {DAYS} days")
    started = time.perf_counter()
    stored = generate(path, options.reports, platforms, int(NOW.timestamp()))
    await aggregates.rebuild(app.db)  # the reports were written around storage/, which keeps the aggregates
    print(f"generated {stored:,} reports in {time.perf_counter() - started:.1f} s "
          f"({sum(KIND_MIX[k] for k in ('drought', 'tasks_back'))}% availability reports)")

    rng = random.Random(7)
    now = clock.now
    started = time.perf_counter()
    await app.availability.refresh_all()  # what the availability service does every minute
    print(f"availability refresh of every platform (the once-a-minute service): {time.perf_counter() - started:.2f} s")
    one = await timed(1000, lambda i: platform_status(app, (p := rng.choice(platforms)), p, now()))
    every = await timed(200, lambda i: all_status(app, now()))

    async def pay(i: int) -> None:
        platform = rng.choice(platforms)
        pay_fields(await crowd_pay(app, platform, now()), platform)

    pays = await timed(1000, pay)
    print("\nreads (after the refresh; the clock stands still):")
    for label, samples, target in (
        ("/status <platform>", one, 5), ("/status (all platforms)", every, 50), ("/pay crowd figures", pays, 10)
    ):
        p50, p99 = percentiles(samples)
        print(f"  {label:24} p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   (target p99 < {target} ms: "
              f"{'OK' if p99 < target else 'MISS'})")

    clock.advance(timedelta(hours=1))  # a new hour of the week: the baselines are computed again
    cold_one = await timed(1, lambda i: platform_status(app, platforms[1], platforms[1], now()))
    cold_all = await timed(1, lambda i: all_status(app, now()))
    print(f"  first calls in a new hour (baselines recomputed, trust settles): /status <platform> "
          f"{cold_one[0] * 1000:.2f} ms, /status (all) {cold_all[0] * 1000:.2f} ms")
    total = 3000
    raw, dispatched, errors = await ingestion(app, path, clock, known, total)
    print(f"\ningestion, one run, {total:,} of each interleaved (half the /report calls repeat an earlier one):")
    print(f"  raw aiosqlite INSERT+COMMIT per row : {total / raw:8,.0f} rows/s ({raw / total * 1e6:6.0f} us/row)")
    print(f"  /report through the dispatcher      : {total / dispatched:8,.0f} reports/s "
          f"({dispatched / total * 1e6:6.0f} us/report; {errors} errors)")
    ratio = raw / dispatched
    verdict = "OK" if ratio >= 0.8 else "MISS"
    print(f"  ratio dispatcher / raw              : {ratio:.2f}x   (target >= 0.8x: {verdict})")

    statuses = (await all_status(app, now())).title
    print(f"\nlast /status (all): {statuses}")
    events = await app.db.fetchone("SELECT count(*) FROM status_events")
    print(f"state changes recorded: {events[0]}; kinds known: {len(KINDS)}")
    await app.db.close()
    if not options.keep:
        for file in Path(folder).iterdir():
            file.unlink()
        Path(folder).rmdir()


if __name__ == "__main__":
    asyncio.run(main())
