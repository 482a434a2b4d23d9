"""The brigading simulation: 20 newcomers vs 6 established reporters, then the same 20 after weeks of agreeing."""

from __future__ import annotations

import pytest

from bot.features.availability.brigading import NEW_FOR
from bot.features.availability.status import MIN_DURATION
from bot.features.availability.trust import MAX_WEIGHT, NEW_WEIGHT, trust_service, trust_weights
from commands.mod_reports import LIMIT
from tests.moderation_helpers import crowd, file, run

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL

ESTABLISHED, NEWCOMERS = 6, 20


async def outlier(app):
    statuses = await app.availability.statuses(app.clock.now(), "outlier")
    return next(s for s in statuses if s.project == "")


async def day_of_reports(app, clock, group, who, what: str) -> None:
    """Everyone in `who` reports within the hour; then a member looks at /status, as members do."""
    for actor in who:
        await file(app, actor, group, what)
        clock.advance(minutes=2)
    await run(app, "/status outlier", who[0], group)
    await trust_service(app).run_once()  # the trust service's round settles trust; /status never does


async def disagree(app, clock, group, claim_drought, see_tasks) -> None:
    """One side reports an empty queue a minute apart, the other that tasks are there; then the duration passes."""
    for actor in claim_drought:
        await file(app, actor, group, "drought")
        clock.advance(minutes=1)
    for actor in see_tasks:
        await file(app, actor, group, "tasks_back")
    clock.advance(seconds=MIN_DURATION + 60)


async def test_a_fresh_crowd_cannot_flip_the_status_until_it_has_a_track_record(app, clock, group, moderator):
    veterans = crowd("veteran", ESTABLISHED)
    newcomers = crowd("fresh", NEWCOMERS)
    # Two weeks in which the veterans report that tasks are flowing, and are right.
    for _ in range(14):
        await day_of_reports(app, clock, group, veterans, "tasks_back")
        clock.advance(days=1)
    keys = [app.person_key("console", a.user_id) for a in veterans]
    assert set((await trust_weights(app, keys)).values()) == {MAX_WEIGHT}

    # Day 14: twenty accounts created today claim a drought while the veterans say tasks are there.
    await disagree(app, clock, group, claim_drought=newcomers, see_tasks=veterans)
    status = await outlier(app)
    assert status.state == "flowing" and status.unconfirmed == NEWCOMERS
    reply = await run(app, "/status outlier", veterans[0], group)
    assert reply.title == "Outlier: tasks flowing"
    assert f"{NEWCOMERS} unconfirmed reports" in reply.plain_text()
    listing = (await run(app, "/mod_reports outlier", moderator, group)).plain_text()
    assert listing.count("UNCONFIRMED") == LIMIT - ESTABLISHED  # the newest LIMIT: every veteran, then newcomers
    assert "unconfirmed: part of a burst of reports from new reporters" in listing
    fresh_keys = [app.person_key("console", a.user_id) for a in newcomers]
    assert set((await trust_weights(app, fresh_keys)).values()) == {NEW_WEIGHT}

    # Three weeks in which the newcomers report what everyone sees, and are right.
    clock.advance(days=1)
    for _ in range(20):
        await day_of_reports(app, clock, group, veterans + newcomers, "tasks_back")
        clock.advance(days=1)
    assert (clock.now().timestamp() - 14 * 86400) > NEW_FOR
    assert set((await trust_weights(app, fresh_keys)).values()) == {MAX_WEIGHT}

    # Now the same twenty say the queue is empty: they are established, and they move the status.
    await disagree(app, clock, group, claim_drought=newcomers, see_tasks=veterans)
    status = await outlier(app)
    assert status.state == "drought" and status.unconfirmed == 0
    assert (await run(app, "/status outlier", veterans[0], group)).title == "Outlier: drought likely"


async def test_established_reporters_who_were_often_wrong_weigh_little(app, clock, group):
    veterans = crowd("veteran", ESTABLISHED)
    contrarians = crowd("contrarian", NEWCOMERS)
    for actor in contrarians:  # day 0: they arrive with the veterans, so they are not new later
        await file(app, actor, group, "tasks_back")
    for _ in range(14):
        await day_of_reports(app, clock, group, veterans, "tasks_back")
        clock.advance(days=1)
    # Their record: wrong on many judged days (as settling records it).
    keys = [app.person_key("console", a.user_id) for a in contrarians]
    await app.db.executemany("UPDATE reporter_trust SET contradictions = 10 WHERE reporter = ?", [(k,) for k in keys])
    clock.advance(minutes=10)
    for actor in contrarians:
        await file(app, actor, group, "drought")
    for actor in veterans:
        await file(app, actor, group, "tasks_back")
    clock.advance(seconds=MIN_DURATION + 60)
    status = await outlier(app)
    assert status.unconfirmed == 0 and status.drought_n == NEWCOMERS
    assert status.state == "flowing"  # 20 x 0.1 against 6 x 1.0
