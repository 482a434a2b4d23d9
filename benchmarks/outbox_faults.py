"""Benchmark: the outbox fan-out with injected faults, beside a fault-free baseline.

    .venv/bin/python benchmarks/outbox_faults.py [--items 2000] [--destinations 400] [--kills 2]

1. baseline: ITEMS messages to DESTINATIONS Telegram chats through the real Outbox on a real SQLite file, against a
   fake platform that accepts at most 30 messages in any second (above that it answers 429 with Retry-After), on
   simulated time (pacing sleeps move a simulated clock; everything else runs in real time).
2. faults: the same fan-out while another connection takes the database's write lock for 0.3 s at every 50th
   arrival, the disk is full for 2 s at every 400th arrival (every write refused, as the database reports a
   full disk), 2% of sends arrive but answer only after the outbox's timeout, and 1% hang before arriving.
3. kill: a subprocess delivers ITEMS messages (unpaced) through a sender that notes each arrival in a file (what
   the platform received), is SIGKILLed mid-run KILLS times and restarted until everything is delivered.

The last line is one JSON object with the totals of the faulty runs (2 and 3): queued, delivered, lost,
duplicates (arrivals beyond the first), uncertain (sends whose outcome was unknown: each may be one duplicate),
msg_per_s (the faulty fan-out's pace, simulated time) and limit_per_s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import tempfile
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.delivery import Destination, Origin, RetryableDeliveryError
from bot.core.model import Reply
from bot.outbox.outbox import RateLimits
from bot.settings import load_settings
from bot.wiring import App, build_app
from storage import outbox as store
from tests.support.faults import FaultyDatabase, WriteLock

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LIMIT = 30  # messages per second the fake platform accepts
LOCK_WAIT = 0.05  # how long the database retries a locked write (2 s in production): short, so locks are hit
LOCK_EVERY, LOCK_SECONDS = 50, 0.3
FULL_EVERY, FULL_SECONDS = 400, 2.0  # simulated seconds the disk stays full
LATE_EVERY, HANG_EVERY = 50, 100  # 2% answer after the timeout, 1% hang before arriving
SEND_TIMEOUT = 0.05  # real seconds the outbox waits for an answer (60 s in production)
UNFINISHED = ("pending", "sending", "uncertain")


def settings_for(path: Path):
    """Settings on a database file, with a fixed secret."""
    return load_settings(database_url=f"sqlite:///{path}", queuewatch_secret="benchmark-secret-0123456789")


class SimulatedTime:
    """A clock that moves only when the outbox sleeps (after letting the sends already started run)."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.seconds = 0.0

    def now(self) -> datetime:
        """The simulated wall time."""
        return self.start + timedelta(seconds=self.seconds)

    def monotonic(self) -> float:
        """Simulated seconds since the start."""
        return self.seconds

    async def sleep(self, seconds: float) -> None:
        """Let the sends already started run, then move the clock."""
        await asyncio.sleep(0)
        self.seconds += seconds


@dataclass
class Platform:
    """A fake Telegram: at most LIMIT messages in any second (else a 429), every arrival noted; faults injected
    as arrivals come in."""

    clock: SimulatedTime
    faults: bool = False
    lock: WriteLock | None = None
    db: FaultyDatabase | None = None
    recent: deque = field(default_factory=deque)
    arrived: Counter = field(default_factory=Counter)
    times: list = field(default_factory=list)  # (simulated time, title, first arrival?)
    rejected: int = 0
    full: int = 0
    late: int = 0
    hung: set = field(default_factory=set)

    async def send(self, destination: Destination, reply: Reply, first_part: int = 0, part_sent=None) -> None:
        """Accept one message (one part) within the limit, injecting this run's faults."""
        if first_part > 0:
            return
        title = reply.title or ""
        number = int(title[1:])
        if self.faults and number % HANG_EVERY == 7 and title not in self.hung:
            self.hung.add(title)
            await asyncio.sleep(SEND_TIMEOUT * 4)  # hangs before it arrives: times out; the retry arrives once
        now = self.clock.monotonic()
        while self.recent and self.recent[0] <= now - 1.0 + 1e-6:
            self.recent.popleft()
        if len(self.recent) >= LIMIT:
            self.rejected += 1
            raise RetryableDeliveryError("429 Too Many Requests", retry_after=self.recent[0] + 1.0 - now)
        self.recent.append(now)
        first = title not in self.arrived
        self.arrived[title] += 1
        self.times.append((now, title, first))
        count = len(self.times)
        if self.faults and first:
            if count % LOCK_EVERY == 0 and self.lock is not None:
                self.lock.take(LOCK_SECONDS)  # another process writes just as this message arrives
            if count % FULL_EVERY == 0 and self.db is not None:
                full_until = now + FULL_SECONDS  # the disk fills up: every write is refused for a while
                self.db.fail_while(lambda: self.clock.monotonic() < full_until)
                self.full += 1
            if number % LATE_EVERY == 3:
                self.late += 1
                await asyncio.sleep(SEND_TIMEOUT * 4)  # it arrived, but the answer comes after the timeout
        if part_sent is not None:
            await part_sent(1)


async def queue(app: App, items: int, destinations: int) -> None:
    """Queue `items` messages titled m0, m1, ... to `destinations` private chats."""
    async with app.db.transaction() as tx:
        for n in range(items):
            dest = Destination("telegram", "user", str(10_000_000 + n % destinations))
            await app.outbox.enqueue(f"bench:{n}", dest, Reply(title=f"m{n}", blocks=["Tasks are back"]),
                                     Origin("sub", ""), db=tx)


async def unfinished(app: App) -> int:
    """How many messages still wait to be sent (or are being sent)."""
    counts = await store.counts(app.db)
    return sum(counts.get(state, 0) for state in UNFINISHED)


@dataclass
class Result:
    """What one run measured."""

    label: str
    queued: int
    arrived: Counter
    uncertain: int
    states: dict
    rate: float
    real: float
    extra: str = ""

    @property
    def delivered(self) -> int:
        """Messages that arrived at least once."""
        return len(self.arrived)

    @property
    def duplicates(self) -> int:
        """Arrivals beyond the first of each message."""
        return sum(n - 1 for n in self.arrived.values())

    def line(self) -> str:
        """The run's figures in one line, with a verdict."""
        lost = self.queued - self.delivered
        verdict = "PASS" if lost == 0 and self.duplicates <= self.uncertain else "FAIL"
        rate = f"{self.rate:.2f} msg/s = {self.rate / LIMIT:.1%} of {LIMIT}/s; " if self.rate else ""
        return (f"{self.label}: queued {self.queued:,}; delivered {self.delivered:,}; lost {lost}; duplicates "
                f"{self.duplicates}; uncertain {self.uncertain}; {rate}{self.real:.1f} s real; {self.extra}"
                f"outbox {self.states} -> {verdict}")


async def fan_out(folder: Path, items: int, destinations: int, faults: bool) -> Result:
    """The paced fan-out on simulated time, with or without faults."""
    path = folder / f"fanout-{'faults' if faults else 'baseline'}.db"
    path.unlink(missing_ok=True)
    clock = SimulatedTime(NOW)
    app = await build_app(settings_for(path), clock=clock)
    lock = WriteLock(path) if faults else None
    try:
        app.db.retry_seconds = LOCK_WAIT
        outbox = app.outbox
        outbox.sleep = clock.sleep
        outbox.send_timeout = SEND_TIMEOUT
        await queue(app, items, destinations)
        platform = Platform(clock, faults=faults, lock=lock)
        if faults:
            platform.db = app.db = FaultyDatabase(app.db)
        app.senders["telegram"] = platform
        started = time.perf_counter()
        for _ in range(items * 20):
            try:
                pause = await outbox.run_once()
            except Exception as exc:  # as the outbox service does: log, pause, go on
                print(f"  round failed: {exc}")
                pause = 5.0
            if not await unfinished(app):
                break
            await clock.sleep(pause)
        real = time.perf_counter() - started
        rate = paced_rate(platform.times, platform.hung)
        refused = platform.db.refused if platform.db else 0
        extra = (f"429s {platform.rejected}; locks taken {lock.times if lock else 0}; disk full {platform.full} times "
                 f"({refused} writes refused); answered late {platform.late}; hung {len(platform.hung)}; ") if faults \
            else \
            f"429s {platform.rejected}; "
        return Result("faults" if faults else "baseline", items, platform.arrived,
                      await store.uncertain_total(app.db), await store.counts(app.db), rate, real, extra)
    finally:
        if lock is not None:
            lock.close()
        await app.db.close()


def paced_rate(times: list[tuple[float, str, bool]], retried: set[str]) -> float:
    """Arrivals per second from the first to the last first arrival of a message that was never retried (the
    retry of an uncertain send waits its delay on purpose, so it is left out of the pace)."""
    firsts = [t for t, title, first in times if first and title not in retried]
    if len(firsts) < 2:
        return 0.0
    end = max(firsts)
    in_stretch = [t for t, _title, _first in times if t <= end]
    return (len(in_stretch) - 1) / (end - min(firsts)) if end > min(firsts) else 0.0


# ---- the SIGKILL run: a child process delivering, killed and restarted ----------------------------------

class FileSender:
    """Notes each arrival in a file (as the platform would have it) before answering."""

    def __init__(self, log: Path) -> None:
        self.fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)

    async def send(self, destination: Destination, reply: Reply, first_part: int = 0, part_sent=None) -> None:
        """Deliver one message (one part), noting it in the file before the answer."""
        if first_part > 0:
            return
        await asyncio.sleep(0.001)  # the request on its way
        os.write(self.fd, f"{reply.title}\n".encode())  # the platform has it: survives our SIGKILL
        await asyncio.sleep(0.001)  # the answer on its way
        if part_sent is not None:
            await part_sent(1)


async def child(path: Path, log: Path) -> None:
    """Deliver everything due (unpaced, real time) and exit; the parent may SIGKILL this at any moment."""
    app = await build_app(settings_for(path))
    outbox = app.outbox
    outbox.limits = RateLimits({})  # unpaced: this run is about a kill, not about pace
    outbox.lease_seconds = 1.0  # a killed claimer's lease runs out soon (2 minutes in production)
    outbox.uncertain_delay = 0.2
    app.senders["telegram"] = FileSender(log)
    while await unfinished(app):
        pause = await outbox.run_once()
        await outbox.wait(pause)
    await app.db.close()


def arrivals(log: Path) -> Counter:
    """Arrivals per message title, from the child's file."""
    return Counter(log.read_text().split()) if log.exists() else Counter()


async def killed_run(folder: Path, items: int, destinations: int, kills: int) -> Result:
    """Queue, run the child, SIGKILL it `kills` times mid-run, restart it until it finishes."""
    path, log = folder / "killed.db", folder / "arrived.log"
    path.unlink(missing_ok=True)
    log.unlink(missing_ok=True)
    app = await build_app(settings_for(path))
    await queue(app, items, destinations)
    await app.db.close()
    started = time.perf_counter()
    runs = killed = 0
    while True:
        runs += 1
        process = await asyncio.create_subprocess_exec(sys.executable, __file__, "--child", str(path), str(log))
        if killed < kills:
            target = items * (killed + 1) // (kills + 1)
            while process.returncode is None and sum(arrivals(log).values()) < target:
                await asyncio.sleep(0.005)
            if process.returncode is None:
                process.send_signal(signal.SIGKILL)
                killed += 1
        if await process.wait() == 0:
            break
    real = time.perf_counter() - started
    app = await build_app(settings_for(path))
    try:
        return Result("kill", items, arrivals(log), await store.uncertain_total(app.db), await store.counts(app.db),
                      0.0, real, f"SIGKILLs {killed}; runs {runs}; ")
    finally:
        await app.db.close()


async def main() -> None:
    """Run the baseline and the faulty runs, print their figures and the JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2_000)
    parser.add_argument("--destinations", type=int, default=400)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--child", nargs=2, type=Path, metavar=("DB", "LOG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the outbox warns of every injected fault; errors still show
    if args.child:
        await child(*args.child)
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        baseline = await fan_out(folder, args.items, args.destinations, faults=False)
        print(baseline.line())
        faulty = await fan_out(folder, args.items, args.destinations, faults=True)
        print(faulty.line())
        killed = await killed_run(folder, args.items, args.destinations, args.kills)
        print(killed.line())
    runs = (faulty, killed)
    queued = sum(r.queued for r in runs)
    delivered = sum(r.delivered for r in runs)
    print(json.dumps({"queued": queued, "delivered": delivered, "lost": queued - delivered,
                      "duplicates": sum(r.duplicates for r in runs), "uncertain": sum(r.uncertain for r in runs),
                      "msg_per_s": round(faulty.rate, 2), "limit_per_s": LIMIT}))


if __name__ == "__main__":
    asyncio.run(main())
