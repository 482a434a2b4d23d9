"""Benchmark: SQLite and PostgreSQL side by side at 1,000,000 reports.

On each backend, from one run: ingestion through the dispatcher (/report end to end) with 1 and with 50 concurrent
reporters; /status <platform> and /status for all platforms, p99; the weekly digest (queries and chart); and the
outbox's throughput with 1, 2 and 4 worker processes (`queuewatch run --roles worker`, real subprocesses) against
a fake Telegram that allows 30 messages a second (SQLite serves one process: only the 1-worker figure). The last
lines are one JSON object per backend.

    .venv/bin/python benchmarks/backends.py [--reports 1000000] [--backends sqlite,postgresql] [--outbox-items 600]
        [--parts reads,outbox]

PostgreSQL is QUEUEWATCH_TEST_POSTGRES_URL's server when set, else one started from the `pgserver` wheel.
Targets on PostgreSQL: the scale issue's read targets (/status one p99 < 2 ms, all p99 < 20 ms, the digest
< 300 ms); the outbox at >= 95% of the limit (28.5 msg/s) with any number of workers, 0 lost, 0 duplicates. The
outbox lines also give the most message requests the fake saw in any one second (31 or more: the limit was
exceeded, and the fake answered 429) and its 429 answers.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.clock import ManualClock
from bot.core.model import Actor, Place, Platform, Reply
from bot.features.availability.reply import all_status, platform_status
from bot.features.digest import activity as digest_activity
from bot.features.digest.build import build_digest
from bot.features.knowledge.platforms import all_platforms
from bot.features.reports.recording import window_start
from bot.outbox.outbox import encode_reply
from bot.settings import load_settings
from bot.wiring import build_app
from storage import outbox as store
from storage.database import open_database
from storage.reports import UPSERT_REPORTS
from tests.support.pg_processes import BotProcess, fresh_database
from tests.telegram_fake import TOKEN, FakeBotApi, peak_per_second

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
DAYS = 90
PLATFORMS = 100
REPORTERS = 250_000
BATCH = 2_000  # reports per transaction (the triggers lock per reporter, and PostgreSQL's lock table is shared)
LIMIT = 30  # messages per second Telegram allows (and the fake enforces)
SECRET = "benchmark-secret-0123456789"
KIND_MIX = {"drought": 30, "tasks_back": 15, "project_paused": 3, "project_ended": 2, "paid_on_time": 15,
            "paid_late": 4, "payment_missing": 2, "account_restricted": 2, "payrate": 20, "onboarding": 7}


def p99_ms(samples: list[float]) -> float:
    """The 99th percentile in milliseconds."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


async def generate(db, dialect: str, count: int, platforms: list[str]) -> float:
    """Fill the reports table through the dialect's bulk upsert, in batches; seconds taken."""
    started = time.perf_counter()
    rng = random.Random(6)
    kinds = rng.choices(list(KIND_MIX), weights=list(KIND_MIX.values()), k=4096)
    end = int(NOW.timestamp())
    first_at = end - DAYS * 86400
    step = DAYS * 86400 / max(1, count)
    for first in range(0, count, BATCH):
        rows = []
        for i in range(first, min(count, first + BATCH)):
            at = int(first_at + i * step)
            kind = kinds[i % 4096]
            project = f"project{rng.randrange(20)}" if kind.startswith("project") else ""
            hourly = round(rng.lognormvariate(2.9, 0.4), 2) if kind == "payrate" else None
            rows.append((f"r{rng.randrange(REPORTERS):06d}", platforms[rng.randrange(len(platforms))], kind,
                         project, window_start(kind, at), at, at, None, hourly, "USD" if hourly else None, hourly,
                         "generalist" if hourly else None, None, None, None))
        await db.executemany(UPSERT_REPORTS[dialect], rows)
        print(f"\r  generated {min(count, first + BATCH):,} of {count:,} reports", end="", flush=True)
    print()
    return time.perf_counter() - started


async def ingest(app, clock: ManualClock, known: list[str], total: int, concurrent: int) -> tuple[float, int]:
    """/report through the dispatcher from `concurrent` reporters at once: (reports saved per second, reports the
    bot answered it could not save)."""
    place = Place(Platform.CONSOLE, "bench", "bench", is_private=False)
    whats = ["drought", "tasks_back", "paid_on_time"]
    tag = f"c{concurrent}"
    refused: list[str] = []

    async def reporter(lane: int) -> None:
        for n in range(lane, total, concurrent):
            actor = Actor(Platform.CONSOLE, f"bench-{tag}-{n}", "bench")
            args = {"platform": known[n % len(known)], "what": whats[n % len(whats)]}
            reply = await app.dispatcher.dispatch("report", args, actor, place)
            if reply.is_error:
                refused.append(reply.plain_text())

    started = time.perf_counter()
    await asyncio.gather(*(reporter(lane) for lane in range(concurrent)))
    seconds = time.perf_counter() - started
    if refused:
        print(f"  {len(refused)} of {total} reports not saved with {concurrent} at once, e.g. {refused[0]!r}")
    return (total - len(refused)) / seconds, len(refused)


async def reads(app, platforms: list[str], budget: float) -> tuple[float, float]:
    """(p99 of /status <platform>, p99 of /status for all platforms) in ms, after a refresh: 500 and 100 answers,
    or as many as `budget` seconds allow each (at least 10)."""
    rng = random.Random(7)
    now = app.clock.now()
    await app.availability.refresh_all()
    one, every = [], []
    until = time.perf_counter() + budget
    for n in range(500):
        platform = rng.choice(platforms)
        started = time.perf_counter()
        await platform_status(app, platform, platform, now)
        one.append(time.perf_counter() - started)
        if n >= 9 and time.perf_counter() > until:
            break
    until = time.perf_counter() + budget
    for n in range(100):
        started = time.perf_counter()
        await all_status(app, now)
        every.append(time.perf_counter() - started)
        if n >= 9 and time.perf_counter() > until:
            break
    if len(one) < 500 or len(every) < 100:
        print(f"  (within {budget:g} s: {len(one)} answers to /status <platform>, {len(every)} to /status)")
    return p99_ms(one), p99_ms(every)


async def digest_ms(app) -> float:
    """The slowest of 3 warm digest builds (queries and chart), in ms."""
    now = app.clock.now()  # the week up to now (the clock moved on during ingestion)
    await build_digest(app, "telegram:-1003", now, "Europe/London")  # warm: imports matplotlib
    times = []
    for _ in range(3):
        started = time.perf_counter()
        await build_digest(app, "telegram:-1003", now, "Europe/London")
        times.append(time.perf_counter() - started)
    return max(times) * 1000


async def outbox_run(url: str, workers: int, items: int, folder: Path) -> dict[str, float | int]:
    """Start `workers` worker processes, queue `items` messages to distinct chats, and measure the delivery."""
    fake = await FakeBotApi(overall_limit=LIMIT).start()
    env = {"DATABASE_URL": url, "QUEUEWATCH_SECRET": SECRET, "QUEUEWATCH_FX_URL": "", "LOG_LEVEL": "INFO",
           "QUEUEWATCH_HTTP_PORT": "0", "TELEGRAM_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url,
           "QUEUEWATCH_SECRET_FILE": str(folder / "unused.key")}
    processes = [BotProcess(f"worker-{workers}-{n}", "worker", env, folder) for n in range(workers)]
    base = 10_000_000 * workers
    try:
        for process in processes:
            await process.start()
        for process in processes:
            await process.wait_log("outbox adapter started", timeout=180)
        db = await open_database(url)
        try:
            now = time.time()
            async with db.transaction() as tx:
                for n in range(items):
                    await store.add(tx, f"bench:{workers}:{n}", "telegram", "user", str(base + n), "alerts", "bench",
                                    encode_reply(Reply(blocks=[f"message {n}"])), now)
        finally:
            await db.close()
        chats = set(range(base, base + items))
        deadline = time.monotonic() + items / LIMIT * 3 + 30
        # The fake stands for Telegram's servers: the times it notes must not include this process's own pauses.
        # A full garbage collection here (the app and its tests loaded) halts it ~100 ms, and the requests that
        # waited meanwhile would be noted as arriving together.
        gc.freeze()
        gc.disable()
        try:
            while time.monotonic() < deadline:
                if len({c.chat_id for c in fake.sent() if c.chat_id in chats}) == items:
                    break
                await asyncio.sleep(0.2)
            await asyncio.sleep(1.0)
        finally:
            gc.enable()
        sent = [c for c in fake.sent() if c.chat_id in chats]
        per_chat = collections.Counter(c.chat_id for c in sent)
        times = sorted(c.at for c in sent)
        rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
        limited = sum(1 for c in fake.calls if c.status == 429)
        return {"rate": round(rate, 2), "lost": items - len(per_chat), "duplicates": len(sent) - len(per_chat),
                "limited": limited, "peak": peak_per_second(sorted(c.at for c in fake.calls if c.chat_id in chats
                                                                   and c.method == "sendMessage"))}
    finally:
        await asyncio.gather(*(p.stop() for p in processes))
        await fake.close()


async def postgres_url(tag: str) -> str:
    """An empty database on the benchmark's PostgreSQL server."""
    from tests.support.backends import PGDATA, URL_VARIABLE

    admin = os.environ.get(URL_VARIABLE, "").strip()
    if not admin:
        import pgserver

        admin = pgserver.get_server(PGDATA, cleanup_mode="stop").get_uri()
    return await fresh_database(admin, tag)


async def bench(backend: str, options: argparse.Namespace, folder: Path) -> dict[str, object]:
    url = f"sqlite:///{folder / 'bench.db'}" if backend == "sqlite" else await postgres_url("bench")
    size = f"{options.reports:,} reports" if "reads" in options.parts else "outbox only, no reports"
    print(f"\n== {backend}: {size} ==")
    clock = ManualClock(NOW)
    settings = load_settings(database_url=url, queuewatch_secret=SECRET, queuewatch_fx_url="",
                             queuewatch_http_port=0)
    app = await build_app(settings, clock=clock)
    ingest_1 = ingest_50 = one = every = digest = None
    refused = 0
    try:
        known = [p.id for p in all_platforms(app)]
        platforms = (known + [f"synthetic{i:03d}" for i in range(PLATFORMS)])[:PLATFORMS]
        if "reads" in options.parts:
            seconds = await generate(app.db, app.db.dialect, options.reports, platforms)
            print(f"generated in {seconds:.1f} s")
            started = time.perf_counter()
            # What a running bot has done by then: its worker took the reports into who took part (the digest
            # otherwise takes a batch of the backlog each time), and PostgreSQL's autovacuum analysed the tables.
            await digest_activity.catch_up(app)
            if app.db.dialect == "postgresql":
                await app.db.execute("ANALYZE")
            print(f"activity caught up{' and tables analysed' if app.db.dialect == 'postgresql' else ''} in "
                  f"{time.perf_counter() - started:.1f} s")
            ingest_1, refused_1 = await ingest(app, clock, known, options.ingest, 1)
            clock.advance(hours=2)
            ingest_50, refused_50 = await ingest(app, clock, known, options.ingest, 50)
            refused = refused_1 + refused_50
            clock.advance(hours=2)
            print(f"ingestion: {ingest_1:.0f}/s with 1 reporter, {ingest_50:.0f}/s with 50 at once")
            one, every = await reads(app, platforms, options.read_budget)
            print(f"/status one p99 {one:.1f} ms, all p99 {every:.1f} ms")
            digest = await digest_ms(app)
            print(f"digest {digest:.0f} ms")
    finally:
        await app.db.close()
    outbox: dict[str, float | None] = {}
    peaks: dict[str, int | None] = {}
    lost = duplicates = limited = 0
    for workers in (1, 2, 4):
        if "outbox" not in options.parts:
            continue
        if backend == "sqlite" and workers > 1:
            outbox[str(workers)] = peaks[str(workers)] = None  # one process per SQLite database
            continue
        result = await outbox_run(url, workers, options.outbox_items, folder)
        outbox[str(workers)] = result["rate"]
        peaks[str(workers)] = int(result["peak"])
        lost += int(result["lost"])
        duplicates += int(result["duplicates"])
        limited += int(result["limited"])
        print(f"outbox with {workers} worker(s): {result['rate']:.1f} msg/s against {LIMIT}/s "
              f"({result['rate'] / LIMIT:.0%}); lost {result['lost']}, duplicates {result['duplicates']}, "
              f"at most {result['peak']} in any second, 429s {result['limited']}; "
              f"load average {os.getloadavg()[0]:.2f}")

    def rounded(value: float | None, digits: int) -> float | None:
        return None if value is None else round(value, digits)

    return {"backend": backend, "reports": options.reports if "reads" in options.parts else None,
            "ingest_1_per_s": rounded(ingest_1, 1), "ingest_50_per_s": rounded(ingest_50, 1),
            "ingest_not_saved": refused,
            "status_one_p99_ms": rounded(one, 2), "status_all_p99_ms": rounded(every, 2),
            "digest_ms": rounded(digest, 1), "outbox_msg_per_s": outbox, "limit_per_s": LIMIT, "lost": lost,
            "duplicates": duplicates, "outbox_peak_per_s": peaks, "outbox_429s": limited}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000, help="reports generated per backend")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--ingest", type=int, default=2000, help="/report calls per ingestion figure")
    parser.add_argument("--outbox-items", type=int, default=600, help="messages per outbox run (600: 20 s at 30/s)")
    parser.add_argument("--parts", default="reads,outbox", help="what to measure: reads (with ingestion), outbox")
    parser.add_argument("--read-budget", type=float, default=60.0, help="seconds at most for each p99's samples")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="queuewatch-backends-"))
    results = [await bench(name.strip(), options, folder) for name in options.backends.split(",") if name.strip()]
    print()
    for result in results:
        print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
