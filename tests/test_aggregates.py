"""The aggregates of migration 0016 (storage/aggregates.py): kept by migration 0019's triggers, they equal a rebuild
from the reports after any sequence of writes, and every read made of them answers what the scan of the reports
it replaces answered."""

from __future__ import annotations

import asyncio

from hypothesis import example, given
from hypothesis import settings as examples
from hypothesis import strategies as st

import storage.database as database
from bot.features.availability.status import LOOKBACK, baseline_slots
from bot.features.reports.kinds import KINDS
from bot.features.reports.pay import _ranked, percentile
from bot.features.reports.recording import window_start
from storage import activity, aggregates, moderation
from storage import reports as store
from storage.database import SqliteDatabase
from tests.cli_support import queuewatch

HOUR = 3600
DAY = 86400
NOW = 1_780_000_000 - 1_780_000_000 % DAY + 13 * HOUR + 1234  # a Tuesday afternoon, not on a whole hour
REPORTERS = ("r0", "r1", "r2", "r3")
PLATFORMS = ("alpha", "beta")
WRITE_KINDS = ("drought", "tasks_back", "payrate", "onboarding", "paid_late")


def report(reporter: str, platform: str, kind: str, project: str, at: int, value: float, paid: bool | None,
           role: str | None) -> store.NewReport:
    extra: dict = {}
    if kind == "payrate":
        extra = {"amount": value, "currency": "USD", "hourly_usd": value, "role": role}
    elif kind == "onboarding":
        extra = {"hours": value, "paid": paid}
    return store.NewReport(reporter, platform, kind, project, window_start(kind, at), at, **extra)


HOURS_BACK = st.one_of(st.integers(-2, 1), st.integers(-14, 3), st.integers(-9 * 7 * 24, 3)).map(lambda h: h * HOUR)
operations = st.lists(st.one_of(
    st.tuples(st.just("report"), st.sampled_from(REPORTERS), st.sampled_from(PLATFORMS),
              st.sampled_from((*WRITE_KINDS, "drought", "drought")), st.sampled_from(("", "", "falcon")),
              HOURS_BACK, st.integers(0, 3600), st.sampled_from((12.5, 15.0, 20.0, 31.25)),
              st.sampled_from((True, False, None)), st.sampled_from((None, "generalist", "expert"))),
    st.tuples(st.just("retract"), st.integers(0, 60)),
    st.tuples(st.just("repeat"), st.integers(0, 60), st.integers(1, 7 * HOUR), st.sampled_from((12.5, 15.0, 20.0))),
    st.tuples(st.just("hide"), st.integers(0, 60), st.booleans()),
    st.tuples(st.just("bar"), st.sampled_from(REPORTERS)),
    st.tuples(st.just("forget"), st.sampled_from(REPORTERS)),
    st.tuples(st.just("clamp"), st.integers(-2 * DAY, HOUR)),
), min_size=3, max_size=45)


async def _reports(db) -> list:
    return await db.fetchall("SELECT id, reporter FROM reports ORDER BY id")


async def _run(db, op) -> None:
    kind = op[0]
    if kind == "report":
        _op, reporter, platform, what, project, hours_back, seconds, value, paid, role = op
        project = "" if what in ("payrate", "onboarding") else project
        await store.upsert_report(db, report(reporter, platform, what, project, NOW + hours_back + seconds, value,
                                             paid, role))
    elif kind == "repeat":  # the same report again later in its window (another hour, maybe another figure)
        rows = await db.fetchall("SELECT * FROM reports ORDER BY id")
        if rows:
            row = rows[op[1] % len(rows)]
            at = min(row["updated_at"] + op[2], row["window_start"] + KINDS[row["kind"]].window - 1)
            paid = None if row["paid"] is None else bool(row["paid"])
            again = report(row["reporter"], row["platform"], row["kind"], row["project"], at, op[3], paid, row["role"])
            await store.upsert_report(db, again)
    elif kind in ("retract", "hide"):
        rows = await _reports(db)
        if rows:
            chosen = rows[op[1] % len(rows)]
            if kind == "retract":
                await store.delete_report(db, chosen["id"], chosen["reporter"])
            else:
                await moderation.set_hidden(db, chosen["id"], op[2], "spam: test")
    elif kind == "bar":  # a bar weighs a reporter's opinions at 0 (trust); it changes no count
        rows = await _reports(db)
        if rows:
            await moderation.put_bar(db, op[1], "console:local", rows[0]["id"], NOW + DAY, "spam: test", NOW)
    elif kind == "forget":
        await store.delete_reporter(db, op[1])
    else:
        await store.clamp_future(db, tuple(KINDS), NOW + op[1], NOW + op[1])


TWO_DROUGHTS = [("report", "r0", "alpha", "drought", "", -3 * HOUR, 0, 12.5, None, None),  # two dedupe windows,
                ("report", "r0", "alpha", "drought", "", 0, 0, 12.5, None, None),  # one baseline slot
                ("report", "r0", "alpha", "drought", "", 0, 60, 12.5, None, None),  # a repeat
                ("hide", 0, True), ("retract", 1), ("hide", 0, False)]
ACROSS_HOURS = [("report", "r2", "alpha", "drought", "", 0, 0, 12.5, None, None),  # 13:20, window 12:00-18:00
                ("report", "r0", "alpha", "drought", "", -HOUR, 0, 12.5, None, None),  # 12:20
                ("repeat", 1, HOUR, 12.5), ("repeat", 1, 2 * HOUR, 12.5),  # 13:20, then 15:20: slots overlap
                ("report", "r1", "alpha", "payrate", "", -HOUR, 0, 12.5, None, None),  # two figures of one row
                ("report", "r3", "alpha", "payrate", "", -HOUR, 60, 12.5, None, None),
                ("hide", 3, True), ("hide", 3, False), ("repeat", 2, 12 * HOUR, 20.0),  # the next day, another figure
                ("hide", 0, True), ("hide", 0, False), ("clamp", -3 * HOUR), ("retract", 1)]

# Pay figures of one bin written out of order: each earlier one moves the running counts of the later hours.
OUT_OF_ORDER = [("report", "r0", "alpha", "payrate", "", 0, 0, 20.0, None, "expert"),
                ("report", "r1", "alpha", "payrate", "", -5 * HOUR, 0, 20.0, None, "expert"),
                ("report", "r2", "alpha", "payrate", "", -3 * HOUR, 0, 20.0, None, "expert"),
                ("report", "r3", "alpha", "payrate", "", -3 * HOUR, 9, 20.0, None, "expert"),
                ("hide", 1, True), ("repeat", 2, 4 * HOUR, 20.0), ("retract", 3), ("hide", 1, False),
                ("forget", "r0"), ("clamp", -4 * HOUR)]

# One statement taking out (or moving) several drought reports of one reporter whose baseline slots overlap: each
# row's trigger must see the rows before it gone (or moved) and the rows after it not yet (PostgreSQL runs AFTER row
# triggers once the whole statement is done, so both found no other report and each took the person out).
MANY_ROWS_AT_ONCE = [("report", "r0", "alpha", "drought", "", 0, 0, 12.5, None, None),
                     ("report", "r0", "alpha", "drought", "", -2 * HOUR, 0, 12.5, None, None),
                     ("report", "r0", "alpha", "drought", "", 3 * HOUR, 0, 12.5, None, None),  # a clock ahead
                     ("report", "r0", "alpha", "drought", "", 9 * HOUR, 0, 12.5, None, None),
                     ("clamp", 2 * HOUR), ("forget", "r0")]


async def _empty(backend):
    """An empty migrated database on the backend, for one example (each starts from nothing)."""
    if backend.server is None:
        db = await SqliteDatabase.open(":memory:")
        await db.migrate()
        return db
    return await database.open_database(await backend.server.emptied())


# Fewer examples on PostgreSQL: a rebuild after every write is many round trips; the rules are the same.
PG_EXAMPLES = 8


def test_kept_aggregates_equal_a_rebuild_after_any_writes(backend) -> None:
    """Reports, repeats (the same window, other hours), retractions, hides and unhides, bars, /forget and clocks
    put right: after each, the aggregates kept by migration 0019's triggers equal the ones `rebuild` computes from
    the reports; on SQLite and on PostgreSQL (each example on an emptied database)."""

    @examples(max_examples=60 if backend.server is None else PG_EXAMPLES, deadline=None)
    @given(operations)
    @example(TWO_DROUGHTS)
    @example(ACROSS_HOURS)
    @example(OUT_OF_ORDER)
    @example(MANY_ROWS_AT_ONCE)
    def check(ops) -> None:
        asyncio.run(_kept_equal_rebuilt(ops, backend))

    check()


async def _kept_equal_rebuilt(ops, backend) -> None:
    db = await _empty(backend)
    try:
        for op in ops:
            await _run(db, op)
            kept = await aggregates.snapshot(db)
            await aggregates.rebuild(db)
            assert kept == await aggregates.snapshot(db), op
    finally:
        await db.close()


# --- what each read answered when it scanned the reports (the SQL they replace)

async def baseline_by_scan(db, platform: str | None, slots) -> dict[str, int]:
    where, params = ("r.platform = ? AND ", (platform,)) if platform else ("", ())
    values = ", ".join("(CAST(? AS BIGINT), CAST(? AS BIGINT))" for _ in slots)
    rows = await db.fetchall(
        f"WITH slots(start, stop) AS (VALUES {values}) "
        "SELECT r.platform, count(DISTINCT s.start || ':' || r.reporter) FROM slots s JOIN reports r "
        f"ON {where}r.kind = 'drought' AND r.updated_at >= s.start AND r.updated_at < s.stop AND r.hidden = 0 "
        "AND r.project = '' GROUP BY r.platform",
        (*[b for slot in slots for b in slot], *params))
    return {row[0]: row[1] for row in rows}


async def quartiles_by_scan(db, platform: str, kind: str, since: int) -> dict[str, tuple]:
    """tag -> (reports, figures, (p25, p50, p75) of the figures) from every report, all tags together as ALL_TAGS."""
    column, tag = ("hourly_usd", "coalesce(role, '')") if kind == "payrate" else \
        ("coalesce(hours, -1)", aggregates.PAID_TAG)
    rows = await db.fetchall(
        f"SELECT {tag}, {column} FROM reports WHERE platform = ? AND kind = ? AND updated_at >= ? AND hidden = 0 "
        f"AND {column} IS NOT NULL", (platform, kind, since))
    by_tag: dict[str, list] = {}
    for row in rows:
        by_tag.setdefault(row[0], []).append(row[1])
    if rows:
        by_tag[aggregates.ALL_TAGS] = [row[1] for row in rows]
    found = {}
    for name, values in by_tag.items():
        figures = sorted(v for v in values if v >= 0)
        found[name] = (len(values), len(figures), tuple(percentile(figures, q) for q in (0.25, 0.5, 0.75))
                       if figures else None)
    return found


def quartiles_of(rows) -> dict[str, tuple]:
    ranked = _ranked(rows)
    counted = sum(r.counted for name, r in ranked.items() if name != aggregates.ALL_TAGS)
    return {name: (counted if name == aggregates.ALL_TAGS else r.counted, r.n,
                   tuple(r.percentile(q) for q in (0.25, 0.5, 0.75)) if r.n else None) for name, r in ranked.items()}


async def spans_by_scan(db, bounds) -> dict[tuple[str, int], int]:
    found: dict[tuple[str, int], int] = {}
    for row in await db.fetchall("SELECT platform, updated_at FROM reports WHERE hidden = 0"):
        for i in range(len(bounds) - 1):
            if bounds[i] <= row[1] < bounds[i + 1]:
                found[(row[0], i)] = found.get((row[0], i), 0) + 1
    return found


def test_reads_made_of_aggregates_answer_what_the_scans_did(backend) -> None:
    """The hour-of-week baseline, pay and onboarding figures, /legit's recent counts and the digest's daily counts
    (with cuts on and off whole hours, as a time zone of +05:30 or +13:45 gives) equal the scans of the reports."""

    @examples(max_examples=30 if backend.server is None else PG_EXAMPLES, deadline=None)
    @given(operations, st.integers(-3 * DAY, DAY), st.sampled_from((0, 1800, 2345)))
    def check(ops, since_offset, cut_offset) -> None:
        asyncio.run(_reads_equal_scans(ops, since_offset, cut_offset, backend))

    check()


async def _reads_equal_scans(ops, since_offset: int, cut_offset: int, backend) -> None:
    db = await _empty(backend)
    try:
        for op in ops:
            await _run(db, op)
        since = NOW + since_offset
        for moment in (NOW, NOW + 2 * HOUR, NOW + 7 * 24 * HOUR):
            slots = baseline_slots(moment)
            for platform in (None, *PLATFORMS):
                found = {r[0]: r[1] for r in await store.drought_reporters_in_slots(db, platform, slots)}
                assert found == await baseline_by_scan(db, platform, slots)
        for platform in PLATFORMS:
            for kind, read in (("payrate", store.pay_figures), ("onboarding", store.onboarding_hours)):
                assert quartiles_of(await read(db, platform, since)) == \
                    await quartiles_by_scan(db, platform, kind, since)
            counts = {r[0]: (r[1], r[2]) for r in await store.kind_counts(db, platform, tuple(KINDS), since)}
            rows = await db.fetchall("SELECT kind, count(*), count(*) FILTER (WHERE updated_at >= ?) FROM reports "
                                     "WHERE platform = ? "
                                     "AND hidden = 0 GROUP BY kind", (since, platform))
            assert counts == {r[0]: (r[1], r[2]) for r in rows}
        start = NOW - 7 * DAY + cut_offset
        bounds = [start, *[start - start % DAY + d * DAY + cut_offset for d in range(1, 8)], NOW + HOUR]
        bounds = sorted(set(b for b in bounds if start <= b <= NOW + HOUR))
        found = {(r[0], r[1]): r[2] for r in await aggregates.counts_by_span(db, bounds)}
        assert found == await spans_by_scan(db, bounds)
    finally:
        await db.close()


def test_the_baseline_slot_is_the_status_lookback() -> None:
    assert aggregates.DROUGHT_SLOT == LOOKBACK


def test_a_drought_report_stays_within_a_slot_of_its_window_start() -> None:
    """Migration 0019's drought triggers find a reporter's reports in a slot by window_start > slot end - 12 h:
    true while a drought report's updated_at stays less than 6 hours after its window_start."""
    assert KINDS["drought"].window <= aggregates.DROUGHT_SLOT


async def test_a_database_of_an_older_schema_is_brought_up_to_date_by_the_migration(tmp_path, monkeypatch) -> None:
    """Reports written before migration 0016 (no aggregates) are in the aggregates once the bot starts."""
    shipped = database.available_migrations()
    monkeypatch.setattr(database, "available_migrations", lambda: [m for m in shipped if m[0] < 16])
    db = await SqliteDatabase.open(str(tmp_path / "old.db"))
    try:
        await db.migrate()
        reports = [report(f"r{i % 7}", PLATFORMS[i % 2], WRITE_KINDS[i % 5], "", NOW - i * 1999, 10.0 + i % 4,
                          bool(i % 3), None) for i in range(400)]
        await store.upsert_many(db, reports)  # on the old schema: the reports only
        await db.execute("UPDATE reports SET hidden = 1 WHERE id % 11 = 0")
        monkeypatch.setattr(database, "available_migrations", lambda: shipped)
        assert (await db.migrate())[1] >= 16
        migrated = await aggregates.snapshot(db)
        assert all(migrated.values())
        await aggregates.rebuild(db)
        assert await aggregates.snapshot(db) == migrated
    finally:
        await db.close()


async def test_the_rebuild_command_recomputes_aggregates_gone_wrong(tmp_path) -> None:
    """`queuewatch aggregates rebuild` puts back aggregates that no longer match the reports, with progress."""
    path = tmp_path / "q.db"
    db = await SqliteDatabase.open(str(path))
    try:
        await db.migrate()
        for i in range(60):
            await store.upsert_report(db, report(f"r{i % 5}", PLATFORMS[i % 2], WRITE_KINDS[i % 5], "",
                                                 NOW - i * 1500, 10.0 + i % 3, bool(i % 2), None))
        kept = await aggregates.snapshot(db)
        await activity.catch_up(db, NOW + DAY)
        people = await activity.snapshot(db)
        await db.execute("DELETE FROM drought_slots")
        await db.execute("UPDATE report_hours SET n = n + 1")
        await db.execute("DELETE FROM reporter_activity WHERE scope = ''")
        await db.execute("UPDATE activity_hours SET n = n + 2")
    finally:
        await db.close()
    result = queuewatch("aggregates", "rebuild", cwd=tmp_path, DATABASE_URL=f"sqlite:///{path}")
    assert result.returncode == 0, result.stderr
    assert "Rebuilt the report aggregates of 2 platforms and who took part" in result.stdout
    assert "2/2 platforms" in result.stderr
    db = await SqliteDatabase.open(str(path))
    try:
        assert await aggregates.snapshot(db) == kept
        assert await activity.snapshot(db) == people
    finally:
        await db.close()


async def test_concurrent_reports_share_transactions_and_keep_the_aggregates(tmp_path) -> None:
    """A report is one statement (its triggers move the aggregates): many at once share few transactions."""
    db = await SqliteDatabase.open(str(tmp_path / "q.db"))
    try:
        await db.migrate()
        before, statements = db.group.transactions, db.group.statements
        await asyncio.gather(*(store.upsert_report(db, report(f"r{i % 9}", PLATFORMS[i % 2], WRITE_KINDS[i % 5], "",
                                                              NOW - (i % 7) * 1800, 10.0 + i % 3, bool(i % 2), None))
                               for i in range(80)))
        assert db.group.transactions - before < 40
        assert db.group.statements - statements == 80
        kept = await aggregates.snapshot(db)
        await aggregates.rebuild(db)
        assert await aggregates.snapshot(db) == kept
        assert (await db.fetchone("SELECT count(*) FROM reports"))[0] > 9
    finally:
        await db.close()
