"""Reporter trust: the weight rules, judging reports against the status that followed, caching and bars."""

from __future__ import annotations

import pytest

from bot.core.clock import unix
from bot.features.availability import trust
from bot.features.availability.trust import (
    AGREEMENT_GAIN,
    CONTRADICTION_LOSS,
    MAX_WEIGHT,
    MIN_WEIGHT,
    NEW_WEIGHT,
    SETTLE_AFTER,
    judge,
    settle_trust,
    states_during,
    trust_weights,
    weight_for,
)
from storage import trust as store

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL

HOUR = 3600
DAY = 86400


def test_weight_rules() -> None:
    assert weight_for(0, 0) == NEW_WEIGHT
    assert weight_for(1, 0) == NEW_WEIGHT + AGREEMENT_GAIN
    assert weight_for(100, 0) == MAX_WEIGHT
    assert weight_for(0, 100) == MIN_WEIGHT
    assert weight_for(100, 0, barred=True) == 0.0
    # Right on 60 % of judged days is break-even; clearly more gains, less loses.
    assert weight_for(6, 4) == NEW_WEIGHT
    assert weight_for(8, 2) > NEW_WEIGHT > weight_for(4, 6)
    assert CONTRADICTION_LOSS > AGREEMENT_GAIN


def test_judging_a_claim_against_the_states_in_force() -> None:
    timeline = [(0, "flowing"), (10 * HOUR, "drought"), (20 * HOUR, "flowing")]
    assert states_during(timeline, HOUR, 2 * HOUR) == {"flowing"}
    assert states_during(timeline, 9 * HOUR, 11 * HOUR) == {"flowing", "drought"}
    assert states_during([], 0, HOUR) == set()
    assert judge("drought", {"flowing"}) == "contradiction"
    assert judge("drought", {"flowing", "drought"}) == "agreement"  # early warnings of a drought count
    assert judge("flowing", {"mixed", "none"}) is None


async def insert_report(app, reporter: str, kind: str, at: int, platform: str = "outlier") -> None:
    await app.db.execute(
        "INSERT INTO reports (reporter, platform, kind, project, window_start, created_at, updated_at, community) "
        "VALUES (?, ?, ?, '', ?, ?, ?, 'console:local')",
        (reporter, platform, kind, at, at, at),
    )


async def insert_event(app, new_state: str, at: int, platform: str = "outlier") -> None:
    await app.db.execute(
        "INSERT INTO status_events (platform, project, old_state, new_state, at, reporters, confidence) "
        "VALUES (?, '', 'none', ?, ?, 3, 0.5)",
        (platform, new_state, at),
    )


async def test_settling_counts_one_verdict_per_reporter_and_day(app, clock):
    start = unix(clock.now())
    await insert_event(app, "flowing", start - DAY)
    for day in range(3):
        at = start + day * DAY
        await insert_report(app, "right", "tasks_back", at)
        await insert_report(app, "right", "tasks_back", at + HOUR)  # same day: still one agreement
        await insert_report(app, "wrong", "drought", at)
    await insert_report(app, "mixed", "tasks_back", start)
    await insert_report(app, "mixed", "drought", start + 2 * HOUR)  # one wrong report makes the day wrong
    clock.advance(seconds=3 * DAY + SETTLE_AFTER)
    assert await settle_trust(app) == 3 + 3 + 1
    rows = await store.trust_rows(app.db, ["right", "wrong", "mixed"])
    assert (rows["right"]["agreements"], rows["right"]["contradictions"]) == (3, 0)
    assert (rows["wrong"]["agreements"], rows["wrong"]["contradictions"]) == (0, 3)
    assert (rows["mixed"]["agreements"], rows["mixed"]["contradictions"]) == (0, 1)
    assert rows["right"]["first_seen"] == start
    # Settling again judges nothing twice.
    assert await settle_trust(app) == 0
    weights = await trust_weights(app, ["right", "wrong", "nobody"])
    assert weights == {"right": weight_for(3, 0), "wrong": weight_for(0, 3), "nobody": NEW_WEIGHT}


async def test_reports_too_recent_to_judge_wait_and_hidden_reports_are_not_judged(app, clock):
    start = unix(clock.now())
    await insert_event(app, "drought", start - HOUR)
    await insert_report(app, "fresh", "drought", start)
    await insert_report(app, "hidden", "drought", start)
    await app.db.execute("UPDATE reports SET hidden = 1 WHERE reporter = 'hidden'")
    # Days are judged whole: the report's day ends at midnight, and is judged once SETTLE_AFTER has passed since.
    day_end = (start // DAY + 1) * DAY
    clock.advance(seconds=day_end + SETTLE_AFTER - 60 - start)
    assert await settle_trust(app) == 0
    clock.advance(seconds=120)
    assert await settle_trust(app) == 1
    assert set(await store.trust_rows(app.db, ["fresh", "hidden"])) == {"fresh"}


async def test_weights_are_cached_with_the_clock_and_a_bar_applies_at_once(app, clock, member, moderator, group):
    await app.dispatcher.dispatch("report", {"platform": "outlier", "what": "drought"}, member, group)
    key = app.person_key("console", member.user_id)
    assert (await trust_weights(app, [key]))[key] == NEW_WEIGHT
    await app.db.execute(
        "INSERT INTO reporter_trust (reporter, first_seen, agreements, contradictions, updated_at) "
        "VALUES (?, 0, 20, 0, 0)", (key,),
    )
    assert (await trust_weights(app, [key]))[key] == NEW_WEIGHT  # cached
    clock.advance(seconds=trust.CACHE_SECONDS)
    assert (await trust_weights(app, [key]))[key] == MAX_WEIGHT
    report = await app.db.fetchone("SELECT id FROM reports")
    await app.dispatcher.dispatch_line(f"/mod_bar {report['id']} 2 spam", moderator, group)
    assert (await trust_weights(app, [key]))[key] == 0.0
    await app.dispatcher.dispatch_line(f"/mod_unbar {report['id']}", moderator, group)
    assert (await trust_weights(app, [key]))[key] == MAX_WEIGHT


async def test_trust_weights_is_batched_for_many_reporters(app):
    reporters = [f"r{i}" for i in range(1200)]  # more than one IN (...) chunk
    weights = await trust_weights(app, reporters)
    assert len(weights) == 1200 and set(weights.values()) == {NEW_WEIGHT}
