"""The scale benchmark's database: N reports over 100 platforms and 90 days, generated in bulk and cached.

Reporters are spread over 50 communities (and private chats) with newcomer bursts (a few thousand new members
joining one community within hours, reporting one platform), activity skewed (a few busy reporters, a long
tail), status events written for every platform and busy projects, hidden rows, pay reports with roles and
currencies, payment and onboarding reports, repeats and notes. The schema is made by the app's migrations;
the rows are loaded with raw sqlite3 executemany (indexes and triggers dropped, rebuilt after; the tables the
triggers keep are recomputed), then the app's aggregate rebuild runs when the app has one.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from bot.core.clock import ManualClock
from bot.features.reports.kinds import KINDS
from bot.features.reports.recording import ROLE_TIERS
from bot.settings import load_settings
from storage.database import SqliteDatabase

GENERATOR_VERSION = 2  # bump when the generated data changes, so old caches are not reused
CACHE = Path(__file__).resolve().parent.parent / ".cache"  # benchmarks/.cache/
SECRET = "benchmark-secret-0123456789"
PLATFORMS = 100
DAYS = 90
CHUNK = 500_000
COMMUNITIES = [f"telegram:-100{1000 + i}" for i in range(30)] + [f"discord:{9000 + i}" for i in range(20)]
KIND_MIX = {  # share of each kind in the generated data
    "drought": 30, "tasks_back": 15, "project_paused": 3, "project_ended": 2, "paid_on_time": 15, "paid_late": 4,
    "payment_missing": 2, "account_restricted": 2, "payrate": 20, "onboarding": 7,
}
CURRENCIES = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79}
BURSTS = 30  # newcomer bursts over the 90 days
BURST_SHARE = 0.15  # of reporters, who arrive in a burst
PROJECT_KINDS = ("project_paused", "project_ended")
COLUMNS = ("reporter, platform, kind, project, window_start, created_at, updated_at, community, amount, currency, "
           "hourly_usd, role, hours, paid, note, hidden, repeats")
BULK_INSERT = f"INSERT OR IGNORE INTO reports ({COLUMNS}) VALUES ({', '.join('?' * 17)})"


def anchor() -> datetime:
    """The generated history ends at the start of today (UTC), so a bot started now sees it as recent."""
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def settings_for(path: Path):
    """Settings on a database file, with the benchmark's fixed secret."""
    return load_settings(database_url=f"sqlite:///{path}", queuewatch_secret=SECRET)


def platform_ids(known: list[str]) -> list[str]:
    """The known platform ids, then synthetic ones up to PLATFORMS."""
    return (known + [f"synthetic{i:03d}" for i in range(PLATFORMS - len(known))])[:PLATFORMS]


def cache_path(reports: int, now: datetime) -> Path:
    """Where the database of this size and day is cached."""
    return CACHE / f"scale-{reports}-{now:%Y%m%d}-v{GENERATOR_VERSION}.db"


async def cached_database(reports: int, now: datetime, platforms: list[str]) -> tuple[Path, float]:
    """The cached database (generated first if missing); seconds spent generating (0 when reused)."""
    path = cache_path(reports, now)
    if path.exists():
        return path, 0.0
    CACHE.mkdir(exist_ok=True)
    for stale in CACHE.glob(f"scale-{reports}-*.db*"):
        stale.unlink()
    building = path.with_suffix(".building")
    building.unlink(missing_ok=True)
    started = time.perf_counter()
    db = await SqliteDatabase.open(str(building))
    await db.migrate()
    await db.close()
    bulk_load(building, reports, platforms, int(now.timestamp()))
    log(f"aggregates: {await rebuild_aggregates(building, now)}")
    await ran_until_yesterday(building, now)
    log("the bot's history: availability refreshed and trust settled as of a day ago")
    for suffix in ("-wal", "-shm"):
        Path(str(building) + suffix).unlink(missing_ok=True)
    building.rename(path)
    return path, time.perf_counter() - started


def working_copy(source: Path, target: Path) -> Path:
    """A copy of the cached database to measure on (the benchmark writes to it)."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


_STARTED = time.perf_counter()


def log(step: str) -> None:
    """Progress of the generation, with the seconds since it began."""
    print(f"  [{time.perf_counter() - _STARTED:6.1f} s] {step}", flush=True)


def bulk_load(path: Path, count: int, platforms: list[str], now: int) -> None:
    """Fill reports and status events fast: drop indexes and triggers on reports, executemany, rebuild."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -2000000", "temp_store = MEMORY",
                   "threads = 2"):
        conn.execute(f"PRAGMA {pragma}")
    schema = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'reports' "
                          "AND type IN ('index', 'trigger') AND sql IS NOT NULL").fetchall()
    for kind, name, _sql in schema:
        conn.execute(f"DROP {kind.upper()} {name}")
    rng = np.random.default_rng(15)
    who = Reporters(rng, max(2_000, count // 40), now)
    reporter = rng.choice(len(who.keys), count, p=who.p)
    arrival = who.arrival[reporter]
    at = (arrival + rng.random(count) ** 0.7 * (now - arrival)).astype(np.int64)  # newcomers report soon after
    order = np.argsort(at, kind="stable")  # ids in time order, as the bot writes them
    reporter, at = reporter[order], at[order]
    del arrival, order
    log("reporters and times")
    conn.execute("BEGIN")
    for first in range(0, count, CHUNK):
        part = slice(first, first + CHUNK)
        conn.executemany(BULK_INSERT, report_rows(rng, reporter[part], at[part], who, platforms))
    conn.execute("COMMIT")
    log("rows inserted")
    conn.execute("BEGIN")
    for _kind, name, sql in schema:
        conn.execute(sql)
        log(f"rebuilt {name}")
    recompute_trigger_tables(conn)
    log("trigger tables")
    write_status_events(conn, rng, platforms, now)
    conn.execute("COMMIT")  # no ANALYZE: the bot never runs it, so its planner has no statistics either
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()


class Reporters:
    """Who reports: keyed-hash-like ids, a home community, an arrival time and how active each is."""

    def __init__(self, rng: np.random.Generator, n: int, now: int) -> None:
        start = now - DAYS * 86400
        halves = rng.integers(0, 2**63, (n, 2), dtype=np.int64).tolist()
        self.keys = np.array([f"{a:016x}{b:016x}" for a, b in halves], dtype=object)  # like the keyed hashes
        weights = 1 / np.arange(1, len(COMMUNITIES) + 1) ** 0.8
        self.community = rng.choice(len(COMMUNITIES), n, p=weights / weights.sum())
        self.arrival = rng.uniform(start - 180 * 86400, now - 3600, n).clip(start, None)  # many were there before
        self.burst_platform = np.full(n, -1)
        bursty = rng.random(n) < BURST_SHARE
        burst = rng.integers(0, BURSTS, n)
        burst_at = rng.uniform(start, now - 6 * 3600, BURSTS)
        self.arrival[bursty] = burst_at[burst[bursty]] + rng.uniform(0, 4 * 3600, bursty.sum())
        self.community[bursty] = burst[bursty] % len(COMMUNITIES)
        self.burst_platform[bursty] = burst[bursty] % 10  # bursts are about the busiest platforms
        activity = rng.lognormal(0, 1.2, n)
        self.p = activity / activity.sum()


def report_rows(rng: np.random.Generator, reporter: np.ndarray, at: np.ndarray, who: Reporters,
                platforms: list[str]):
    """Report rows (the columns of BULK_INSERT) for these reporters and times, built column-wise."""
    n = len(reporter)
    weights = 1 / np.arange(1, len(platforms) + 1) ** 0.8
    platform = rng.choice(len(platforms), n, p=weights / weights.sum())
    burst = who.burst_platform[reporter]
    on_burst = (burst >= 0) & (rng.random(n) < 0.6)
    platform[on_burst] = burst[on_burst]
    kinds = list(KIND_MIX)
    shares = np.array(list(KIND_MIX.values()), dtype=float)
    kind = rng.choice(len(kinds), n, p=shares / shares.sum())
    kind[on_burst] = 0  # a burst is newcomers crying drought
    window_start = at - at % np.array([KINDS[k].window for k in kinds])[kind]
    with_project = np.isin(kind, [kinds.index(k) for k in PROJECT_KINDS]) | ((kind < 2) & (rng.random(n) < 0.1))
    project = np.where(with_project, np.array([f"project{i}" for i in range(30)], dtype=object)[
        rng.integers(0, 30, n)], "")
    community = np.array(COMMUNITIES, dtype=object)[who.community[reporter]]
    community[rng.random(n) < 0.15] = None  # reported in a private chat
    is_pay, is_onboarding = kind == kinds.index("payrate"), kind == kinds.index("onboarding")
    usd = np.round(rng.lognormal(2.9, 0.35, n) * (1 + platform % 7 / 10), 2)
    currency = rng.choice(len(CURRENCIES), n, p=[0.8, 0.12, 0.08])
    amount = np.round(usd * np.array(list(CURRENCIES.values()))[currency], 2)
    none = np.full(n, None, dtype=object)
    roles = np.array([*ROLE_TIERS, None], dtype=object)[rng.integers(0, len(ROLE_TIERS) + 1, n)]
    notes = np.where(rng.random(n) < 0.01, "queue empty all morning", None)
    columns = [
        who.keys[reporter], np.array(platforms, dtype=object)[platform], np.array(kinds, dtype=object)[kind],
        project, window_start, at, at, community,
        np.where(is_pay, amount.astype(object), none), np.where(is_pay, np.array(list(CURRENCIES), dtype=object)[
            currency], none), np.where(is_pay, usd.astype(object), none), np.where(is_pay, roles, none),
        np.where(is_onboarding, np.round(rng.uniform(0.5, 40, n), 1).astype(object), none),
        np.where(is_onboarding, (rng.random(n) < 0.3).astype(int).astype(object), none), notes,
        (rng.random(n) < 0.003).astype(int), np.where(rng.random(n) < 0.1, rng.integers(1, 4, n), 0),
    ]
    return zip(*(column.tolist() for column in columns), strict=True)


def recompute_trigger_tables(conn: sqlite3.Connection) -> None:
    """The tables the reports triggers keep (migration 0014), computed once from the loaded rows."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "reporter_first_seen" in tables:
        conn.execute("DELETE FROM reporter_first_seen")
        conn.execute("INSERT INTO reporter_first_seen (reporter, community, first_at) SELECT reporter, "
                     "coalesce(community, ''), min(created_at) FROM reports GROUP BY reporter, coalesce(community, '')")
    if "report_totals" in tables:
        conn.execute("DELETE FROM report_totals")
        conn.execute("INSERT INTO report_totals (platform, kind, n) SELECT platform, kind, count(*) FROM reports "
                     "WHERE hidden = 0 GROUP BY platform, kind")


def write_status_events(conn: sqlite3.Connection, rng: np.random.Generator, platforms: list[str], now: int) -> None:
    """State changes for every platform (busier ones change more often) and some projects; the current state."""
    start = now - DAYS * 86400
    events, current = [], {}
    for rank, platform in enumerate(platforms):
        for project in ["", *(f"project{n}" for n in range(3 if rank < 20 else 0))]:
            state, at = "none", start
            changes = int(400 / (rank + 1) ** 0.5) + 5
            for at in np.sort(rng.uniform(start, now - 600, changes)).astype(int).tolist():
                new = rng.choice([s for s in ("flowing", "mixed", "drought") if s != state])
                events.append((platform, project, state, str(new), at, int(rng.integers(3, 40)),
                               round(float(rng.uniform(0.4, 0.95)), 3)))
                state = str(new)
            current[(platform, project)] = (state, at, events[-1][5], events[-1][6])
    events.sort(key=lambda e: e[4])
    conn.executemany("INSERT INTO status_events (platform, project, old_state, new_state, at, reporters, confidence) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)", events)
    conn.executemany("INSERT OR REPLACE INTO availability_state (platform, project, state, since, reporters, "
                     "confidence) VALUES (?, ?, ?, ?, ?, ?)", [(*key, *value) for key, value in current.items()])


async def ran_until_yesterday(path: Path, now: datetime) -> None:
    """What a bot that ran until a day ago leaves: its availability refreshed and trust settled then."""
    from bot.wiring import build_app

    app = await build_app(settings_for(path), clock=ManualClock(now - timedelta(days=1)))
    try:
        await app.availability.refresh_all()
        await app.db.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await app.db.close()


async def rebuild_aggregates(path: Path, now: datetime) -> str:
    """Run the app's aggregate rebuild (`queuewatch aggregates rebuild`) on the loaded rows; returns what it did."""
    from bot.wiring import build_app
    from storage import aggregates

    app = await build_app(settings_for(path), clock=ManualClock(now - timedelta(days=1)))
    try:
        platforms = await aggregates.rebuild(app.db)
    finally:
        await app.db.close()
    return f"rebuilt for {platforms} platforms"
