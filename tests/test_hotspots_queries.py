"""Issue 15's hot spots in storage: the first-seen and report-total tables kept by triggers (migration 0014) equal
the whole-history scans they replace, and the window queries give the answers the old ones gave."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime
from statistics import median

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

import storage.database as database
from bot.core.clock import unix
from bot.features.digest.build import MIN_PAY_MOVE, MIN_PAY_N, PAYBACK_SECONDS, WEEK, _pay_moves
from bot.features.reports.kinds import KINDS
from bot.features.reports.pay import ONBOARDING_SPAN, crowd_pay, pay_fields
from bot.features.reports.recording import window_start
from storage import aggregates, digest_queries, moderation
from storage import reports as store
from storage.database import SqliteDatabase, open_database
from tests.moderation_helpers import file, report_id, run
from tests.support.hotspots_reference import (
    first_seen_by_scan,
    kind_counts_by_scan,
    latest_states_by_scan,
    onboarding_hours_unbounded,
    pay_moves_in_python,
)

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL

DAY = 86400
NOW = unix(datetime(2026, 11, 16, 12, 0, tzinfo=UTC))
PLATFORMS = ("alpha", "beta", "gamma", "delta")
COMMUNITIES = (None, "telegram:-1", "discord:2")
REPORTERS = [f"r{i}" for i in range(6)]


async def first_seen_table(db) -> dict[tuple[str, str | None], int]:
    rows = await db.fetchall("SELECT reporter, nullif(community, '') AS community, first_at FROM reporter_first_seen")
    return {(r["reporter"], r["community"]): r["first_at"] for r in rows}


async def totals_by_scan(db) -> dict[tuple[str, str], int]:
    rows = await db.fetchall("SELECT platform, kind, count(*) FROM reports WHERE hidden = 0 GROUP BY platform, kind")
    return {(r[0], r[1]): r[2] for r in rows}


async def totals_table(db) -> dict[tuple[str, str], int]:
    rows = await db.fetchall("SELECT platform, kind, n FROM report_totals WHERE n != 0")
    return {(r[0], r[1]): r[2] for r in rows}


def new_report(reporter: str, community: str | None, platform: str, kind: str, at: int) -> store.NewReport:
    return store.NewReport(reporter, platform, kind, "", window_start(kind, at), at, community)


operations = st.lists(st.one_of(
    st.tuples(st.just("report"), st.sampled_from(REPORTERS), st.sampled_from(COMMUNITIES),
              st.sampled_from(PLATFORMS[:2]), st.sampled_from(("drought", "paid_late", "payrate")),
              st.integers(-3 * DAY, 3 * DAY)),
    st.tuples(st.just("retract"), st.integers(0, 30)),
    st.tuples(st.just("hide"), st.integers(0, 30), st.booleans()),
    st.tuples(st.just("clamp"), st.integers(-2 * DAY, DAY)),
), max_size=40)


# The backend is emptied before each example (not only before the test), so sharing it is sound.
@examples(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_the_tables_kept_by_triggers_equal_the_scans_they_replace(backend, ops) -> None:
    """After every report (new, repeated, from another community), retraction, hide, unhide and clock fix:
    - reporter_first_seen holds, per reporter and community, the earliest time the old whole-history scan ever
      answered (a retracted report was still made: first-seen is never raised again);
    - report_totals holds the count of visible reports per platform and kind.
    On PostgreSQL the triggers are plpgsql (storage/migrations/postgresql/0014): the same rules, checked the same."""
    asyncio.run(_apply(ops, backend))


async def _apply(ops, backend) -> None:
    if backend.server is None:
        db = await SqliteDatabase.open(":memory:")
        await db.migrate()
    else:
        db = await open_database(await backend.server.emptied())
    earliest: dict[tuple[str, str | None], int] = {}
    try:
        for op in ops:
            if op[0] == "report":
                _kind, reporter, community, platform, kind, offset = op
                await store.upsert_report(db, new_report(reporter, community, platform, kind, NOW + offset))
            elif op[0] in ("retract", "hide"):
                ids = [(r[0], r[1]) for r in await db.fetchall("SELECT id, reporter FROM reports ORDER BY id")]
                if ids:
                    chosen, reporter = ids[op[1] % len(ids)]
                    if op[0] == "retract":  # as /retract does: the aggregates of migration 0016 follow
                        await store.delete_report(db, chosen, reporter)
                    else:
                        await moderation.set_hidden(db, chosen, op[2], "spam: test")
            else:
                await store.clamp_future(db, tuple(KINDS), NOW + op[1], NOW + op[1])
            for key, first in (await first_seen_by_scan(db, REPORTERS)).items():
                earliest[key] = min(earliest.get(key, first), first)
            assert await first_seen_table(db) == earliest
            assert await totals_table(db) == await totals_by_scan(db)
            for platform in PLATFORMS[:2]:
                for since in (NOW - DAY, NOW + DAY):
                    new = {r[0]: (r[1], r[2]) for r in await store.kind_counts(db, platform, tuple(KINDS), since)}
                    assert new == await kind_counts_by_scan(db, platform, tuple(KINDS), since)
    finally:
        await db.close()


async def generated_history(db, seed: int = 15, count: int = 4000) -> None:
    """Reports of every kind over 400 days on four platforms, some hidden, with status events (ties included)."""
    rng = random.Random(seed)
    reports = []
    for i in range(count):
        recent_pay = i % 5 == 0  # a fifth are pay figures of the last 35 days, what the digest compares
        kind = "payrate" if recent_pay else rng.choice(list(KINDS))
        at = NOW - rng.randrange(35 * DAY if recent_pay else 400 * DAY)
        platform = rng.choice(PLATFORMS)
        report = new_report(f"p{rng.randrange(800)}", rng.choice(COMMUNITIES), platform, kind, at)
        if kind == "payrate":
            # Pay on alpha and beta rose this week; gamma stayed level.
            rise = 1.3 if platform in ("alpha", "beta") and at >= NOW - WEEK else 1.0
            report.hourly_usd = round(rng.uniform(8, 30) * rise, 2)
        if kind == "onboarding":
            report.hours, report.paid = float(rng.randrange(1, 40)), rng.random() < 0.3
        reports.append(report)
    await store.upsert_many(db, reports)
    await db.execute("UPDATE reports SET hidden = 1 WHERE id % 17 = 0")
    await aggregates.rebuild(db)  # the raw UPDATE went around storage, which keeps the aggregates
    events = []
    for _ in range(600):
        at = NOW - rng.randrange(60 * DAY)
        for _tie in range(rng.choice((1, 1, 2))):  # two events at the same second: the later one is in force
            events.append((rng.choice(PLATFORMS[:3]), rng.choice(("", "", "proj")), "none",
                           rng.choice(("drought", "flowing", "mixed", "none")), at, 3, 0.5))
    await store.save_changes(db, events)


@pytest.fixture
async def history(app):
    await generated_history(app.db)
    return app


async def test_latest_states_by_descent_equal_the_scan(history) -> None:
    db = history.db
    firsts = await db.fetchone("SELECT min(at), max(at) FROM status_events")
    moments = [firsts[0], firsts[0] + 1, firsts[1], firsts[1] + 1, NOW + DAY]
    moments += [NOW - random.Random(1).randrange(60 * DAY) for _ in range(10)]
    for before in moments:
        new = {p: tuple(row) for p, row in (await digest_queries.latest_states(db, before)).items()}
        assert new == await latest_states_by_scan(db, before), before
    assert await digest_queries.latest_states(db, firsts[0]) == {}


async def test_pay_medians_in_sql_give_the_moves_python_computed(history) -> None:
    """Exact medians while a span holds few figures, binned ones (within their stated error) above."""
    for end in (NOW, NOW - 3 * DAY, NOW - 40 * DAY):
        start = end - WEEK
        moves = await _pay_moves(history, start, end)
        expected = await pay_moves_in_python(history.db, start, end, PAYBACK_SECONDS, MIN_PAY_N, MIN_PAY_MOVE)
        assert sorted((m.name, m.median_now, m.median_before, m.n_now, m.n_before) for m in moves) == expected
    assert {m.name for m in await _pay_moves(history, NOW - WEEK, NOW)} >= {"alpha", "beta"}  # the data has moves
    # Above EXACT_UP_TO figures a median is read from the pay bins: the same platforms and counts, each median
    # within aggregates.RELATIVE_ERROR of the exact one (a week whose figures are all before its end, and an older one).
    for end in (NOW + 1, NOW - 3 * DAY + 1234):
        spans = (history.db, end - WEEK - PAYBACK_SECONDS, end - WEEK, end, MIN_PAY_N)
        exact = {(p, recent): (n, m) for p, recent, n, m in await digest_queries.pay_medians(*spans)}
        binned = {(p, recent): (n, m) for p, recent, n, m in await digest_queries.pay_medians(*spans, exact_up_to=0)}
        assert exact and binned.keys() == exact.keys()
        for key, (n, exact_median) in exact.items():
            assert binned[key][0] == n
            assert abs(binned[key][1] - exact_median) <= aggregates.RELATIVE_ERROR * exact_median + 1e-9, key


async def test_onboarding_counts_the_last_twelve_months_and_says_so(history) -> None:
    crowd = await crowd_pay(history, "alpha", datetime.fromtimestamp(NOW, UTC))
    rows = await history.db.fetchall(
        "SELECT hours, paid, updated_at FROM reports WHERE platform = 'alpha' AND kind = 'onboarding' AND hidden = 0")
    recent = [r for r in rows if r["updated_at"] >= NOW - ONBOARDING_SPAN]
    assert len(recent) < len(rows)  # the data has older onboarding reports, which no longer count
    assert crowd.onboarding_n == len(recent)
    unpaid = sorted(r["hours"] for r in recent if r["paid"] == 0)
    assert len(unpaid) >= 5 and crowd.unpaid_hours_median == median(unpaid)
    all_time = sum(n for _paid, n, _hours in await onboarding_hours_unbounded(history.db, "alpha"))
    assert all_time == len(rows)
    text = "\n".join(f.value for f in pay_fields(crowd, "alpha"))
    assert f"Median unpaid onboarding, last 12 months: {crowd.unpaid_hours_median:g} h (n = {len(recent)})" in text


@pytest.mark.sqlite_only  # SQLite's query plan
async def test_first_seen_latest_states_and_pay_medians_read_an_index_not_the_history(history) -> None:
    queries = {
        "reporter_first_seen": ("SELECT reporter, nullif(community, '') AS community, first_at "
                                "FROM reporter_first_seen WHERE reporter IN (?, ?)", ("p1", "p2")),
    }
    recording = []

    class Recording:
        async def fetchall(self, sql, params=()):
            recording.append((sql, params))
            return await history.db.fetchall(sql, params)

    await digest_queries.latest_states(Recording(), NOW)
    queries["status_events"] = recording[0]
    queries["reports"] = (digest_queries._MIDDLE, ("alpha", 1, 9, "alpha", NOW - WEEK, NOW, 1, 4))
    for table, (sql, params) in queries.items():
        plan = " | ".join(r["detail"] for r in await history.db.fetchall("EXPLAIN QUERY PLAN " + sql, params))
        assert f"SCAN {table}" not in plan and "SCAN s" not in plan and "SCAN r" not in plan, plan
        assert "PRIMARY KEY" in plan or "COVERING INDEX" in plan, plan


@pytest.mark.sqlite_only  # an SQLite file migrated in two steps
async def test_migration_0014_fills_the_tables_from_the_stored_reports(tmp_path, monkeypatch) -> None:
    shipped = database.available_migrations()
    monkeypatch.setattr(database, "available_migrations", lambda: [m for m in shipped if m[0] < 14])
    db = await SqliteDatabase.open(str(tmp_path / "old.db"))
    try:
        await db.migrate()
        await generated_history(db, count=1500)
        monkeypatch.setattr(database, "available_migrations", lambda: shipped)
        assert (await db.migrate())[1] >= 14
        reporters = [r[0] for r in await db.fetchall("SELECT DISTINCT reporter FROM reports")]
        assert await first_seen_table(db) == await first_seen_by_scan(db, reporters)
        assert await totals_table(db) == await totals_by_scan(db)
    finally:
        await db.close()


async def test_a_retracted_report_keeps_the_first_seen_time_and_forget_removes_it(app, clock, member, group) -> None:
    key = app.person_key("console", member.user_id)
    await file(app, member, group, "drought")
    first = unix(clock.now())
    clock.advance(days=8)
    await file(app, member, group, "tasks_back")
    assert not (await run(app, f"/retract {await report_id(app, member, 'drought')}", member, group)).is_error
    assert (await app.first_seen.of([key]))[key] == {"console:local": first}  # still here since day one
    done = (await run(app, "/forget yes", member, group)).plain_text()
    assert "first-report times: 1" in done
    assert await app.db.fetchone("SELECT 1 FROM reporter_first_seen WHERE reporter = ?", (key,)) is None
    assert (await app.first_seen.of([key]))[key] == {}
