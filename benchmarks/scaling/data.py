"""The scale benchmark's database: N reports over 100 platforms and 90 days, generated in bulk and cached.

Reporters are spread over 50 communities (and private chats) with newcomer bursts (a few thousand new members
joining one community within hours, reporting one platform), activity skewed (a few busy reporters, a long
tail), status events written for every platform and busy projects, hidden rows, pay reports with roles and
currencies, payment and onboarding reports, repeats and notes. The schema is made by the app's migrations;
the rows are made column-wise in numpy and decoded by SQLite itself from one fixed-width blob per chunk (the
triggers on reports dropped meanwhile; the tables they keep, and the aggregates, are computed after in numpy, equal
to what the app's own rebuilds give: tests/test_scale_data.py compares them).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from bot.core.clock import ManualClock
from bot.features.reports.kinds import AVAILABILITY_KINDS, KINDS, PROJECT_KINDS
from bot.features.reports.recording import ROLE_TIERS
from bot.settings import load_settings
from storage import activity, aggregates
from storage.database import SqliteDatabase

GENERATOR_VERSION = 4  # bump when the generated data changes, so old caches are not reused
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
COLUMNS = ("reporter, platform, kind, project, window_start, created_at, updated_at, community, amount, currency, "
           "hourly_usd, role, hours, paid, note, hidden, repeats")


def anchor() -> datetime:
    """The generated history ends at the start of today (UTC), so a bot started now sees it as recent."""
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def reusable_anchor(reports: int, days: int = DAYS) -> datetime:
    """Today's anchor, or, while today's database of this size is not cached yet, the day of the newest cached one:
    its history ends then, and the benchmarks start their clocks there (so a cached database serves the next days
    too, instead of being generated again at midnight; the soak alone runs on the real clock)."""
    today = anchor()
    found = sorted(CACHE.glob(f"{_stem(reports, days)}-*-v{GENERATOR_VERSION}.db"))
    if cache_path(reports, today, days).exists() or not found:
        return today
    return datetime.strptime(found[-1].name.split("-")[2], "%Y%m%d").replace(tzinfo=UTC)


def settings_for(path: Path):
    """Settings on a database file, with the benchmark's fixed secret."""
    return load_settings(database_url=f"sqlite:///{path}", queuewatch_secret=SECRET)


def platform_ids(known: list[str]) -> list[str]:
    """The known platform ids, then synthetic ones up to PLATFORMS."""
    return (known + [f"synthetic{i:03d}" for i in range(PLATFORMS - len(known))])[:PLATFORMS]


def _stem(reports: int, days: int) -> str:
    return f"scale-{reports}" + ("" if days == DAYS else f"x{days}d")


def cache_path(reports: int, now: datetime, days: int = DAYS) -> Path:
    """Where the database of this size, span and day is cached."""
    return CACHE / f"{_stem(reports, days)}-{now:%Y%m%d}-v{GENERATOR_VERSION}.db"


async def cached_database(reports: int, now: datetime, platforms: list[str], days: int = DAYS) -> tuple[Path, float]:
    """The cached database (generated first if missing; migrations added since applied to it once, so each run's
    copy opens at once); seconds spent generating (0 when reused)."""
    path = cache_path(reports, now, days)
    if path.exists():
        db = await SqliteDatabase.open(str(path))
        before, after = await db.migrate()
        if after != before:
            log(f"cached database migrated from schema {before} to {after}")
            await db.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")
        await db.close()
        return path, 0.0
    CACHE.mkdir(exist_ok=True)
    for stale in CACHE.glob(f"{_stem(reports, days)}-*.db*"):
        stale.unlink()
    building = path.with_suffix(".building")
    building.unlink(missing_ok=True)
    started = time.perf_counter()
    db = await SqliteDatabase.open(str(building))
    await db.migrate()
    await db.close()
    bulk_load(building, reports, platforms, int(now.timestamp()), days)
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


def bulk_load(path: Path, count: int, platforms: list[str], now: int, days: int = DAYS) -> None:
    """Fill reports and status events fast: the rows are made column-wise in numpy (duplicate dedupe keys dropped
    there), handed to SQLite as one fixed-width blob per chunk and decoded by one INSERT .. SELECT (no Python object
    per value), with the indexes and triggers on reports dropped and the table made without its UNIQUE constraint
    (each index rebuilt after by one sort, the constraint's too: cheaper than growing them row by row, each row at a
    random place) and the tables the triggers keep computed after, in numpy."""
    conn = _connect(path)
    schema = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'reports' "
                          "AND type IN ('index', 'trigger') AND sql IS NOT NULL").fetchall()
    for kind, name, _sql in schema:
        conn.execute(f"DROP {kind.upper()} {name}")
    unique = _without_unique(conn)
    rng = np.random.default_rng(15)
    who = Reporters(rng, max(2_000, count // 40), now, days)
    reporter = rng.choice(len(who.keys), count, p=who.p)
    arrival = who.arrival[reporter]
    at = (arrival + rng.random(count) ** 0.7 * (now - arrival)).astype(np.int64)  # newcomers report soon after
    order = np.argsort(at, kind="stable")  # ids in time order, as the bot writes them
    reporter, at = reporter[order], at[order]
    del arrival, order
    rows = report_columns(rng, reporter, at, who, len(platforms))
    log(f"{len(rows['at']):,} rows made ({count - len(rows['at']):,} repeats of a dedupe key dropped)")
    conn.execute("BEGIN")
    lookups(conn, who, platforms)
    for first in range(0, len(rows["at"]), CHUNK):
        part = {name: column[first:first + CHUNK] for name, column in rows.items()}
        conn.execute(DECODE_INSERT, (encode(part), len(part["at"])))
    log("rows inserted")
    conn = _with_unique(conn, path, unique)
    log("rebuilt the dedupe key's unique index")
    for kind, name, sql in schema:
        if kind == "index":
            conn.execute("BEGIN")
            conn.execute(sql)
            conn.execute("COMMIT")  # (written out: the pages left in the cache are clean, dropped at no cost)
            log(f"rebuilt {name}")
    conn.execute("BEGIN")
    recompute_trigger_tables(conn, rows, who, platforms)
    log("first-seen and totals")
    load_aggregates(conn, rows, who, platforms, now)
    log("reporter_activity and activity_hours")
    for kind, _name, sql in schema:
        if kind == "trigger":
            conn.execute(sql)
    write_status_events(conn, rng, platforms, now, days)
    conn.execute("COMMIT")  # no ANALYZE: the bot never runs it, so its planner has no statistics either
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()


def _connect(path: Path) -> sqlite3.Connection:
    """A connection for the load: no journal, a page cache of 256 MB (the load appends and sorts; a larger one
    only made the sorts' runs larger and slower), and sorts on two threads (SQLite sorts on one whenever temp_store
    is MEMORY: its sorted runs go to temporary files)."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -262144", "threads = 2"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def _without_unique(conn: sqlite3.Connection) -> tuple[str, str, list[str]]:
    """Make reports anew without its UNIQUE constraint (its indexes and triggers dropped already): the load then
    appends to the table alone instead of also inserting each row at a random place of the constraint's index;
    returns what `_with_unique` puts back (the table's SQL, the index's name and columns)."""
    table_sql, = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'reports'").fetchone()
    (name,), = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reports' "
                            "AND sql IS NULL").fetchall()
    columns = [row[2] for row in conn.execute(f"PRAGMA index_info({name})")]
    bare, found = re.subn(r",(\s|--[^\n]*)*UNIQUE\s*\(\s*" + r"\s*,\s*".join(columns) + r"\s*\)", "", table_sql)
    assert found == 1, "the reports table's UNIQUE constraint is not where the generator expects it"
    conn.execute("DROP TABLE reports")
    conn.execute(bare)
    return table_sql, name, columns


def _with_unique(conn: sqlite3.Connection, path: Path, unique: tuple[str, str, list[str]]) -> sqlite3.Connection:
    """Put the UNIQUE constraint back: its index built by one sort (as CREATE INDEX builds any), then the schema
    made the migrations' own again (the table's SQL, the index as the constraint's), which has SQLite read it as the
    constraint's index (the same B-tree: a unique index on the same columns); a new connection, on that schema."""
    table_sql, name, columns = unique
    conn.execute(f"CREATE UNIQUE INDEX gen_unique ON reports ({', '.join(columns)})")
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'reports'", (table_sql,))
    conn.execute("UPDATE sqlite_master SET name = ?, sql = NULL WHERE type = 'index' AND name = 'gen_unique'", (name,))
    version, = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute(f"PRAGMA schema_version = {version + 1}")
    conn.execute("PRAGMA writable_schema = OFF")
    conn.execute("COMMIT")
    conn.close()
    return _connect(path)


class Reporters:
    """Who reports: keyed-hash-like ids, a home community, an arrival time and how active each is."""

    def __init__(self, rng: np.random.Generator, n: int, now: int, days: int = DAYS) -> None:
        start = now - days * 86400
        bursts = max(1, BURSTS * days // DAYS)  # as many a day however long the history
        halves = rng.integers(0, 2**63, (n, 2), dtype=np.int64).tolist()
        self.keys = np.array([f"{a:016x}{b:016x}" for a, b in halves], dtype=object)  # like the keyed hashes
        weights = 1 / np.arange(1, len(COMMUNITIES) + 1) ** 0.8
        self.community = rng.choice(len(COMMUNITIES), n, p=weights / weights.sum())
        self.arrival = rng.uniform(start - 180 * 86400, now - 3600, n).clip(start, None)  # many were there before
        self.burst_platform = np.full(n, -1)
        bursty = rng.random(n) < BURST_SHARE
        burst = rng.integers(0, bursts, n)
        burst_at = rng.uniform(start, now - 6 * 3600, bursts)
        self.arrival[bursty] = burst_at[burst[bursty]] + rng.uniform(0, 4 * 3600, bursty.sum())
        self.community[bursty] = burst[bursty] % len(COMMUNITIES)
        self.burst_platform[bursty] = burst[bursty] % 10  # bursts are about the busiest platforms
        activity = rng.lognormal(0, 1.2, n)
        self.p = activity / activity.sum()


KINDS_IN_ORDER = list(KIND_MIX)
PROJECTS = [""] + [f"project{i}" for i in range(30)]
ROLES = [None, *ROLE_TIERS]
# The encoded columns, in order, with their widths in decimal digits; a nullable one holds 0 for NULL, value + 1 else.
FIELDS = {"reporter": 7, "platform": 3, "kind": 2, "project": 2, "window_start": 10, "at": 10, "community": 2,
          "amount": 7, "currency": 1, "usd": 7, "role": 1, "hours": 4, "paid": 1, "note": 1, "hidden": 1,
          "repeats": 1}
ROW_WIDTH = sum(FIELDS.values())


def _field(name: str) -> str:
    offset = 1 + sum(FIELDS[field] for field in list(FIELDS)[:list(FIELDS).index(name)])
    return f"CAST(substr(?1, x * {ROW_WIDTH} + {offset}, {FIELDS[name]}) AS INTEGER)"


DECODE_INSERT = (
    f"INSERT INTO reports ({COLUMNS}) "
    f"WITH f AS (SELECT {', '.join(f'{_field(name)} AS {name}' for name in FIELDS)} FROM gen_i WHERE x < ?2) "
    "SELECT r.key, p.id, k.kind, j.name, f.window_start, f.at, f.at, c.key, "
    "CASE WHEN f.amount THEN (f.amount - 1) / 100.0 END, u.code, CASE WHEN f.usd THEN (f.usd - 1) / 100.0 END, "
    "o.role, CASE WHEN f.hours THEN (f.hours - 1) / 10.0 END, nullif(f.paid, 0) - 1, "
    "CASE WHEN f.note THEN 'queue empty all morning' END, f.hidden, f.repeats FROM f "
    "JOIN gen_reporter r ON r.i = f.reporter JOIN gen_platform p ON p.i = f.platform JOIN gen_kind k ON k.i = f.kind "
    "JOIN gen_project j ON j.i = f.project JOIN gen_community c ON c.i = f.community "
    "JOIN gen_currency u ON u.i = f.currency JOIN gen_role o ON o.i = f.role"
)


def lookups(conn: sqlite3.Connection, who: Reporters, platforms: list[str]) -> None:
    """The temporary tables DECODE_INSERT turns codes into text with, and the one it numbers a chunk's rows by."""
    tables = {"gen_reporter": ("key", who.keys.tolist()), "gen_platform": ("id", platforms),
              "gen_kind": ("kind", KINDS_IN_ORDER), "gen_project": ("name", PROJECTS),
              "gen_community": ("key", [None, *COMMUNITIES]), "gen_currency": ("code", [None, *CURRENCIES]),
              "gen_role": ("role", ROLES)}
    for table, (column, values) in tables.items():
        conn.execute(f"CREATE TEMP TABLE {table} (i INTEGER PRIMARY KEY, {column} TEXT)")
        conn.executemany(f"INSERT INTO {table} VALUES (?, ?)", enumerate(values))
    _numbered(conn)


def _numbered(conn: sqlite3.Connection) -> None:
    """The temporary table of the numbers of a chunk's rows, that the decoding inserts read (a recursive CTE in
    each insert cost 0.5 us a row more)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS gen_i (x INTEGER PRIMARY KEY)")
    if conn.execute("SELECT count(*) FROM gen_i").fetchone()[0] < CHUNK:
        conn.execute("INSERT OR IGNORE INTO gen_i WITH RECURSIVE i(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM i "
                     "WHERE x < ?1 - 1) SELECT x FROM i", (CHUNK,))


def encode(part: dict[str, np.ndarray], fields: dict[str, int] = FIELDS) -> bytes:
    """The rows as one blob of fixed-width decimal fields (DECODE_INSERT's input)."""
    n = len(next(iter(part.values())))
    digits = np.empty((n, sum(fields.values())), dtype=np.uint8)
    offset = 0
    for name, width in fields.items():
        value = part[name].astype(np.int64)
        for position in range(offset + width - 1, offset - 1, -1):
            digits[:, position] = value % 10 + 48
            value //= 10
        offset += width
    return digits.tobytes()


def _insert_coded(conn: sqlite3.Connection, table: str, columns: dict[str, tuple[np.ndarray, list | None]]) -> None:
    """Insert rows given column-wise as non-negative integers, a column with a list of texts holding indexes into
    it: decoded by SQLite from one blob per chunk, as DECODE_INSERT does (no Python tuple per row)."""
    widths = {name: len(str(int(values.max()))) if len(values) else 1 for name, (values, _texts) in columns.items()}
    offsets = dict(zip(widths, np.cumsum([1, *widths.values()]).tolist(), strict=False))
    _numbered(conn)
    decoded, lookups = [], []
    for k, (name, (_values, texts)) in enumerate(columns.items()):
        field = f"CAST(substr(?1, x * {sum(widths.values())} + {offsets[name]}, {widths[name]}) AS INTEGER)"
        if texts is None:
            decoded.append(field)
            continue
        conn.execute(f"CREATE TEMP TABLE gen_text{k} (i INTEGER PRIMARY KEY, v TEXT)")
        conn.executemany(f"INSERT INTO gen_text{k} VALUES (?, ?)", enumerate(texts))
        decoded.append(f"(SELECT v FROM gen_text{k} WHERE i = {field})")
        lookups.append(f"gen_text{k}")
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(decoded)} FROM gen_i WHERE x < ?2 "
           "ORDER BY x")
    rows = len(next(iter(columns.values()))[0])
    for first in range(0, rows, CHUNK):
        part = {name: values[first:first + CHUNK] for name, (values, _texts) in columns.items()}
        conn.execute(sql, (encode(part, widths), len(part[next(iter(part))])))
    for name in lookups:
        conn.execute(f"DROP TABLE {name}")


def report_columns(rng: np.random.Generator, reporter: np.ndarray, at: np.ndarray, who: Reporters,
                   platforms: int) -> dict[str, np.ndarray]:
    """The report rows as integer codes (see FIELDS), time-ordered, one per dedupe key (its first, as the app keeps
    it; a later report in the same window would have been a repeat)."""
    n = len(reporter)
    weights = 1 / np.arange(1, platforms + 1) ** 0.8
    platform = rng.choice(platforms, n, p=weights / weights.sum())
    burst = who.burst_platform[reporter]
    on_burst = (burst >= 0) & (rng.random(n) < 0.6)
    platform[on_burst] = burst[on_burst]
    shares = np.array(list(KIND_MIX.values()), dtype=float)
    kind = rng.choice(len(KINDS_IN_ORDER), n, p=shares / shares.sum())
    kind[on_burst] = 0  # a burst is newcomers crying drought
    window_start = at - at % np.array([KINDS[k].window for k in KINDS_IN_ORDER])[kind]
    with_project = (np.isin(kind, [KINDS_IN_ORDER.index(k) for k in PROJECT_KINDS])
                    | ((kind < 2) & (rng.random(n) < 0.1)))
    project = np.where(with_project, rng.integers(1, len(PROJECTS), n), 0)
    community = who.community[reporter] + 1
    community[rng.random(n) < 0.15] = 0  # reported in a private chat
    is_pay, is_onboarding = kind == KINDS_IN_ORDER.index("payrate"), kind == KINDS_IN_ORDER.index("onboarding")
    usd = np.round(rng.lognormal(2.9, 0.35, n) * (1 + platform % 7 / 10), 2)
    currency = rng.choice(len(CURRENCIES), n, p=[0.8, 0.12, 0.08])
    amount = np.round(usd * np.array(list(CURRENCIES.values()))[currency], 2)
    role = rng.integers(0, len(ROLES), n)
    note = rng.random(n) < 0.01
    hours = np.round(rng.uniform(0.5, 40, n), 1)
    paid = rng.random(n) < 0.3
    columns = {
        "reporter": reporter, "platform": platform, "kind": kind, "project": project, "window_start": window_start,
        "at": at, "community": community,
        "amount": np.where(is_pay, np.rint(amount * 100) + 1, 0), "currency": np.where(is_pay, currency + 1, 0),
        "usd": np.where(is_pay, np.rint(usd * 100) + 1, 0), "role": np.where(is_pay, role, 0),
        "hours": np.where(is_onboarding, np.rint(hours * 10) + 1, 0),
        "paid": np.where(is_onboarding, paid + 1, 0), "note": note,
        "hidden": rng.random(n) < 0.003, "repeats": np.where(rng.random(n) < 0.1, rng.integers(1, 4, n), 0),
    }
    # One report per dedupe key (reporter, platform, kind, project, window_start): the first in time order.
    hour = (window_start - window_start.min()) // 3600
    key = ((reporter.astype(np.int64) * platforms + platform) * 16 + kind) * 32 + project
    key = key * (int(hour.max()) + 1) + hour
    _unique, first = np.unique(key, return_index=True)
    keep = np.sort(first)
    return {name: np.asarray(column)[keep] for name, column in columns.items()}


def recompute_trigger_tables(conn: sqlite3.Connection, rows: dict[str, np.ndarray], who: Reporters,
                             platforms: list[str]) -> None:
    """The tables the reports triggers of migrations 0014 and 0020 keep, computed from the loaded rows in numpy."""
    pair = rows["reporter"].astype(np.int64) * (len(COMMUNITIES) + 1) + rows["community"]
    pairs, first = np.unique(pair, return_index=True)  # rows are in time order: the first is the earliest
    communities = np.array(["", *COMMUNITIES], dtype=object)
    conn.execute("DELETE FROM reporter_first_seen")
    conn.executemany("INSERT INTO reporter_first_seen (reporter, community, first_at) VALUES (?, ?, ?)", zip(
        who.keys[pairs // (len(COMMUNITIES) + 1)].tolist(), communities[pairs % (len(COMMUNITIES) + 1)].tolist(),
        rows["at"][first].tolist(), strict=True))
    visible = rows["hidden"] == 0
    totals = np.bincount(rows["platform"][visible] * len(KINDS_IN_ORDER) + rows["kind"][visible],
                         minlength=len(platforms) * len(KINDS_IN_ORDER))
    conn.execute("DELETE FROM report_totals")
    conn.executemany("INSERT INTO report_totals (platform, kind, n) VALUES (?, ?, ?)", [
        (platforms[i // len(KINDS_IN_ORDER)], KINDS_IN_ORDER[i % len(KINDS_IN_ORDER)], int(n))
        for i, n in enumerate(totals.tolist()) if n])
    for prefix, kinds in (("opinions:", AVAILABILITY_KINDS), ("projects:", PROJECT_KINDS)):
        versioned = np.isin(rows["kind"], [KINDS_IN_ORDER.index(kind) for kind in kinds])
        conn.executemany("INSERT INTO data_versions (name, version) VALUES (?, 1) ON CONFLICT (name) DO NOTHING", [
            (f"{prefix}{platforms[i]}",) for i in _distinct(rows["platform"][versioned]).tolist()])


def write_status_events(conn: sqlite3.Connection, rng: np.random.Generator, platforms: list[str], now: int,
                        days: int = DAYS) -> None:
    """State changes for every platform (busier ones change more often) and some projects; the current state."""
    start = now - days * 86400
    events, current = [], {}
    for rank, platform in enumerate(platforms):
        for project in ["", *(f"project{n}" for n in range(3 if rank < 20 else 0))]:
            state, at = "none", start
            changes = (int(400 / (rank + 1) ** 0.5) + 5) * days // DAYS
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


def _distinct(values: np.ndarray, counted: bool = False):
    """The distinct values in order (and how many times each occurs): np.unique by one sort (numpy's own takes
    seconds more on 10M integers)."""
    values = np.sort(values)
    starts = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
    return (values[starts], np.diff(np.append(starts, len(values)))) if counted else values[starts]


def _counted(key: np.ndarray) -> tuple[list[int], list[int]]:
    keys, counts = _distinct(key, counted=True)
    return keys.tolist(), counts.tolist()


def _ranks(values: list[str]) -> np.ndarray:
    """Each value's place in SQLite's BINARY order (the texts here are ASCII: Python's order), so rows inserted by
    these ranks go into a text primary key in order."""
    rank = np.empty(len(values), dtype=np.int64)
    rank[sorted(range(len(values)), key=values.__getitem__)] = np.arange(len(values))
    return rank


def _refill(conn: sqlite3.Connection, table: str, columns: str, rows) -> None:
    """Replace a table's rows (tuples, or a function that inserts them), its indexes dropped meanwhile and rebuilt
    after (by one sort each)."""
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                           "AND sql IS NOT NULL", (table,)).fetchall()
    for name, _sql in indexes:
        conn.execute(f"DROP INDEX {name}")
    conn.execute(f"DELETE FROM {table}")
    if callable(rows):
        rows()
    else:
        conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * (columns.count(',') + 1))})",
                         rows)
    for _name, sql in indexes:
        conn.execute(sql)


def load_aggregates(conn: sqlite3.Connection, rows: dict[str, np.ndarray], who: Reporters, platforms: list[str],
                    now: int) -> None:
    """The aggregate tables of migrations 0016, 0021 and 0026, computed from the loaded rows in numpy: what the
    app's rebuilds (storage/aggregates.py REBUILD_ALL, storage/activity.py REBUILD) give, in seconds instead of
    minutes of SQLite grouping 10M rows (tests/test_scale_data.py compares them with the app's rebuilds)."""
    kinds = len(KINDS_IN_ORDER)
    visible = rows["hidden"] == 0
    platform, kind, at = rows["platform"][visible], rows["kind"][visible], rows["at"][visible]
    hour = at - at % 3600
    keys, counts = _counted((platform.astype(np.int64) * kinds + kind) << 32 | hour)
    _refill(conn, "report_hours", "platform, kind, hour, n", (
        (platforms[(k >> 32) // kinds], KINDS_IN_ORDER[(k >> 32) % kinds], k & 0xFFFFFFFF, n)
        for k, n in zip(keys, counts, strict=True)))
    # drought_slots: each reporter's platform-wide drought hours, spread over the 6 slots after them, counted once.
    drought = (kind == KINDS_IN_ORDER.index("drought")) & (rows["project"][visible] == 0)
    people = int(rows["reporter"].max()) + 1
    hours = _distinct((platform[drought].astype(np.int64) * people + rows["reporter"][visible][drought]) << 32
                      | hour[drought])
    who_, hour_of = hours >> 32, hours & 0xFFFFFFFF
    spread = np.concatenate([((who_ // people) << 32 | (hour_of + k * 3600)) * people + who_ % people
                             for k in range(1, 7)])
    keys, counts = _counted(_distinct(spread) // people)
    _refill(conn, "drought_slots", "platform, slot_end, reporters", (
        (platforms[k >> 32], k & 0xFFFFFFFF, n) for k, n in zip(keys, counts, strict=True)))
    log("report_hours and drought_slots")
    load_bins(conn, rows, visible, platforms)
    log("report_bins and report_bin_totals")
    load_activity(conn, rows, visible, who, platforms, now)


def _grouped(key: np.ndarray, shift: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The distinct keys in order with their counts, each one's running count within its group (the keys with the
    same key >> shift) and where each group starts."""
    keys, counts = _distinct(key, counted=True)
    starts = np.flatnonzero(np.diff(keys >> shift, prepend=-1))
    running = np.cumsum(counts)
    begun = np.repeat(running[starts] - counts[starts], np.diff(np.append(starts, len(keys))))
    return keys, counts, running - begun, starts


def load_bins(conn: sqlite3.Connection, rows: dict[str, np.ndarray], visible: np.ndarray,
              platforms: list[str]) -> None:
    """report_bins and report_bin_totals (migration 0021), as REBUILD_ALL's statements group them: per platform,
    kind, tag, bin and hour, the visible reports with a figure and ANY_BIN (all of them), with running counts per
    bin. A figure's bin is a logarithm: SQLite computes it (aggregates.bin_of), once per distinct figure."""
    tags = sorted({"", "0", "1", *(role for role in ROLES if role)})
    by_rank = sorted(range(len(platforms)), key=platforms.__getitem__)
    platform_rank = _ranks(platforms)
    figured = {  # per kind: the column of its figure's code, the figure's SQL from the code, the tag of each row
        "onboarding": ("hours", "coalesce(CASE WHEN code THEN (code - 1) / 10.0 END, -1)",
                       lambda part: np.array(["", "0", "1"])[part["paid"]]),
        "payrate": ("usd", "CASE WHEN code THEN (code - 1) / 100.0 END",
                    lambda part: np.array([role or "" for role in ROLES])[part["role"]]),
    }
    kinds = sorted(figured)  # SQLite's order of the kinds ('onboarding' before 'payrate')
    t0 = int(rows["at"].min() // 3600)
    keys = []
    for kind_rank, kind in enumerate(kinds):
        field, value_sql, tag_of = figured[kind]
        chosen = visible & (rows["kind"] == KINDS_IN_ORDER.index(kind))
        if kind == "payrate":
            chosen &= rows["usd"] > 0  # aggregates.COUNTED: a payrate report without a figure is left out
        part = {name: rows[name][chosen].astype(np.int64) for name in ("platform", "at", field, "role", "paid")}
        tag = np.searchsorted(tags, tag_of(part))
        codes = _distinct(part[field])
        conn.execute("CREATE TEMP TABLE gen_codes (code INTEGER PRIMARY KEY)")
        conn.executemany("INSERT INTO gen_codes VALUES (?)", ((c,) for c in codes.tolist()))
        bin_by_code = dict(conn.execute(f"SELECT code, {aggregates.bin_of(value_sql)} FROM gen_codes"))
        conn.execute("DROP TABLE gen_codes")
        bins = np.array([bin_by_code[c] for c in codes.tolist()], dtype=np.int64)[np.searchsorted(codes, part[field])]
        group = (platform_rank[part["platform"]] * len(kinds) + kind_rank) * len(tags) + tag
        hour = part["at"] // 3600 - t0
        for bin_ in (bins, np.full(len(bins), aggregates.ANY_BIN)):
            keys.append(((group << 21) | (bin_ + 1_000_000)) << 16 | hour)
    found, counts, upto, starts = _grouped(np.concatenate(keys), 16)
    group, bin_, hour = found >> 37, (found >> 16 & (1 << 21) - 1) - 1_000_000, (found & 0xFFFF) + t0

    def names(g: np.ndarray) -> tuple[list[str], list[str], list[str]]:
        return ([platforms[by_rank[i]] for i in (g // len(tags) // len(kinds)).tolist()],
                [kinds[i] for i in (g // len(tags) % len(kinds)).tolist()], [tags[i] for i in (g % len(tags)).tolist()])

    _refill(conn, "report_bins", "platform, kind, tag, bin, hour, n, n_upto", zip(
        *names(group), bin_.tolist(), (hour * 3600).tolist(), counts.tolist(), upto.tolist(), strict=True))
    _refill(conn, "report_bin_totals", "platform, kind, tag, bin, n", zip(
        *names(group[starts]), bin_[starts].tolist(), np.add.reduceat(counts, starts).tolist(), strict=True))


def load_activity(conn: sqlite3.Connection, rows: dict[str, np.ndarray], visible: np.ndarray, who: Reporters,
                  platforms: list[str], now: int) -> None:
    """reporter_activity and activity_hours (migration 0026), as storage/activity.py REBUILD makes them: each
    person's latest visible report per scope, and per hourly scope how many have their latest in each hour."""
    part = {name: rows[name][visible] for name in ("reporter", "platform", "kind", "project", "community", "at")}
    payments = [KINDS_IN_ORDER.index(kind) for kind in activity.PAYMENT_KINDS]
    projects = [KINDS_IN_ORDER.index(kind) for kind in activity.PROJECT_KINDS]
    scopes = [activity.EVERYONE, *(activity.platform_scope(p) for p in platforms),
              *(activity.community_scope(c) for c in COMMUNITIES),
              *(activity.kind_scope(p, k) for p in platforms for k in activity.PAYMENT_KINDS),
              *(f"j:{p}|{k}|{j}" for p in platforms for k in activity.PROJECT_KINDS for j in PROJECTS[1:])]
    k_base = 1 + len(platforms) + len(COMMUNITIES)
    j_base = k_base + len(platforms) * len(payments)
    platform = part["platform"].astype(np.int64)
    payment_of, project_of = np.full(len(KINDS_IN_ORDER), -1), np.full(len(KINDS_IN_ORDER), -1)
    payment_of[payments], project_of[projects] = np.arange(len(payments)), np.arange(len(projects))
    in_private = part["community"] == 0
    paying, on_project = payment_of[part["kind"]] >= 0, (project_of[part["kind"]] >= 0) & (part["project"] > 0)
    codes = [  # (each row's scope, which rows have it)
        (np.zeros(len(platform), dtype=np.int64), None), (1 + platform, None),
        (len(platforms) + part["community"].astype(np.int64), ~in_private),
        (k_base + platform * len(payments) + payment_of[part["kind"]], paying),
        (j_base + (platform * len(projects) + project_of[part["kind"]]) * (len(PROJECTS) - 1) + part["project"] - 1,
         on_project),
    ]
    scope_rank, reporter_rank = _ranks(scopes), _ranks(who.keys.tolist())
    t0 = int(part["at"].min())
    people = len(who.keys)
    key = np.concatenate([(scope_rank[code] * people + reporter_rank[part["reporter"]]) << 24 | (part["at"] - t0)
                          if mask is None else
                          (scope_rank[code[mask]] * people + reporter_rank[part["reporter"][mask]]) << 24
                          | (part["at"][mask] - t0) for code, mask in codes])
    key.sort()
    last = np.flatnonzero(np.diff(key >> 24, append=-1))  # each (scope, person)'s latest time: their last key
    key = key[last]
    pair, latest = key >> 24, (key & 0xFFFFFF) + t0
    scope, reporter = pair // people, pair % people
    scope_names = np.array(sorted(scopes), dtype=object)
    _refill(conn, "reporter_activity", "scope, reporter, latest", lambda: _insert_coded(conn, "reporter_activity", {
        "scope": (scope, scope_names.tolist()), "reporter": (reporter, np.sort(who.keys).tolist()),
        "latest": (latest, None)}))
    hourly = np.array([name == activity.EVERYONE or name.startswith(("p:", "k:")) for name in scope_names])
    chosen = hourly[scope]
    keys, counts = _counted(scope[chosen] << 32 | (latest[chosen] // 3600))
    _refill(conn, "activity_hours", "scope, hour, n", (
        (scope_names[k >> 32], (k & 0xFFFFFFFF) * 3600, n) for k, n in zip(keys, counts, strict=True)))
    conn.execute("DELETE FROM activity_progress")
    conn.execute(activity.START, (now,))


async def ran_until_yesterday(path: Path, now: datetime) -> None:
    """What a bot that ran until a day ago leaves: trust settled and the statuses recorded as of then. Not its
    whole refresh: that would bring the last day's reports, "later than now" for it, back to a day ago."""
    from bot.features.availability import trust
    from bot.wiring import build_app

    app = await build_app(settings_for(path), clock=ManualClock(now - timedelta(days=1)))
    try:
        await trust.settle_trust(app)
        await app.availability.statuses(app.clock.now())
        await app.db.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await app.db.close()
