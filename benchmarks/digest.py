"""Benchmark: the weekly digest on a 1,000,000-report database, and an outbox fan-out of 10,000 alerts.

    .venv/bin/python benchmarks/digest.py [--reports 1000000] [--alerts 10000] [--realtime 600] [--keep DIR [--reuse]]

1. Generates 1,000,000 reports (100 platforms, 90 days, 20 communities) and ~2,000 status events, then
   times the full digest for 100 platforms, chart included (cold: first chart imports Pillow; warm).
2. Fans out 10,000 alerts through the real Alerts + Outbox against a fake Telegram that enforces 30
   messages per second (a strict sliding window; over the limit it answers 429 with Retry-After), on
   simulated time, and checks none are lost or sent twice. Then a shorter run on real time.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter, deque
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.clock import ManualClock
from bot.core.delivery import Destination, RetryableDeliveryError
from bot.core.model import Reply
from bot.features.digest import build_digest, digest_reply
from bot.settings import load_settings
from bot.wiring import build_app
from storage import aggregates

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DAYS = 90
PLATFORMS = [f"platform{n:03d}" for n in range(97)] + ["outlier", "dataannotation", "appen"]
KINDS = ("drought", "tasks_back", "drought", "tasks_back", "payrate", "paid_on_time", "paid_late", "payment_missing",
         "project_paused", "project_ended", "account_restricted")
COMMUNITIES = [f"telegram:-100{n}" for n in range(10)] + [f"discord:{n}" for n in range(10)] + [None]
LIMIT = 30  # messages per second the fake platform accepts


def settings_for(path: Path):
    """Settings on a database file, with a fixed secret."""
    return load_settings(database_url=f"sqlite:///{path}", queuewatch_secret="benchmark-secret-0123456789")


def generate(path: Path, reports: int) -> float:
    """Fill the reports and status_events tables quickly (indexes dropped and rebuilt); returns seconds."""
    started = time.perf_counter()
    rng = random.Random(7)
    end = int(NOW.timestamp())
    conn = sqlite3.connect(path)
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reports' "
                           "AND sql IS NOT NULL").fetchall()
    for name, _sql in indexes:
        conn.execute(f"DROP INDEX {name}")
    weights = [1 / (rank + 1) ** 0.7 for rank in range(len(PLATFORMS))]  # a few busy platforms, a long tail
    batch = 100_000
    for first in range(0, reports, batch):
        rows = []
        for n in range(first, min(reports, first + batch)):
            platform = rng.choices(PLATFORMS, weights)[0]
            kind = rng.choice(KINDS)
            at = end - int(rng.random() * DAYS * 86400)
            project = f"project{rng.randrange(30)}" if kind.startswith("project") else ""
            usd = round(rng.uniform(8, 45), 2) if kind == "payrate" else None
            rows.append((f"r{rng.randrange(60_000):05d}", platform, kind, project, n, at, at,
                         rng.choice(COMMUNITIES), usd, "generalist" if usd else None))
        with conn:
            conn.executemany(
                "INSERT INTO reports (reporter, platform, kind, project, window_start, created_at, updated_at, "
                "community, hourly_usd, role) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    events = []
    for platform in PLATFORMS:
        state = "flowing"
        for _ in range(20):
            new = rng.choice([s for s in ("flowing", "mixed", "drought") if s != state])
            events.append((platform, state, new, end - int(rng.random() * DAYS * 86400), rng.randrange(3, 40)))
            state = new
    events.sort(key=lambda e: e[3])
    with conn:
        conn.executemany("INSERT INTO status_events (platform, project, old_state, new_state, at, reporters, "
                         "confidence) VALUES (?, '', ?, ?, ?, ?, 0.7)", events)
        for _name, sql in indexes:
            conn.execute(sql)
        conn.execute("ANALYZE")
    conn.close()
    return time.perf_counter() - started


async def bench_digest(path: Path, reports: int, reuse: bool) -> None:
    seconds = 0.0
    if not (reuse and path.exists()):
        path.unlink(missing_ok=True)
        app = await build_app(settings_for(path), clock=ManualClock(NOW))
        await app.db.close()
        seconds = generate(path, reports)
    app = await build_app(settings_for(path), clock=ManualClock(NOW))
    try:
        if seconds:
            await aggregates.rebuild(app.db)  # the reports were written around storage/, which keeps the aggregates
        count = (await app.db.fetchone("SELECT count(*) FROM reports"))[0]
        print(f"database: {count:,} reports, {len(PLATFORMS)} platforms, {DAYS} days; "
              + (f"generated in {seconds:.1f} s" if seconds else "reused"))
        times = []
        for run in range(6):
            started = time.perf_counter()
            digest = await build_digest(app, "telegram:-1003", NOW, "Europe/London")
            reply = digest_reply(digest)
            times.append(time.perf_counter() - started)
            if run == 0:
                chart = path.parent / "digest-chart.png"
                chart.write_bytes(digest.chart.data)
        started = time.perf_counter()
        await build_digest(app, "telegram:-1003", NOW, "Europe/London", chart=False)
        no_chart = time.perf_counter() - started
        print(f"digest: {len(digest.status)} platforms in the status table ({len(reply.plain_text())} characters "
              f"after trimming), {len(digest.changes)} changes, {digest.reports_all:,} reports this week")
        print(f"digest with chart: cold {times[0] * 1000:.0f} ms (includes importing Pillow), "
              f"warm median {statistics.median(times[1:]) * 1000:.0f} ms, max {max(times[1:]) * 1000:.0f} ms; "
              f"queries only {no_chart * 1000:.0f} ms -> {'PASS' if max(times[1:]) < 1 else 'FAIL'} (< 1 s)")
        print(f"chart: {len(digest.chart.data):,} bytes at {chart}")
    finally:
        await app.db.close()


class SimulatedTime:
    """One simulated clock for wall time (app clock), pacing (monotonic) and sleeps."""

    def __init__(self, start: datetime) -> None:
        self.start = start.timestamp()
        self.seconds = 0.0

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.start + self.seconds, UTC)

    def monotonic(self) -> float:
        return self.seconds

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)  # sends already started run now, as they would during a real sleep
        self.seconds += seconds


class RealTime:
    """Real time, for the short real-time run."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    monotonic = staticmethod(time.monotonic)
    sleep = staticmethod(asyncio.sleep)


class StrictPlatform:
    """A fake sender that accepts at most LIMIT messages in any one-second window, else answers 429."""

    def __init__(self, clock) -> None:
        self.clock = clock
        self.recent: deque[float] = deque()
        self.delivered: Counter[str] = Counter()
        self.first = self.last = None
        self.rejected = 0

    async def send(self, destination: Destination, reply: Reply, first_part: int = 0, part_sent=None) -> None:
        now = self.clock.monotonic()
        while self.recent and self.recent[0] <= now - 1.0 + 1e-6:  # float noise below a microsecond
            self.recent.popleft()
        if len(self.recent) >= LIMIT:
            self.rejected += 1
            raise RetryableDeliveryError("429 Too Many Requests", retry_after=self.recent[0] + 1.0 - now)
        self.recent.append(now)
        self.delivered[destination.id] += 1
        self.first = now if self.first is None else self.first
        self.last = now
        if part_sent is not None:
            await part_sent(1)


async def bench_fanout(path: Path, alerts: int, time_source, label: str) -> None:
    path.unlink(missing_ok=True)
    app = await build_app(settings_for(path), clock=time_source)
    try:
        outbox = app.outbox
        outbox.monotonic = time_source.monotonic
        outbox.sleep = time_source.sleep
        platform = StrictPlatform(time_source)
        app.senders["telegram"] = platform
        scanner = app.alerts
        await scanner.scan()
        await app.db.executemany(
            "INSERT INTO subscriptions (platform, user_id, gig_platform, events, created_at) "
            "VALUES ('telegram', ?, 'outlier', 'drought_ended', 0)", [(str(10_000_000 + n),) for n in range(alerts)])
        await app.db.execute("INSERT INTO status_events (platform, project, old_state, new_state, at, reporters, "
                             "confidence) VALUES ('outlier', '', 'drought', 'flowing', ?, 9, 0.9)",
                             (int(time_source.now().timestamp()),))
        started = time.perf_counter()
        queued = await scanner.scan()
        fan_out = time.perf_counter() - started
        real_start = time.perf_counter()
        for _ in range(alerts * 10):
            pause = await outbox.run_once()
            states = dict(await app.db.fetchall("SELECT state, count(*) FROM outbox GROUP BY state"))
            if states.get("pending", 0) == 0:
                break
            await time_source.sleep(pause)
        real = time.perf_counter() - real_start
        span = platform.last - platform.first
        delivered = sum(platform.delivered.values())
        rate = (delivered - 1) / span if span else float("inf")
        twice = sum(1 for n in platform.delivered.values() if n > 1)
        lost = queued - len(platform.delivered)
        verdict = "PASS" if rate >= 0.95 * LIMIT and lost == 0 and twice == 0 else "FAIL"
        print(f"outbox fan-out ({label}): {queued:,} alerts queued in {fan_out:.2f} s; delivered {delivered:,} in "
              f"{span:.1f} s of {label} time ({real:.1f} s real): {rate:.2f} msg/s = {rate / LIMIT:.1%} of {LIMIT}/s; "
              f"429s {platform.rejected}; lost {lost}; sent twice {twice}; outbox {states} -> {verdict}")
    finally:
        await app.db.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--realtime", type=int, default=600, help="messages in the real-time run (0: skip)")
    parser.add_argument("--keep", type=Path, help="keep the database and chart in this folder")
    parser.add_argument("--reuse", action="store_true", help="reuse the report database kept by an earlier --keep")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        await bench_digest(folder / "reports.db", args.reports, args.reuse)
        await bench_fanout(folder / "fanout.db", args.alerts, SimulatedTime(NOW), "simulated")
        if args.realtime:
            await bench_fanout(folder / "fanout-real.db", args.realtime, RealTime(), "real")


if __name__ == "__main__":
    asyncio.run(main())
