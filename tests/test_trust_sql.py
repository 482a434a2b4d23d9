"""Trust verdicts judged in SQL (storage/trust.py day_verdicts) equal the rules of bot/features/availability/trust.py
(judge, states_during, one verdict per reporter, platform and day) on random histories of reports and status events."""

from __future__ import annotations

import asyncio

from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from bot.features.availability.trust import (
    CLAIMS,
    DAY,
    SETTLE_AFTER,
    judge_days,
    platform_timeline,
    verdicts_by_rule,
)
from bot.features.reports.recording import window_start
from storage import reports as store
from storage import trust as trust_store
from storage.database import SqliteDatabase

HOUR = 3600
START = 1_780_000_000 - 1_780_000_000 % DAY
PLATFORMS = ("alpha", "beta")
SPAN = 3 * DAY

histories = st.tuples(
    st.lists(st.tuples(st.sampled_from(("r0", "r1", "r2", "r3")), st.sampled_from(PLATFORMS),
                       st.sampled_from(("drought", "tasks_back", "payrate")), st.sampled_from(("", "", "falcon")),
                       st.integers(-DAY, SPAN + DAY), st.booleans()), max_size=30),
    st.lists(st.tuples(st.sampled_from(PLATFORMS), st.sampled_from(("", "", "falcon")),
                       st.sampled_from(("drought", "flowing", "mixed", "none")),
                       st.integers(-2 * DAY, SPAN + 2 * DAY).map(lambda s: s - s % 600)), max_size=25),
)


class _Fake:
    def __init__(self, db) -> None:
        self.db = db


async def _compare(reports, events) -> tuple:
    db = await SqliteDatabase.open(":memory:")
    try:
        await db.migrate()
        for reporter, platform, kind, project, offset, hidden in reports:
            at = START + offset
            report = store.NewReport(reporter, platform, kind, project, window_start(kind, at), at)
            await store.upsert_report(db, report)
            if hidden:
                await db.execute("UPDATE reports SET hidden = 1 WHERE id = (SELECT max(id) FROM reports)")
        for platform, project, state, offset in events:
            await db.execute("INSERT INTO status_events (platform, project, old_state, new_state, at, reporters, "
                             "confidence) VALUES (?, ?, 'none', ?, ?, 3, 0.5)",
                             (platform, project, state, START + offset))
        since, until = START, START + SPAN
        app = _Fake(db)
        rows = await trust_store.judgeable_reports(db, tuple(CLAIMS), since, until)
        timelines = {p: await platform_timeline(app, p, since, until + SETTLE_AFTER) for p in PLATFORMS}
        expected = verdicts_by_rule([tuple(row) for row in rows], timelines)
        assert await judge_days(app, since, until) == expected
        return expected
    finally:
        await db.close()


@examples(max_examples=60, deadline=None)
@given(histories)
def test_sql_verdicts_equal_the_rules(history) -> None:
    asyncio.run(_compare(*history))


def test_sql_verdicts_on_ties_and_edges() -> None:
    # An event exactly at a report's time is in force then; one exactly SETTLE_AFTER later still counts; a day with a
    # contradiction and an agreement counts once, as a contradiction; another platform's events say nothing.
    reports = [("r0", "alpha", "drought", "", 5 * HOUR, False), ("r0", "alpha", "tasks_back", "", 6 * HOUR, False),
               ("r1", "alpha", "tasks_back", "", DAY + HOUR, False), ("r2", "beta", "drought", "", HOUR, False)]
    events = [("alpha", "", "drought", 5 * HOUR), ("alpha", "", "flowing", DAY + HOUR + SETTLE_AFTER),
              ("beta", "falcon", "drought", 2 * HOUR), ("alpha", "", "flowing", 0)]
    totals, _first = asyncio.run(_compare(reports, events))
    assert totals == {"r0": [0, 1], "r1": [1, 0]}


async def test_sql_verdicts_and_pay_ranks_on_both_backends(backend) -> None:
    # The same statements on PostgreSQL: parameters in CASE and GROUP BY, integer division, the figures' grouping.
    db = await backend.open(backend.url if backend.name == "postgresql" else await backend.fresh_url())
    try:
        for reporter, kind, offset in (("r0", "drought", 5 * HOUR), ("r1", "tasks_back", 6 * HOUR),
                                       ("r1", "tasks_back", DAY + HOUR)):
            at = START + offset
            await store.upsert_report(db, store.NewReport(reporter, "alpha", kind, "", window_start(kind, at), at))
        for value, role in ((10.0, None), (12.5, "expert"), (20.0, "expert"), (12.5, None)):
            at = START + 2 * DAY
            await store.upsert_report(db, store.NewReport(f"p{value}{role}", "alpha", "payrate", "",
                                                          window_start("payrate", at), at, amount=value,
                                                          currency="USD", hourly_usd=value, role=role))
        await db.execute("INSERT INTO status_events (platform, project, old_state, new_state, at, reporters, "
                         "confidence) VALUES ('alpha', '', 'none', 'drought', ?, 3, 0.5)", (START + 5 * HOUR,))
        totals, first = await judge_days(_Fake(db), START, START + SPAN)
        assert totals == {"r0": [1, 0], "r1": [0, 2]} and first == {"r0": START + 5 * HOUR, "r1": START + 6 * HOUR}
        rows = {tuple(row) for row in await store.pay_figures(db, "alpha", START)}
        assert ("*", None, None, None, 4) not in rows and ("expert", None, None, None, 2) in rows
        assert {(tag, value, below, n, total) for tag, value, below, n, total in rows if value is not None} == {
            ("", 10.0, 0, 1, 2), ("", 12.5, 1, 1, 2), ("expert", 12.5, 0, 1, 2), ("expert", 20.0, 1, 1, 2),
            ("*", 10.0, 0, 1, 4), ("*", 12.5, 1, 2, 4), ("*", 20.0, 3, 1, 4)}
    finally:
        await db.close()
