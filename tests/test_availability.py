"""Availability scenarios with an injected clock: duration rule, one person counts once, tasks back, baseline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.clock import unix
from bot.features.availability.status import (
    BASELINE_WEEKS,
    HALF_LIFE,
    LOOKBACK,
    MIN_DURATION,
    MIN_REPORTERS,
    PROJECT_CHANGES_SPAN,
    WEEK,
)
from bot.features.reports.kinds import PROJECT_KINDS
from bot.features.reports.recording import window_start
from storage import moderation as moderation_store
from storage import reports as store
from tests.reports_helpers import events, members, report

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL


async def platform_state(app, platform="outlier"):
    statuses = await app.availability.statuses(app.clock.now(), platform)
    return next(s for s in statuses if s.project == "")


async def test_five_members_flip_to_drought_only_after_the_duration_rule(app, clock, group):
    crowd = members(5)
    for actor in crowd:
        reply = await report(app, actor, group, "outlier", "drought")
        assert not reply.is_error, reply.plain_text()
        clock.advance(minutes=1)
    # The MIN_REPORTERS-th member reported at minute MIN_REPORTERS - 1; the evidence must stand MIN_DURATION.
    threshold = clock.now() - timedelta(minutes=len(crowd)) + timedelta(minutes=MIN_REPORTERS - 1)
    status = await platform_state(app)
    assert status.state != "drought" and status.n == 5 and status.pending_until is not None
    text = (await app.dispatcher.dispatch("status", {"platform": "outlier"}, crowd[0], group)).plain_text()
    assert "building" in text and "drought likely" not in text

    clock.set(threshold + timedelta(seconds=MIN_DURATION - 60))
    assert (await platform_state(app)).state != "drought"
    clock.set(threshold + timedelta(seconds=MIN_DURATION))
    status = await platform_state(app)
    assert status.state == "drought" and status.n == 5 and 0 < status.confidence <= 1
    reply = await app.dispatcher.dispatch("status", {"platform": "outlier"}, crowd[0], group)
    assert reply.title == "Outlier: drought likely" and not reply.ephemeral
    assert "n = 5" in reply.plain_text()
    assert [b.args["what"] for b in reply.buttons] == ["drought", "tasks_back"]
    assert await events(app, "outlier") == [("none", "drought")]


async def test_one_member_reporting_twenty_times_counts_once(app, clock, group):
    (actor,) = members(1)
    for _ in range(20):
        reply = await report(app, actor, group, "outlier", "drought")
        assert not reply.is_error
        clock.advance(minutes=2)
    rows = await app.db.fetchall("SELECT reporter, created_at, updated_at FROM reports")
    assert len(rows) == 1 and rows[0]["updated_at"] > rows[0]["created_at"]
    assert rows[0]["reporter"] == app.person_key("console", "member0")
    status = await platform_state(app)
    assert status.n == 1 and status.state == "none"
    assert (await report(app, actor, group, "outlier", "drought")).title == "Slow down"


async def test_tasks_back_reports_flip_it_back_and_record_events(app, clock, group):
    droughters = members(5)
    for actor in droughters:
        await report(app, actor, group, "outlier", "drought")
    clock.advance(seconds=MIN_DURATION)
    assert (await platform_state(app)).state == "drought"
    clock.advance(seconds=2 * HALF_LIFE)  # the drought reports fade to a quarter of their weight
    # Two new members and one who had reported the drought now say tasks are back: that one counts once.
    for actor in [*members(2, start=100), droughters[0]]:
        await report(app, actor, group, "outlier", "tasks_back")
    status = await platform_state(app)
    assert status.state == "flowing" and status.n == 7 and status.flowing_n == 3 and status.drought_n == 4
    assert await events(app, "outlier") == [("none", "drought"), ("drought", "flowing")]
    reply = await app.dispatcher.dispatch("status", {"platform": "outlier"}, droughters[1], group)
    assert "tasks flowing" in reply.title and "since just now" in reply.plain_text()

    clock.advance(seconds=LOOKBACK + 1)  # everything is older than the lookback: nothing to say any more
    assert (await platform_state(app)).state == "none"
    assert (await events(app, "outlier"))[-1] == ("flowing", "none")


async def test_split_opinions_are_mixed(app, clock, group):
    for actor in members(3):
        await report(app, actor, group, "outlier", "drought")
    for actor in members(3, start=10):
        await report(app, actor, group, "outlier", "tasks_back")
    clock.advance(seconds=MIN_DURATION)
    status = await platform_state(app)
    assert status.state == "mixed" and status.n == 6 and status.confidence > 0


async def test_a_drought_must_beat_the_usual_level_for_that_hour_of_the_week(app, clock, group):
    now = unix(clock.now())
    history = [
        store.NewReport(f"old{week}-{i}", "outlier", "drought", "", window_start("drought", t), t)
        for week in range(1, BASELINE_WEEKS + 1)
        for i in range(3)
        for t in [now - week * WEEK - 3600]
    ]
    # The five reporters below are long-standing members (so the brigading guard does not set them aside).
    month_ago = now - 30 * 24 * 3600
    history += [
        store.NewReport(app.person_key("console", a.user_id), "toloka", "paid_on_time", "",
                        window_start("paid_on_time", month_ago), month_ago, community=group.community_key)
        for a in members(5)
    ]
    await store.upsert_many(app.db, history)
    for actor in members(5):
        await report(app, actor, group, "outlier", "drought")
    clock.advance(seconds=MIN_DURATION + 60)
    status = await platform_state(app)
    assert status.baseline == 3 and status.needed > 5 and status.state == "none"
    text = (await app.dispatcher.dispatch("status", {"platform": "outlier"}, members(1)[0], group)).plain_text()
    assert "usual at this time of week: 3.0" in text
    # The same five reports on a platform with a quiet history make a drought.
    for actor in members(5):
        await report(app, actor, group, "toloka", "drought")
    clock.advance(seconds=MIN_DURATION + 60)
    assert (await platform_state(app, "toloka")).state == "drought"


async def test_project_reports_do_not_make_the_platform_dry(app, clock, group):
    for actor in members(4):
        await report(app, actor, group, "outlier", "drought", project="Falcon")
    await report(app, members(1)[0], group, "outlier", "project_paused", project="Heron")
    clock.advance(seconds=MIN_DURATION)
    statuses = await app.availability.statuses(clock.now(), "outlier")
    by_project = {s.project: s for s in statuses}
    assert by_project[""].n == 0 and by_project[""].state == "none"
    assert by_project["falcon"].state == "drought"
    assert await events(app, "outlier", "falcon") == [("none", "drought")]
    text = (await app.dispatcher.dispatch("status", {"platform": "outlier"}, members(1)[0], group)).plain_text()
    assert "Falcon: drought likely" in text and "Heron: paused" in text  # as the first reporter typed them


async def test_all_platforms_worst_first(app, clock, group):
    for actor in members(4):
        await report(app, actor, group, "toloka", "tasks_back")
        await report(app, actor, group, "outlier", "drought")
    await report(app, members(1, start=50)[0], group, "appen", "drought")
    clock.advance(seconds=MIN_DURATION)
    reply = await app.dispatcher.dispatch("status", {}, members(1)[0], group)
    lines = reply.blocks[0].splitlines()
    assert [line.split(":")[0] for line in lines] == ["Outlier", "Appen / CrowdGen", "Toloka"]
    assert "3 platforms" in reply.title
    clock.advance(seconds=LOOKBACK + 1)
    reply = await app.dispatcher.dispatch("status", {}, members(1)[0], group)
    assert "No one has reported" in reply.plain_text()


async def test_reporter_trust_weighs_each_opinion(app, clock, group):
    crowd = members(5)
    for actor in crowd:
        await report(app, actor, group, "outlier", "drought")
    for actor in members(2, start=10):
        await report(app, actor, group, "outlier", "tasks_back")
    clock.advance(seconds=MIN_DURATION)
    assert (await platform_state(app)).state == "drought"
    # Bars written straight to the database, as another process's moderator would: no cache here is told.
    now = unix(clock.now())
    for actor in crowd[:4]:
        await moderation_store.put_bar(app.db, app.person_key("console", actor.user_id), "elsewhere", 1, now + 600,
                                       "spam", now)
    assert (await platform_state(app)).state != "drought"  # barred reporters weigh nothing
    clock.advance(seconds=601)  # the bars lapse, with no write: the weights come back
    assert (await platform_state(app)).state == "drought"


async def test_the_platform_wide_list_leaves_project_states_as_they_are(app, clock, group):
    for actor in members(4):
        await report(app, actor, group, "outlier", "drought", project="Atlas")
    clock.advance(seconds=MIN_DURATION)
    await app.availability.statuses(clock.now())
    assert (await events(app, "outlier", "atlas"))[-1] == ("none", "drought")
    everything = await app.availability.statuses(clock.now())
    listed = await app.availability.statuses(clock.now(), projects=False)
    assert all(s.project == "" for s in listed) and any(s.project for s in everything)
    assert (await events(app, "outlier", "atlas"))[-1] == ("none", "drought")  # not taken for a project gone quiet


async def test_project_changes_follow_writes_from_anywhere_and_the_moving_window(app, clock, group):
    async def atlas_reporters() -> list[int]:
        since = unix(clock.now()) - PROJECT_CHANGES_SPAN
        return [row["reporters"] for row in await app.availability.project_changes("outlier", since)]

    for actor in members(3):
        await report(app, actor, group, "outlier", "project_ended", project="Atlas")
    assert await atlas_reporters() == [3]
    at = unix(clock.now())  # another process's report, straight to the database
    await store.upsert_report(app.db, store.NewReport("elsewhere", "outlier", "project_ended", "atlas",
                                                      window_start("project_ended", at), at))
    assert await atlas_reporters() == [4]
    clock.advance(seconds=PROJECT_CHANGES_SPAN + 61)  # every report is older than the 14 days, give a minute
    assert await atlas_reporters() == []


async def test_the_service_keeps_project_changes_warm_and_reads_only_the_stale_ones(app, clock, group):
    async def listed(platform: str) -> list[tuple[str, str, int]]:
        since = unix(clock.now()) - PROJECT_CHANGES_SPAN
        rows = await app.availability.project_changes(platform, since)
        return [(r["project"], r["kind"], r["reporters"]) for r in rows]

    for platform in ("outlier", "appen"):
        for actor in members(2):
            await report(app, actor, group, platform, "project_paused", project="Atlas")
    assert await app.availability.warm_project_changes(clock.now()) == 2  # neither was read yet
    assert await app.availability.warm_project_changes(clock.now()) == 0  # both still fresh
    at = unix(clock.now())  # another process's report on one platform only
    await store.upsert_report(app.db, store.NewReport("elsewhere", "appen", "project_paused", "atlas",
                                                      window_start("project_paused", at), at))
    assert await app.availability.warm_project_changes(clock.now()) == 1
    direct = await store.project_changes(app.db, PROJECT_KINDS, "appen", at - PROJECT_CHANGES_SPAN)
    assert await listed("appen") == [(r["project"], r["kind"], r["reporters"]) for r in direct] == [
        ("atlas", "project_paused", 3)]
    assert await listed("outlier") == [("atlas", "project_paused", 2)]
