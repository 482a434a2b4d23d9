"""The hot report queries use an index (EXPLAIN QUERY PLAN), never a scan of the reports table."""

from __future__ import annotations

import pytest

from bot.features.availability.status import baseline_slots
from bot.features.reports.kinds import AVAILABILITY_KINDS, PROJECT_KINDS
from storage import activity, digest_queries
from storage import reports as store


class RecordingDb:
    """Passes queries to the real database and remembers them, so their plans can be explained."""

    def __init__(self, db) -> None:
        self.db = db
        self.dialect = db.dialect
        self.queries: list[tuple[str, tuple]] = []

    async def fetchall(self, sql, params=()):
        self.queries.append((sql, tuple(params)))
        return await self.db.fetchall(sql, params)

    async def fetchone(self, sql, params=()):
        self.queries.append((sql, tuple(params)))
        return await self.db.fetchone(sql, params)


HOT_QUERIES = {
    "status one platform": lambda db: store.latest_opinions(db, AVAILABILITY_KINDS, "outlier", 0),
    "status all platforms": lambda db: store.latest_opinions(db, AVAILABILITY_KINDS, None, 0),
    "baseline one platform": lambda db: store.drought_reporters_in_slots(db, "outlier", baseline_slots(10**9)),
    "baseline all platforms": lambda db: store.drought_reporters_in_slots(db, None, baseline_slots(10**9)),
    "last report": lambda db: store.last_report_at(db, "outlier", AVAILABILITY_KINDS),
    "projects paused or ended": lambda db: store.project_changes(db, PROJECT_KINDS, "outlier", 0),
    "pay": lambda db: store.pay_figures(db, "outlier", 0),
    "onboarding": lambda db: store.onboarding_hours(db, "outlier", 0),
    "payment reliability": lambda db: store.kind_counts(db, "outlier", ("paid_on_time", "paid_late"), 0),
    "my reports": lambda db: store.reports_of(db, "someone", 15),
    "digest pay medians": lambda db: digest_queries.pay_medians(db, 0, 10**9, 2 * 10**9),
    "digest activity caught up": lambda db: activity.answers_for(db, 10**9),
}


@pytest.mark.parametrize("name", HOT_QUERIES)
async def test_hot_query_uses_an_index(app, name):
    recording = RecordingDb(app.db)
    await HOT_QUERIES[name](recording)
    assert recording.queries
    for sql, params in recording.queries:  # (a read of few pay figures reads them exactly, in a second query)
        plan = " | ".join(row["detail"] for row in await app.db.fetchall("EXPLAIN QUERY PLAN " + sql, params))
        if plan == "SCAN report_totals":  # (a row per platform and kind, whatever the history)
            continue
        assert "USING" in plan and ("INDEX" in plan or "PRIMARY KEY" in plan), plan  # (an aggregate's key)
        assert "SCAN reports" not in plan.replace("SCAN reports USING", ""), plan
        if name != "my reports" and "SEARCH reports" in plan:  # (an aggregate table's few rows may use its key)
            assert "COVERING INDEX" in plan, plan
