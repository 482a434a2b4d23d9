"""One state, one wording: /status never contradicts itself, and alerts and the digest say a state as /status
does. A drought is dated from when it began, and "the drought is over" is said only when tasks flow again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.features.availability.status import MIN_DURATION
from bot.features.availability.wording import BUILDING, STATE_LABELS, TOO_FEW
from bot.features.digest import build_digest, digest_reply
from storage import subscriptions as subscriptions_store
from tests.reports_helpers import members, report
from tests.support.digest_fakes import FakeSender, add_event, manual_outbox

LABELS = {*STATE_LABELS.values(), BUILDING, TOO_FEW}


async def status(app, actor, place, platform: str = "outlier"):
    reply = await app.dispatcher.dispatch("status", {"platform": platform}, actor, place)
    return reply, {f.name: f.value for f in reply.fields}


def said_label(reply) -> str:
    """The label in the title of a /status reply ("Outlier: drought likely")."""
    return reply.title.split(": ", 1)[1]


async def test_no_recent_reports_never_sits_beside_a_report_made_just_now(app, clock, member, group) -> None:
    await report(app, member, group, "outlier", "paid_late")  # not about the queue
    await report(app, members(1, start=50)[0], group, "outlier", "drought", project="Falcon")  # one project
    reply, fields = await status(app, member, group)
    assert said_label(reply) == "no recent reports"
    assert fields["Status"] == "no recent reports" and "n = 0" not in fields["Status"]
    assert fields["Last report"] == "none yet"
    assert "as a whole" in fields["Reports"] and "1 project with reports of its own below" in fields["Reports"]
    clock.advance(hours=1)
    await report(app, member, group, "outlier", "tasks_back")
    reply, fields = await status(app, member, group)
    assert said_label(reply) == TOO_FEW and fields["Last report"] == "just now"


async def test_drought_reports_still_building_say_so_in_the_label(app, clock, group) -> None:
    for actor in members(6):
        await report(app, actor, group, "outlier", "drought")
    reply, fields = await status(app, members(1)[0], group)
    assert said_label(reply) == BUILDING
    assert fields["Status"].startswith(f"{BUILDING} · n = 6") and TOO_FEW not in reply.plain_text()
    assert "Drought reports are building" in fields["Reports"]
    assert "6 members reported no tasks, 0 members tasks back." in fields["Reports"]


@pytest.mark.parametrize("refreshed", [False, True], ids=["asked-late", "refreshed-every-minute"])
async def test_a_drought_is_dated_from_when_it_began(app, clock, group, refreshed: bool) -> None:
    for actor in members(3):
        await report(app, actor, group, "outlier", "drought")
    for _minute in range(35):
        clock.advance(minutes=1)
        if refreshed:
            await app.availability.refresh_all()
    reply, fields = await status(app, members(1)[0], group)
    assert said_label(reply) == "drought likely"
    assert fields["Status"].endswith("since 35 min ago"), fields["Status"]


async def test_the_digest_says_each_state_as_status_does(app, clock, moderator, group) -> None:
    # (drought reports, then half an hour later tasks-back reports): drought, too few, mixed, flowing.
    scenes = {"outlier": (4, 0), "toloka": (1, 1), "prolific": (3, 3), "mercor": (0, 3)}
    crowd = iter(members(40))
    for platform, (dry, _back) in scenes.items():
        for _ in range(dry):
            await report(app, next(crowd), group, platform, "drought")
    clock.advance(seconds=MIN_DURATION)
    for platform, (_dry, back) in scenes.items():
        for _ in range(back):
            await report(app, next(crowd), group, platform, "tasks_back")
    for _ in range(3):
        await report(app, next(crowd), group, "dataannotation", "drought")  # a minute ago: building
    clock.advance(minutes=1)
    said = {}
    for platform in (*scenes, "dataannotation"):
        reply, _fields = await status(app, moderator, group, platform)
        said[reply.title.split(": ", 1)[0]] = said_label(reply)
    assert {"drought likely", "tasks flowing", "mixed reports", TOO_FEW, BUILDING} <= set(said.values())
    digest = await build_digest(app, "console:local", clock.now(), chart=False)
    assert {row.name: row.label for row in digest.status} == said
    text = digest_reply(digest).plain_text()
    assert "no clear signal" not in text and "1 people" not in text
    assert all(label in LABELS for label in said.values())


async def follow(app, platform: str = "outlier") -> None:
    await subscriptions_store.subscribe(app.db, "telegram", "1", platform, subscriptions_store.ALERT_KINDS, 0)


async def delivered(app, clock) -> list:
    sender = FakeSender(clock)
    app.senders["telegram"] = sender
    await manual_outbox(app, clock).run_once()
    return [reply for _dest, reply, _at in sender.delivered]


async def test_a_drought_turning_to_mixed_reports_is_not_announced_as_over(app, clock) -> None:
    assert await app.alerts.scan() == 0
    await follow(app)
    await add_event(app, "outlier", "flowing", "drought", clock.now() - timedelta(hours=3))
    await add_event(app, "outlier", "drought", "mixed", clock.now() - timedelta(hours=1))
    assert await app.alerts.scan() == 0
    await add_event(app, "outlier", "mixed", "flowing", clock.now(), reporters=5)
    assert await app.alerts.scan() == 1  # tasks flow again, after the drought: that is the news
    [reply] = await delivered(app, clock)
    assert reply.title == "Outlier: tasks flowing again"
    assert reply.blocks[0].startswith("Status now: tasks flowing (n = 5).")


async def test_tasks_flowing_again_without_a_drought_is_not_news(app, clock) -> None:
    assert await app.alerts.scan() == 0
    await follow(app)
    await add_event(app, "outlier", "none", "flowing", clock.now() - timedelta(hours=3))
    await add_event(app, "outlier", "flowing", "mixed", clock.now() - timedelta(hours=2))
    await add_event(app, "outlier", "mixed", "flowing", clock.now())
    assert await app.alerts.scan() == 0


async def test_a_real_drought_and_its_end_through_reports_alert_once_with_the_status(app, clock, group) -> None:
    assert await app.alerts.scan() == 0
    await follow(app)
    for actor in members(3):
        await report(app, actor, group, "outlier", "drought")
    clock.advance(seconds=MIN_DURATION)
    await app.availability.refresh_all()
    for actor in members(2, start=10):  # two say tasks are back: mixed, not over
        await report(app, actor, group, "outlier", "tasks_back")
    await app.availability.refresh_all()
    assert await app.alerts.scan() == 0
    clock.advance(hours=3)
    for actor in members(4, start=20):
        await report(app, actor, group, "outlier", "tasks_back")
    reply, _fields = await status(app, members(1)[0], group)
    assert said_label(reply) == "tasks flowing"
    assert await app.alerts.scan() == 1
    [alert] = await delivered(app, clock)
    assert alert.title == "Outlier: tasks flowing again" and "Status now: tasks flowing" in alert.blocks[0]
    clock.advance(minutes=1)
    digest = await build_digest(app, None, clock.now(), chart=False)
    changes = [c.text for c in digest.changes]
    assert changes[0].startswith("Outlier: drought likely from") and "(3 members)" in changes[0]
    assert changes[1].startswith("Outlier: drought over, tasks flowing again from")
    assert len(changes) == 2  # the move to mixed reports is not the end of the drought
