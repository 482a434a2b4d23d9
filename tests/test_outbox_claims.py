"""Claiming on PostgreSQL stays cheap however many messages wait: the claim's look for an earlier message to the same
destination is a look-up in that destination's index, never a comparison of every due message with every other
(which the planner chose when the table's statistics were from before a burst was queued: 4 million row
comparisons, 0.7 s, for each claim of a 2,000-message fan-out). The work is counted from the server's own plan, not
timed."""

from __future__ import annotations

import json
import time

from storage import outbox as store
from storage.database import open_database

pytest_plugins = ("tests.support.pg_processes",)  # the `admin_url` and `pg_url` fixtures

QUEUED = 1500


def rows_touched(plan: dict) -> int:
    """Every row a plan node produced or threw away, over all of its loops, summed over the plan's nodes."""
    own = (plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)
           + plan.get("Rows Removed by Join Filter", 0)) * plan.get("Actual Loops", 1)
    return own + sum(rows_touched(child) for child in plan.get("Plans", ()))


async def test_a_claim_touches_each_due_message_a_few_times_not_once_per_other_message(pg_url):
    db = await open_database(pg_url)
    try:
        await db.execute("ANALYZE outbox")  # statistics of an empty queue, as before a digest queues its burst
        now = time.time()
        await db.executemany(
            "INSERT INTO outbox (key, platform, dest_kind, dest_id, origin, origin_ref, topic, payload, next_at, "
            "created_at) VALUES (?, 'telegram', 'user', ?, 'alerts', 'burst', '', '{}', ?, ?)",
            [(f"burst:{n}", str(10_000 + n), now, int(now)) for n in range(QUEUED)])
        await db.execute("UPDATE outbox SET state = 'sending', claim = 'other' WHERE key = 'burst:7'")
        sql, params = store.claim_due_select(["telegram"], now + 1, 8, skip=[("telegram", "user", "10003")])
        [row] = await db.fetchall(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        plan = json.loads(row[0])[0]["Plan"] if isinstance(row[0], str) else row[0][0]["Plan"]
        touched = rows_touched(plan)
        assert touched < 10 * QUEUED, f"one claim touched {touched:,} rows for {QUEUED:,} queued messages"
        claimed = await store.claim_due(db, ["telegram"], now + 1, now + 60, "mine", 8,
                                        skip=[("telegram", "user", "10003")])
        assert [item.dest_id for item in claimed] == [str(10_000 + n) for n in (0, 1, 2, 4, 5, 6, 8, 9)]
    finally:
        await db.close()
