"""A community's moderators stop text planted in another community's reports showing in their community
(/status, alert channel, digest), while the pooled counts stay as they were; audited, and undone."""

from __future__ import annotations

import pytest

from bot.core.model import Actor, Place, Platform
from bot.features.moderation.not_here import NOT_SHOWN
from tests.moderation_helpers import crowd, file, report_id, run

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL

PLANTED = "[claim your bonus](https://evil.example/x)"  # stored lower-cased, as every project name
ELSEWHERE = Place(Platform.CONSOLE, "planted", "general", is_private=False)
HERE = Place(Platform.CONSOLE, "here", "general", is_private=False)
PRIVATE = Place(Platform.CONSOLE, None, None, is_private=True)
MOD = Actor(Platform.CONSOLE, "mod-here", "Mod Here", is_moderator=True)
OTHER_MOD = Actor(Platform.CONSOLE, "mod-planted", "Mod Planted", is_moderator=True)


@pytest.fixture
async def planted(app) -> list[int]:
    """Three members of another community report the project "ended", and one a drought on it."""
    members = crowd("planter", 3)
    for actor in members:
        await file(app, actor, ELSEWHERE, "project_ended", project=PLANTED)
    await file(app, members[0], ELSEWHERE, "drought", project=PLANTED)
    await file(app, crowd("local", 1)[0], HERE, "project_ended", project="falcon")
    return [await report_id(app, actor, "project_ended") for actor in members]


async def status_text(app, place: Place) -> str:
    return (await run(app, "/status outlier", crowd("reader", 1)[0], place)).plain_text()


async def test_a_mark_stops_the_text_here_and_keeps_the_counts(app, planted):
    before = await status_text(app, HERE)
    assert PLANTED in before and "n = 3" in before
    listing = (await run(app, "/mod_elsewhere", MOD, HERE)).plain_text()
    assert all(f"#{target}" in listing for target in planted) and "falcon" not in listing

    reply = await run(app, f"/mod_not_here {planted[0]} spam: a link planted in a project name", MOD, HERE)
    assert not reply.is_error, reply.plain_text()
    after = await status_text(app, HERE)
    assert PLANTED not in after and "evil.example" not in after
    assert f"{NOT_SHOWN}: ended (n = 3" in after  # every report naming it, and the count is kept
    assert "falcon: ended (n = 1" in after
    assert after.replace(NOT_SHOWN, PLANTED) == before  # nothing else changed
    assert PLANTED in await status_text(app, ELSEWHERE) and PLANTED in await status_text(app, PRIVATE)
    listing = (await run(app, "/mod_elsewhere", MOD, HERE)).plain_text()
    assert f"#{planted[0]} · " in listing and listing.count("NOT SHOWN HERE (marked)") == 1
    assert listing.count("NOT SHOWN HERE (a marked report has the same name)") == 3  # two reports and a drought

    log = (await run(app, "/mod_log", MOD, HERE)).plain_text()
    assert f"stopped report #{planted[0]} from elsewhere showing here" in log and "spam: a link planted" in log
    assert "No moderator actions" in (await run(app, "/mod_log", OTHER_MOD, ELSEWHERE)).plain_text()

    undone = await run(app, f"/mod_here_again {planted[0]} marked by mistake", MOD, HERE)
    assert not undone.is_error, undone.plain_text()
    assert await status_text(app, HERE) == before
    assert f"showed report #{planted[0]} from elsewhere here again" in (
        await run(app, "/mod_log", MOD, HERE)).plain_text()


async def test_the_digest_and_the_alert_channel_leave_the_text_out_here(app, clock, planted):
    for moderator, place in ((MOD, HERE), (OTHER_MOD, ELSEWHERE)):
        assert not (await run(app, "/alerts_here on", moderator, place)).is_error
    await run(app, f"/mod_not_here {planted[1]} spam: a planted link", MOD, HERE)
    clock.advance(minutes=5)

    here = (await run(app, "/digest_preview", MOD, HERE)).plain_text()
    assert PLANTED not in here and f"{NOT_SHOWN} reported ended by 3 people" in here
    assert f"project “{PLANTED}” reported ended by 3 people" in (
        await run(app, "/digest_preview", OTHER_MOD, ELSEWHERE)).plain_text()

    assert await app.alerts.scan() >= 2
    rows = {row["key"]: row["payload"] for row in await app.db.fetchall("SELECT key, payload FROM outbox")}
    ended = [key for key in rows if "project_ended" in key]  # keys name the project by a digest, never its text
    here_alert = rows[next(key for key in ended if key.startswith("alert:console:here:"))]
    elsewhere_alert = rows[next(key for key in ended if key.startswith("alert:console:planted:"))]
    assert PLANTED not in here_alert and "evil.example" not in here_alert and "not shown here" in here_alert
    assert PLANTED in elsewhere_alert


async def test_marks_are_for_reports_from_elsewhere_that_name_a_project(app, planted, member):
    own = await report_id(app, crowd("local", 1)[0])
    refused = await run(app, f"/mod_not_here {own} spam: advert", MOD, HERE)
    assert refused.is_error and "yours to moderate" in refused.plain_text()
    assert f"/mod_hide {own}" in refused.plain_text()
    await file(app, crowd("planter", 1)[0], ELSEWHERE, "paid_late")
    countless = await report_id(app, crowd("planter", 1)[0], "paid_late")
    refused = await run(app, f"/mod_not_here {countless} spam: advert", MOD, HERE)
    assert refused.is_error and "names no project" in refused.plain_text()
    assert (await run(app, "/mod_not_here 9999 spam: advert", MOD, HERE)).is_error
    negative = await run(app, f"/mod_not_here {planted[0]} too negative", MOD, HERE)
    assert negative.is_error and "negative" in negative.plain_text()
    assert "for moderators" in (await run(app, f"/mod_not_here {planted[0]} spam", member, HERE)).plain_text()
    assert not (await run(app, f"/mod_not_here {planted[0]} spam: planted link", MOD, HERE)).is_error
    again = await run(app, f"/mod_not_here {planted[0]} spam: planted link", MOD, HERE)
    assert again.is_error and "already not shown here" in again.plain_text()
    assert (await run(app, f"/mod_here_again {planted[1]}", MOD, HERE)).is_error  # never marked
    rows = await app.db.fetchall("SELECT action FROM moderation_log")
    assert [row["action"] for row in rows] == ["not_here"]


async def test_a_mark_goes_with_its_report(app, planted):
    await run(app, f"/mod_not_here {planted[0]} spam: planted link", MOD, HERE)
    assert not (await run(app, f"/retract {planted[0]}", crowd("planter", 1)[0], ELSEWHERE)).is_error
    assert (await app.db.fetchone("SELECT count(*) FROM not_shown_here"))[0] == 0
