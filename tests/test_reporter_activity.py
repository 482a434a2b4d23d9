"""Who took part (migration 0026): what the batches and the triggers keep equals a rebuild after any writes, a
restart's first batch takes what came before it, and the digest's counts of people read from it answer what a scan
of the reports gives, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio

from hypothesis import example, given
from hypothesis import settings as examples
from hypothesis import strategies as st

import storage.database as database
from bot.features.reports.kinds import KINDS, PAYMENT_KINDS, PROJECT_KINDS
from bot.features.reports.recording import window_start
from storage import activity, digest_queries, moderation
from storage import reports as store
from storage.database import SqliteDatabase
from tests.test_aggregates import _empty  # an empty migrated database on the backend, for one example

HOUR = 3600
DAY = 86400
NOW = 1_780_000_000 - 1_780_000_000 % DAY + 13 * HOUR + 1234
WEEK = 7 * DAY
PLATFORMS = ("alpha", "beta")
COMMUNITIES = (None, "telegram:-1001", "discord:42")
KINDS_WRITTEN = ("drought", "tasks_back", *PAYMENT_KINDS, *PROJECT_KINDS, "payrate")

operations = st.lists(st.one_of(
    st.tuples(st.just("report"), st.sampled_from(("r0", "r1", "r2", "r3")), st.sampled_from(PLATFORMS),
              st.sampled_from(KINDS_WRITTEN), st.sampled_from(("", "falcon", "owl|2")),
              st.integers(-9 * 24, 0).map(lambda h: h * HOUR), st.integers(0, 3599), st.sampled_from(COMMUNITIES)),
    st.tuples(st.just("repeat"), st.integers(0, 60), st.integers(1, 7 * HOUR), st.sampled_from(COMMUNITIES)),
    st.tuples(st.just("retract"), st.integers(0, 60)),
    st.tuples(st.just("hide"), st.integers(0, 60), st.booleans()),
    st.tuples(st.just("forget"), st.sampled_from(("r0", "r1", "r2", "r3"))),
    st.tuples(st.just("clamp"), st.integers(-2 * DAY, 0)),
    st.tuples(st.just("batch"), st.integers(-2 * 24, 8).map(lambda h: h * HOUR)),  # the clock of a batch
), min_size=2, max_size=40)


async def _run(db, op) -> None:
    kind = op[0]
    if kind == "report":
        _op, reporter, platform, what, project, back, seconds, community = op
        at = NOW + back + seconds - HOUR
        project = project if what in PROJECT_KINDS else ""
        await store.upsert_report(db, store.NewReport(reporter, platform, what, project, window_start(what, at), at,
                                                      community=community))
        return
    rows = await db.fetchall("SELECT * FROM reports ORDER BY id")
    if kind == "batch":
        await activity.catch_up(db, NOW + op[1])
    elif kind == "forget":
        await store.delete_reporter(db, op[1])
    elif kind == "clamp":
        await store.clamp_future(db, tuple(KINDS), NOW + op[1], NOW + op[1])
    elif rows:
        row = rows[op[1] % len(rows)]
        if kind == "repeat":  # the same report later in its window, maybe from another community
            at = min(row["updated_at"] + op[2], row["window_start"] + KINDS[row["kind"]].window - 1)
            await store.upsert_report(db, store.NewReport(row["reporter"], row["platform"], row["kind"],
                                                          row["project"], row["window_start"], at, community=op[3]))
        elif kind == "retract":
            await store.delete_report(db, row["id"], row["reporter"])
        else:
            await moderation.set_hidden(db, row["id"], op[2], "spam: test")


# Repeats across hours, a report taken out that held the latest time, a move to another community, a forget.
ACROSS = [("report", "r0", "alpha", "paid_late", "", -2 * HOUR, 5, "telegram:-1001"),
          ("report", "r0", "alpha", "project_paused", "owl|2", -5 * HOUR, 0, None),
          ("batch", 0), ("repeat", 0, 3 * HOUR, "discord:42"), ("hide", 0, True), ("batch", -40 * HOUR),
          ("hide", 0, False), ("report", "r1", "beta", "drought", "", 0, 0, None), ("repeat", 2, HOUR, None),
          ("batch", 8 * HOUR), ("clamp", -4 * HOUR), ("retract", 1), ("forget", "r0")]
AFTER = NOW + 8 * HOUR  # a batch's clock after every report the operations write


def test_kept_activity_equals_a_rebuild_after_any_writes(backend) -> None:
    """Reports, repeats (later hours, other communities), retractions, hides and unhides, /forget, clocks put right
    and batches at any clock: after a batch, the tables kept by the batches and migration 0026's triggers equal what
    `rebuild` computes from the reports."""

    @examples(max_examples=50 if backend.server is None else 8, deadline=None)
    @given(operations)
    @example(ACROSS)
    def check(ops) -> None:
        asyncio.run(_kept_equal_rebuilt(ops, backend))

    check()


async def _kept_equal_rebuilt(ops, backend) -> None:
    db = await _empty(backend)
    try:
        for op in [*ops, ("batch", 8 * HOUR)]:
            await _run(db, op)
            if op[0] == "batch":
                kept = await activity.snapshot(db)
                await activity.rebuild(db, NOW + op[1])
                assert kept == await activity.snapshot(db), op
    finally:
        await db.close()


# --- what the digest's queries answered when they scanned the reports

async def _scanned(db, start: int, end: int, community: str) -> dict:
    window = "updated_at >= ? AND updated_at < ? AND hidden = 0"
    by_platform = await db.fetchall(f"SELECT platform, count(*), count(DISTINCT reporter) FROM reports WHERE {window} "
                                    "GROUP BY platform", (start, end))
    everyone = await db.fetchone(f"SELECT count(*), count(DISTINCT reporter) FROM reports WHERE {window}", (start, end))
    here = await db.fetchone(f"SELECT count(*), count(DISTINCT reporter) FROM reports WHERE {window} AND community = ?",
                             (start, end, community))
    payments = await db.fetchall(f"SELECT platform, kind, count(DISTINCT reporter) FROM reports WHERE {window} "
                                 "AND kind IN (?, ?, ?) GROUP BY platform, kind", (start, end, *PAYMENT_KINDS))
    projects = await db.fetchall(f"SELECT platform, project, kind, count(DISTINCT reporter), max(updated_at) "
                                 f"FROM reports WHERE {window} AND kind IN (?, ?) AND project != '' "
                                 "GROUP BY platform, project, kind HAVING count(DISTINCT reporter) >= 2",
                                 (start, end, *PROJECT_KINDS))
    return {"platforms": {tuple(r) for r in by_platform}, "everyone": tuple(everyone), "here": tuple(here),
            "payments": {tuple(r) for r in payments}, "projects": {tuple(r) for r in projects}}


async def _read(db, start: int, end: int, community: str) -> dict:
    platforms = await digest_queries.activity_by_platform(db, start, end)
    payments = await digest_queries.payment_reports(db, PAYMENT_KINDS, start, end)
    projects = await digest_queries.project_reports(db, PROJECT_KINDS, start, end, 2)
    return {"platforms": {(r["platform"], r["reports"], r["contributors"]) for r in platforms},
            "everyone": tuple(await digest_queries.totals(db, start, end)),
            "here": tuple(await digest_queries.totals(db, start, end, community)),
            "payments": {(r["platform"], r["kind"], r["reporters"]) for r in payments},
            "projects": {(r["platform"], r["project"], r["kind"], r["reporters"], r["last"]) for r in projects}}


def test_the_digest_counts_of_people_answer_what_a_scan_gives(backend) -> None:
    """For a week ending now (read from the kept activity) and one ending earlier (read from the reports), the
    digest's reports and distinct people per platform, everywhere, in a community, per payment kind and per
    project equal a scan of the reports."""

    @examples(max_examples=30 if backend.server is None else 6, deadline=None)
    @given(operations, st.integers(0, 3 * DAY), st.integers(0, 3599))
    def check(ops, earlier, seconds) -> None:
        asyncio.run(_reads_equal_scans(ops, earlier, seconds, backend))

    check()


async def _reads_equal_scans(ops, earlier: int, seconds: int, backend) -> None:
    db = await _empty(backend)
    try:
        for op in [*ops, *ACROSS, ("report", "r2", "beta", "paid_on_time", "", 0, 7, "discord:42")]:
            await _run(db, op)
        latest = (await db.fetchone("SELECT max(updated_at) FROM reports WHERE hidden = 0"))[0] or NOW
        for caught_up in (False, True):  # (a report not yet taken: the reads scan the reports)
            if caught_up:
                await activity.catch_up(db, AFTER)
            for end in (max(NOW, latest + 1) + seconds, NOW - earlier):
                assert await activity.answers_for(db, end) == (caught_up and end > latest)
                for community in ("telegram:-1001", "discord:42"):
                    assert await _read(db, end - WEEK, end, community) == await _scanned(db, end - WEEK, end,
                                                                                         community)
    finally:
        await db.close()


async def test_a_restart_takes_what_came_before_it_and_a_week_ending_now_is_read_from_the_activity(tmp_path) -> None:
    """Reports written while no batch ran (the bot stopped) are taken by the first batch after a start; until then,
    and for a window that a report is after, the reads answer from the reports."""
    path = str(tmp_path / "q.db")
    db = await SqliteDatabase.open(path)
    await db.migrate()
    await activity.catch_up(db, NOW)
    for i, platform in enumerate(("alpha", "beta", "alpha")):
        await store.upsert_report(db, store.NewReport(f"r{i}", platform, "drought", "", window_start("drought", NOW),
                                                      NOW + i))
    await db.close()
    db = await SqliteDatabase.open(path)  # a restart
    try:
        assert not await activity.answers_for(db, NOW + HOUR)
        assert await activity.catch_up(db, NOW + HOUR) == 3 * 2  # everyone and the platform, for each
        assert await activity.answers_for(db, NOW + HOUR)
        assert not await activity.answers_for(db, NOW + 2)
        assert await activity.people(db, [activity.EVERYONE, activity.platform_scope("alpha")], NOW - WEEK) == {
            activity.EVERYONE: 3, activity.platform_scope("alpha"): 2}
        assert await digest_queries.totals(db, NOW - WEEK, NOW + HOUR) == (3, 3)
    finally:
        await db.close()


async def test_an_upgraded_database_takes_its_reports_a_batch_at_a_time(tmp_path, monkeypatch) -> None:
    """Reports written before migration 0026 are taken by the batches, CHUNK at most a transaction: until the last
    one, the digest's counts come from the reports; after it they come from the activity, equal to a rebuild."""
    shipped = database.available_migrations()
    monkeypatch.setattr(database, "available_migrations", lambda: [m for m in shipped if m[0] < 26])
    db = await SqliteDatabase.open(str(tmp_path / "old.db"))
    try:
        await db.migrate()
        for i in range(25):
            kind = KINDS_WRITTEN[i % len(KINDS_WRITTEN)]
            await store.upsert_report(db, store.NewReport(f"r{i % 6}", PLATFORMS[i % 2], kind,
                                                          "falcon" if kind in PROJECT_KINDS else "",
                                                          window_start(kind, NOW - i * 600), NOW - i * 600,
                                                          community=COMMUNITIES[i % 3]))
        monkeypatch.setattr(database, "available_migrations", lambda: shipped)
        assert (await db.migrate())[1] >= 26
        assert await activity.snapshot(db) == {"reporter_activity": set(), "activity_hours": set()}
        monkeypatch.setattr(activity, "CHUNK", 10)
        scanned = await _scanned(db, NOW - WEEK, NOW + 1, "discord:42")
        for _batch in range(2):
            await activity.catch_up(db, NOW + 1, batches=1)
            assert not await activity.answers_for(db, NOW + 1)
            assert await _read(db, NOW - WEEK, NOW + 1, "discord:42") == scanned
        await activity.catch_up(db, NOW + 1)  # the rest: the third batch
        assert await activity.answers_for(db, NOW + 1)
        assert await _read(db, NOW - WEEK, NOW + 1, "discord:42") == scanned
        kept = await activity.snapshot(db)
        await activity.rebuild(db, NOW + 1)
        assert await activity.snapshot(db) == kept and all(kept.values())
    finally:
        await db.close()


def test_the_scoped_kinds_are_the_reports_kinds() -> None:
    """storage/activity.py (and migration 0026) name the payment and project kinds as the reports feature does."""
    assert (activity.PAYMENT_KINDS, activity.PROJECT_KINDS) == (PAYMENT_KINDS, PROJECT_KINDS)
