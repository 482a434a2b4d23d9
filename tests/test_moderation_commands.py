"""Moderator commands on the console: hide for a rule (never for being negative), bars, notes, the audit log."""

from __future__ import annotations

import pytest

from bot.core.declarations import Access
from bot.core.model import Actor, Place, Platform
from bot.features.availability.status import MIN_DURATION, MIN_REPORTERS
from tests.moderation_helpers import crowd, file, report_id, run

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL


async def outlier_state(app):
    statuses = await app.availability.statuses(app.clock.now(), "outlier")
    return next(s for s in statuses if s.project == "")


@pytest.fixture
def elsewhere() -> Place:
    """Another community on the console."""
    return Place(Platform.CONSOLE, "other", "general", is_private=False)


async def test_members_are_refused_every_moderator_command(app, member, group):
    moderator_only = [c.name for c in app.registry.visible(Access.MODERATOR)]
    assert {"mod_reports", "mod_hide", "mod_unhide", "mod_bar", "mod_unbar", "mod_log", "note"} <= set(moderator_only)
    for name in moderator_only:
        reply = await app.dispatcher.dispatch(name, {}, member, group)
        assert reply.is_error and "for moderators" in reply.plain_text(), name
    assert (await app.db.fetchone("SELECT count(*) FROM moderation_log"))[0] == 0


async def test_a_hidden_report_stops_counting_and_unhiding_restores_it(app, clock, moderator, group):
    members = crowd("m", MIN_REPORTERS)
    for actor in members:
        await file(app, actor, group, "drought")
    clock.advance(seconds=MIN_DURATION + 60)
    assert (await outlier_state(app)).state == "drought"

    target = await report_id(app, members[0])
    reply = await run(app, f"/mod_hide {target} spam: copy-pasted advert", moderator, group)
    assert not reply.is_error and "hidden" in reply.title
    status = await outlier_state(app)
    assert status.state != "drought" and status.n == MIN_REPORTERS - 1
    text = (await run(app, "/status outlier", members[1], group)).plain_text()
    assert "drought likely" not in text and f"n = {MIN_REPORTERS - 1}" in text
    listing = (await run(app, "/mod_reports", moderator, group)).plain_text()
    assert f"#{target}" in listing and "HIDDEN: spam: copy-pasted advert" in listing

    again = await run(app, f"/mod_hide {target} duplicate", moderator, group)
    assert again.is_error and "already hidden" in again.plain_text()
    assert not (await run(app, f"/mod_unhide {target} hidden by mistake", moderator, group)).is_error
    assert (await outlier_state(app)).state == "drought"


@pytest.mark.parametrize("reason", ["negative", "too negative about the platform", "bad review",
                                    "just a complaint", "I disagree with this", "makes the platform look bad"])
async def test_being_negative_is_never_a_reason_to_hide(app, member, moderator, group, reason):
    await file(app, member, group, "payment_missing")
    target = await report_id(app, member)
    reply = await run(app, f"/mod_hide {target} {reason}", moderator, group)
    text = reply.plain_text()
    assert reply.is_error and "for being negative" in text and "spam" in text and "personal information" in text
    row = await app.db.fetchone("SELECT hidden FROM reports WHERE id = ?", (target,))
    assert row["hidden"] == 0
    bar = await run(app, f"/mod_bar {target} 7 {reason}", moderator, group)
    assert bar.is_error and "for being negative" in bar.plain_text()


async def test_a_reason_is_required_and_a_rule_reason_wins_over_negative_words(app, member, moderator, group):
    await file(app, member, group, "drought")
    target = await report_id(app, member)
    missing = await run(app, f"/mod_hide {target}", moderator, group)
    assert missing.is_error and "needs reason" in missing.plain_text()
    short = await run(app, f"/mod_hide {target} x", moderator, group)
    assert short.is_error and "which rule" in short.plain_text()
    ok = await run(app, f"/mod_hide {target} negative AND it names a team lead: personal info", moderator, group)
    assert not ok.is_error


async def test_moderators_act_only_on_their_own_communitys_reports(app, member, moderator, group, elsewhere):
    await file(app, member, elsewhere, "drought")
    target = await report_id(app, member)
    for line in (f"/mod_hide {target} spam", f"/mod_bar {target} 3 spam", f"/mod_unhide {target}"):
        reply = await run(app, line, moderator, group)
        assert reply.is_error and f"no report #{target} from this community" in reply.plain_text()
    assert "No reports" in (await run(app, "/mod_reports", moderator, group)).plain_text()


async def test_a_barred_reporter_is_refused_with_when_why_and_how_to_appeal(app, clock, member, moderator, group):
    await file(app, member, group, "drought", note="buy followers at example.com")
    target = await report_id(app, member)
    reply = await run(app, f"/mod_bar {target} 7 spam: advert in the note", moderator, group)
    assert not reply.is_error and "Nobody, including you, is told who they are" in reply.plain_text()
    assert member.user_id not in reply.plain_text() and member.display_name not in reply.plain_text()

    refused = await app.dispatcher.dispatch("report", {"platform": "outlier", "what": "tasks_back"}, member, group)
    text = refused.plain_text()
    assert refused.is_error
    assert "until 23 Nov 2026 12:00 UTC" in text and "spam: advert in the note" in text
    assert "this community's moderators" in text and "/mod_unbar" in text
    assert (await app.db.fetchone("SELECT count(*) FROM reports"))[0] == 1
    # A bar covers every kind of report, in every community.
    payrate = await app.dispatcher.dispatch(
        "payrate", {"platform": "outlier", "amount": "20", "currency": "USD"}, member,
        Place(Platform.CONSOLE, "other", "x", is_private=False),
    )
    assert payrate.is_error and "the moderators of a community you reported in" in payrate.plain_text()

    clock.advance(days=7, seconds=1)
    await file(app, member, group, "tasks_back")


async def test_unbar_lets_the_reporter_report_again(app, member, moderator, group):
    await file(app, member, group, "drought")
    target = await report_id(app, member)
    await run(app, f"/mod_bar {target} 30 false reports: brigading", moderator, group)
    not_barred = await run(app, "/mod_unbar 99999", moderator, group)
    assert not_barred.is_error
    assert not (await run(app, f"/mod_unbar {target} appeal accepted", moderator, group)).is_error
    await file(app, member, group, "tasks_back")
    again = await run(app, f"/mod_unbar {target}", moderator, group)
    assert again.is_error and "not barred" in again.plain_text()


async def test_every_moderator_action_appears_in_mod_log(app, clock, member, moderator, group):
    await file(app, member, group, "drought")
    target = await report_id(app, member)
    lines = [
        f"/mod_hide {target} off-topic: about another site",
        f"/mod_unhide {target} it was on topic after all",
        f"/mod_bar {target} 3 abuse: insults in the note",
        f"/mod_unbar {target} apologised",
        "/note outlier Ask in #outlier before starting an assessment",
        "/note outlier clear",
    ]
    for line in lines:
        reply = await run(app, line, moderator, group)
        assert not reply.is_error, (line, reply.plain_text())
        clock.advance(minutes=1)
    log = (await run(app, "/mod_log", moderator, group)).plain_text()
    expected = [
        f"hid report #{target} (outlier): off-topic: about another site",
        f"showed report #{target} again (outlier): it was on topic after all",
        f"barred the sender of report #{target} (outlier): 3 days: abuse: insults in the note",
        f"lifted the bar on the sender of report #{target} (outlier): apologised",
        "set the note on outlier: Ask in #outlier before starting an assessment",
        "cleared the note on outlier",
    ]
    for entry in expected:
        assert f"— you {entry}" in log, entry  # the moderator's own actions
    assert log.index(expected[-1]) < log.index(expected[0])  # newest first
    assert "16 Nov 2026 12:00 UTC" in log
    # Another moderator sees "a moderator", never a name (none is stored).
    colleague = Actor(Platform.CONSOLE, "m2", "Mod Two", is_moderator=True)
    theirs = (await run(app, "/mod_log", colleague, group)).plain_text()
    assert all(f"— a moderator {entry}" in theirs for entry in expected) and "Mod One" not in theirs
    # Refused actions are not logged; another community's log is separate.
    await run(app, f"/mod_hide {target} negative", moderator, group)
    rows = await app.db.fetchall("SELECT * FROM moderation_log")
    assert "actor_name" not in rows[0].keys()  # noqa: SIM118 (sqlite3.Row)
    assert len(rows) == len(lines)
    assert {r["actor"] for r in rows} == {app.person_key("console", "m1")}
    other = Place(Platform.CONSOLE, "other", "general", is_private=False)
    assert "No moderator actions" in (await run(app, "/mod_log", moderator, other)).plain_text()


async def test_mod_reports_shows_ids_kinds_notes_and_trust_never_identities(app, moderator, group):
    members = crowd("alice", 2)
    await file(app, members[0], group, "drought", note="queue empty since Monday")
    await file(app, members[1], group, "project_ended", project="Falcon")
    listing = (await run(app, "/mod_reports outlier", moderator, group)).plain_text()
    assert f"#{await report_id(app, members[0])} · Outlier · drought" in listing
    assert "project ended · project “Falcon”" in listing
    assert "note: “queue empty since Monday”" in listing and "trust 0.25" in listing
    for actor in members:
        assert actor.user_id not in listing and actor.display_name not in listing
        assert app.person_key("console", actor.user_id) not in listing
    assert "No reports about toloka" in (await run(app, "/mod_reports toloka", moderator, group)).plain_text()


async def test_a_community_note_shows_under_legit_in_that_community_only(app, member, moderator, group, private):
    text = "Our pinned thread has a guide to the Outlier assessments."
    reply = await run(app, f"/note outlier {text}", moderator, group)
    assert not reply.is_error
    here = (await run(app, "/legit outlier", member, group)).plain_text()
    assert "Note from this community's moderators" in here and text in here
    other = Place(Platform.CONSOLE, "other", "general", is_private=False)
    assert text not in (await run(app, "/legit outlier", member, other)).plain_text()
    assert text not in (await run(app, "/legit outlier", member, private)).plain_text()
    assert not (await run(app, "/note outlier clear", moderator, group)).is_error
    assert text not in (await run(app, "/legit outlier", member, group)).plain_text()
    nothing = await run(app, "/note outlier clear", moderator, group)
    assert nothing.is_error and "no note" in nothing.plain_text()


async def test_moderator_commands_need_a_community(app, moderator, private):
    reply = await run(app, "/mod_log", moderator, private)
    assert reply.is_error and "not in a private chat" in reply.plain_text()


async def test_bad_input_gets_a_friendly_reply(app, moderator, group):
    for line, expected in (
        ("/mod_hide abc spam", "not a whole number"),
        ("/mod_hide 4242 spam", "no report #4242"),
        ("/mod_bar 1 0 spam", "too small"),
        ("/note nosuchplatform hello", "don't know a platform"),
    ):
        reply = await run(app, line, moderator, group)
        assert reply.is_error and expected in reply.plain_text(), (line, reply.plain_text())

