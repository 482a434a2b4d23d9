"""Benchmark: status, pay, trust, the digest and ingestion on a database of N reports (default 1,000,000).

    .venv/bin/python benchmarks/scale.py [--reports 1000000] [--days 90] [--soak-commands 20000] [--no-soak]

The database (100 platforms, 90 days; see benchmarks/scaling/data.py) is generated in bulk once and cached under
benchmarks/.cache/; each run measures on a fresh copy. The app runs on a ManualClock that the benchmark moves:
the first availability refresh after a start (the cache holds a bot that ran until a day ago, so the start
settles the day since), /status for one and all platforms warm, in a new hour and after the 5-minute trust
cache expired, /pay, the full weekly digest with its chart, and ingestion through the real dispatcher with 1
and with 50 concurrent reporters beside raw sqlite3 per-row commits on an identical copy. Then a soak drives a
real `queuewatch run` through the loopback Telegram fake (benchmarks/scaling/soak.py). The last line is one JSON
object with the figures.

--days spreads the reports over a longer history at the same reports per day: 1M over 900 days has the 6-hour
windows, the weeks and the day's newcomers of 100k over 90, with ten times the history behind them. Reads whose
cost follows what they show give the figures of 100k; reads that grew with history would not.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.scaling.data import (
    DAYS,
    anchor,
    cached_database,
    platform_ids,
    reusable_anchor,
    settings_for,
    working_copy,
)
from benchmarks.scaling.soak import soak
from bot.core import memory
from bot.core.clock import ManualClock
from bot.core.model import Actor, Place, Platform
from bot.features.availability import trust
from bot.features.availability.reply import all_status, platform_status
from bot.features.digest import activity as digest_activity
from bot.features.digest import build_digest, digest_reply
from bot.features.knowledge.platforms import all_platforms
from bot.features.reports.pay import crowd_pay, pay_fields
from bot.features.reports.recording import window_start
from bot.wiring import App, build_app
from storage.reports import UPSERT_ONE_REPORT, NewReport

TARGETS = {  # at 10,000,000 reports, from issue 15
    "startup_refresh_ms": 1000, "status_one_p99_ms": 2, "status_all_p99_ms": 20, "status_all_new_hour_ms": 20,
    "status_all_cache_expired_p50_ms": 20, "pay_p99_ms": 5, "digest_full_ms": 300,
}
PLACE = Place(Platform.CONSOLE, "bench", "bench", is_private=False)
WHATS = ("drought", "tasks_back", "paid_on_time", "drought", "project_ended")


def percentile(samples: list[float], share: float) -> float:
    """A percentile of durations in seconds, in milliseconds."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000


async def timed(calls: int, make) -> list[float]:
    """Run `make(i)` (a coroutine) `calls` times; the duration of each in seconds."""
    samples = []
    for i in range(calls):
        started = time.perf_counter()
        await make(i)
        samples.append(time.perf_counter() - started)
    return samples


def rss_mib(pid: str = "self") -> float:
    """Resident memory of a process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def reads(app: App, clock: ManualClock, platforms: list[str], calls: int = 1000) -> dict[str, float]:
    """The read figures, warm and with the clock moved: `calls` of /status <platform> and of /pay, a fifth as many
    of /status (all)."""
    rng = random.Random(7)
    now = clock.now
    one = await timed(calls, lambda i: platform_status(app, (p := rng.choice(platforms)), p, now()))
    every = await timed(max(1, calls // 5), lambda i: all_status(app, now()))

    async def pay(i: int) -> None:
        platform = rng.choice(platforms)
        pay_fields(await crowd_pay(app, platform, now()), platform)

    pays = await timed(calls, pay)
    new_hour, idle_hour = [], []
    for _ in range(3):  # the first call in a new hour: baselines computed again, the window's oldest hour gone
        await running(app, clock, timedelta(hours=1))
        new_hour += await timed(1, lambda i: all_status(app, now()))
    for _ in range(2):  # the same in a process without the worker role, with no read for the hour
        clock.advance(timedelta(hours=1))
        idle_hour += await timed(1, lambda i: all_status(app, now()))
    expired = []
    for _ in range(9):  # after the 5-minute caches expired, within the same hour
        hour = now().hour
        await running(app, clock, timedelta(seconds=301))
        if now().hour != hour:
            await all_status(app, now())
            await running(app, clock, timedelta(seconds=301))
        expired += await timed(1, lambda i: all_status(app, now()))
    digests, queries = [], []
    for run in range(6):
        started = time.perf_counter()
        digest_reply(await build_digest(app, "telegram:-1001000", now(), "Europe/London"))
        if run:  # the first includes importing Pillow, once per process
            digests.append(time.perf_counter() - started)
        started = time.perf_counter()
        digest_reply(await build_digest(app, "telegram:-1001000", now(), "Europe/London", chart=False))
        queries.append(time.perf_counter() - started)
    figures = {
        "status_one_p99_ms": percentile(one, 0.99), "status_all_p99_ms": percentile(every, 0.99),
        "status_all_new_hour_ms": statistics.median(new_hour) * 1000,
        "status_all_cache_expired_p50_ms": percentile(expired, 0.5), "pay_p99_ms": percentile(pays, 0.99),
        "digest_full_ms": statistics.median(digests) * 1000,
    }
    print(f"  /status <platform>  p50 {percentile(one, 0.5):7.2f} ms  p99 {figures['status_one_p99_ms']:7.2f} ms")
    print(f"  /status (all)       p50 {percentile(every, 0.5):7.2f} ms  p99 {figures['status_all_p99_ms']:7.2f} ms")
    idle = ", ".join(f"{s * 1000:.1f}" for s in idle_hour)
    print(f"  /status (all), first call in a new hour: {', '.join(f'{s * 1000:.1f}' for s in new_hour)} ms "
          f"(without the worker's minute rounds, after an idle hour: {idle} ms)")
    print(f"  /status (all), trust and first-seen caches expired: p50 {figures['status_all_cache_expired_p50_ms']:.1f}"
          f" ms, max {max(expired) * 1000:.1f} ms")
    print(f"  /pay crowd figures  p50 {percentile(pays, 0.5):7.2f} ms  p99 {figures['pay_p99_ms']:7.2f} ms")
    print(f"  weekly digest, full with chart: median {figures['digest_full_ms']:.0f} ms, "
          f"max {max(digests) * 1000:.0f} ms; without the chart (its queries): median "
          f"{statistics.median(queries) * 1000:.0f} ms")
    return figures


async def running(app: App, clock: ManualClock, span: timedelta) -> None:
    """Move the clock by `span` as it passes in a running bot: the worker's availability, trust and activity rounds
    each minute, the last minute before the end without one (a member's read may come first)."""
    end = clock.now() + span
    while end - clock.now() > timedelta(minutes=1):
        clock.advance(timedelta(minutes=1))
        await app.availability.tick()
        await trust.settle_round(app)
        await digest_activity.catch_up(app)
    clock.advance(end - clock.now())


def raw_writer(path: str) -> sqlite3.Connection:
    """The baseline: plain sqlite3, autocommit, the app's pragmas; each statement its own commit."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON", "temp_store = MEMORY"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def raw_values(app: App, person: int, platform: str, at: int) -> tuple:
    """The row the dispatcher would write for this person's report, written by the baseline."""
    kind = WHATS[person % len(WHATS)]
    return NewReport(reporter=app.person_key("console", f"raw{person}"), platform=platform, kind=kind,
                     project=f"project{person % 7}" if kind == "project_ended" else "",
                     window_start=window_start(kind, at), at=at, community=PLACE.community_key).values()


def report_args(person: int, platform: str) -> dict[str, str]:
    """The /report arguments of a person's report."""
    kind = WHATS[person % len(WHATS)]
    return {"platform": platform, "what": kind, **({"project": f"project{person % 7}"} if kind == "project_ended"
                                                   else {})}


async def ingestion(app: App, clock: ManualClock, raw_path: str, known: list[str], count: int,
                    concurrent: int) -> dict[str, float]:
    """/report through the dispatcher with 1 and with `concurrent` reporters, beside raw sqlite3 per-row commits.

    The single-reporter run interleaves the two one report at a time (so both share the machine's load), in
    alternating order; half the reports repeat an earlier one (the same person, platform and kind).
    """
    await app.db.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = raw_writer(raw_path)
    totals = {"raw": 0.0, "dispatch": 0.0}
    errors = 0

    def raw_step(i: int) -> None:
        person = i % (count // 2)
        raw.execute(UPSERT_ONE_REPORT, raw_values(app, person, known[person % len(known)],
                                                  int(clock.now().timestamp()))).fetchall()

    async def dispatch_step(i: int) -> None:
        nonlocal errors
        person = i % (count // 2)
        actor = Actor(Platform.CONSOLE, f"bench{person}", "bench")
        reply = await app.dispatcher.dispatch("report", report_args(person, known[person % len(known)]), actor, PLACE)
        errors += reply.is_error

    for i in range(count):
        for name in ("raw", "dispatch")[:: 1 if i % 2 else -1]:
            started = time.perf_counter()
            if name == "raw":
                raw_step(i)
            else:
                await dispatch_step(i)
            totals[name] += time.perf_counter() - started
        clock.advance(timedelta(seconds=1))
    ratio = totals["raw"] / totals["dispatch"]
    print(f"  raw sqlite3 UPSERT, a commit per row : {count / totals['raw']:8,.0f} rows/s "
          f"({totals['raw'] / count * 1e6:5.0f} us/row)")
    print(f"  /report, one reporter                : {count / totals['dispatch']:8,.0f} reports/s "
          f"({totals['dispatch'] / count * 1e6:5.0f} us/report; {errors} errors) -> {ratio:.2f}x raw")

    total = count * 3
    transactions = app.db.group.transactions if hasattr(app.db, "group") else None
    started = time.perf_counter()
    per_reporter = total // concurrent

    async def reporter(n: int) -> int:
        failed = 0
        for k in range(per_reporter):
            person = 1_000_000 + n * per_reporter + k
            actor = Actor(Platform.CONSOLE, f"many{person}", "bench")
            reply = await app.dispatcher.dispatch("report", report_args(person, known[person % len(known)]),
                                                  actor, PLACE)
            failed += reply.is_error
        return failed

    failed = sum(await asyncio.gather(*(reporter(n) for n in range(concurrent))))
    seconds = time.perf_counter() - started
    done = per_reporter * concurrent
    shared = "" if transactions is None else f" in {app.db.group.transactions - transactions:,} transactions"
    print(f"  /report, {concurrent} concurrent reporters   : {done / seconds:8,.0f} reports/s "
          f"({done:,}{shared}; {failed} errors)")
    started = time.perf_counter()
    for person in range(done):
        raw.execute(UPSERT_ONE_REPORT, raw_values(app, 2_000_000 + person, known[person % len(known)],
                                                  int(clock.now().timestamp()))).fetchall()
    raw_seconds = time.perf_counter() - started
    print(f"  raw sqlite3 per-row commits, serial  : {done / raw_seconds:8,.0f} rows/s (the baseline for both)")
    raw.close()
    return {"ingest_1_ratio_vs_sqlite3": ratio, "ingest_50_per_s": done / seconds}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--ingest", type=int, default=3000, help="reports of each side in the one-reporter run")
    parser.add_argument("--read-calls", type=int, default=1000,
                        help="calls of /status <platform> and /pay (a fifth as many of /status all)")
    parser.add_argument("--soak-commands", type=int, default=20_000)
    parser.add_argument("--soak-members", type=int, default=4_000)
    parser.add_argument("--days", type=int, default=DAYS, help="the history's span in days (same reports per day: "
                        "scale --reports with it)")
    parser.add_argument("--no-soak", action="store_true")
    options = parser.parse_args()
    now = reusable_anchor(options.reports, options.days)
    if now != anchor():
        print(f"(today's database is not cached: the cached one of {now:%F} is used, the clock starting there)")
    probe = await build_app(settings_for(Path(tempfile.mkdtemp()) / "probe.db"), clock=ManualClock(now))
    known = [p.id for p in all_platforms(probe)]
    await probe.db.close()
    platforms = platform_ids(known)
    print(f"queuewatch scale benchmark: {options.reports:,} reports, {len(platforms)} platforms, {options.days} days "
          f"to {now:%F}")
    cached, seconds = await cached_database(options.reports, now, platforms, options.days)
    print(f"database {cached.name}: " + (f"generated in {seconds:.1f} s" if seconds else "cached"))
    folder = Path(tempfile.mkdtemp(prefix="queuewatch-scale-"))
    try:
        figures = await measure(options, cached, folder, now, known, platforms)
    finally:
        for file in folder.iterdir():
            file.unlink()
        folder.rmdir()
    print(json.dumps({"reports": options.reports, **({} if options.days == DAYS else {"days": options.days}),
                      **{k: None if v is None else round(v, 3) for k, v in figures.items()}}))


async def measure(options, cached: Path, folder: Path, now: datetime, known: list[str],
                  platforms: list[str]) -> dict[str, float]:
    """Every figure of the final JSON line, from copies of the cached database in `folder`."""
    path = working_copy(cached, folder / "scale.db")
    started = time.perf_counter()
    clock = ManualClock(now)
    app = await build_app(settings_for(path), clock=clock)
    opened_at = time.perf_counter()
    memory.freeze_start()  # as `queuewatch run` does
    opened = opened_at - started
    stored = (await app.db.fetchone("SELECT count(*) FROM reports"))[0]
    started = time.perf_counter()
    await app.availability.refresh_all()  # what the availability service does first after a start
    figures = {"startup_refresh_ms": (time.perf_counter() - started) * 1000}
    print(f"\n{stored:,} reports stored; opened (migrations checked) in {opened:.2f} s; first availability refresh "
          f"after start: {figures['startup_refresh_ms']:.0f} ms")
    started = time.perf_counter()
    warmed = await app.availability.warm_project_changes(clock.now())  # the rest of the service's first round
    warm_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    judged = await trust.settle_round(app)  # the trust service's first round, in the background of a live bot
    settle_ms = (time.perf_counter() - started) * 1000
    sound = await app.db.integrity if getattr(app.db, "integrity", None) is not None else None
    checked = "" if sound is None else (f"; the whole file checked ({'sound' if sound else 'CORRUPTED'}) "
                                        f"{time.perf_counter() - opened_at:.1f} s after the start")
    print(f"then in the background: project changes of {warmed} platforms kept warm in {warm_ms:.0f} ms; "
          f"trust settled ({judged:,} verdicts) and the book weighed again in {settle_ms:.0f} ms{checked}")
    print("\nreads:")
    figures.update(await reads(app, clock, platforms, options.read_calls))
    print("\ningestion:")
    await app.db.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")
    raw_path = str(folder / "raw.db")
    working_copy(path, Path(raw_path))
    figures.update(await ingestion(app, clock, raw_path, known, options.ingest, 50))
    figures["rss_mib"] = rss_mib()
    print(f"\nRSS of this process (the app and every read above): {figures['rss_mib']:.0f} MiB")
    await app.db.close()
    for suffix in ("", "-wal", "-shm"):
        Path(raw_path + suffix).unlink(missing_ok=True)
    if options.no_soak:
        figures.update(soak_cpu_ratio=None, soak_rss_growth_pct=None)
    else:
        print(f"\nsoak: a running `queuewatch run`, {options.soak_commands:,} commands from "
              f"{options.soak_members:,} members:")
        figures.update(await soak(working_copy(cached, folder / "soak.db"), known, options.soak_commands,
                                  options.soak_members))
    for key, target in TARGETS.items():
        print(f"  {key:34} {figures[key]:9.2f}   (target at 10M < {target}: "
              f"{'OK' if figures[key] < target else 'MISS'})")
    return figures


if __name__ == "__main__":
    asyncio.run(main())
