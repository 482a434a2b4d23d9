"""Recording reports: acknowledgements, dedupe, rate limit, bad input, /myreports, /retract and /forget."""

from __future__ import annotations

import pytest

from bot.core.model import Actor, Platform
from bot.features.reports.kinds import KINDS
from bot.features.reports.recording import NOTE_MAX, REPORTS_PER_HOUR, window_start
from tests.reports_helpers import count_reports, members, report

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL


async def test_a_report_is_acknowledged_privately_and_stored_under_a_keyed_hash(app, member, group):
    reply = await report(app, member, group, "outlier", "drought", note="queue empty\x07 since\u202e noon")
    assert reply.ephemeral and not reply.is_error
    assert "Recorded: Outlier — no tasks (empty queue)" in reply.plain_text()
    assert "6 hours" in reply.plain_text() and "only to moderators" in reply.plain_text()
    row = await app.db.fetchone("SELECT * FROM reports")
    assert row["reporter"] == app.person_key("console", "u1") and "u1" not in row["reporter"]
    assert row["platform"] == "outlier" and row["community"] == "console:local" and row["project"] == ""
    assert row["note"] == "queue empty since noon"
    assert row["window_start"] == window_start("drought", row["created_at"])


async def test_a_repeat_refreshes_and_other_kinds_or_projects_add(app, clock, member, group):
    await report(app, member, group, "outlier", "drought")
    clock.advance(minutes=30)
    await report(app, member, group, "outlier", "drought")
    await report(app, member, group, "outlier", "tasks_back")
    await report(app, member, group, "outlier", "project_paused", project="Falcon")
    await report(app, member, group, "outlier", "project_paused", project="  FALCON ")
    await report(app, member, group, "toloka", "drought")
    assert await count_reports(app) == 4
    clock.advance(seconds=KINDS["drought"].window)  # a new window: a new report
    await report(app, member, group, "outlier", "drought")
    assert await count_reports(app, "kind = 'drought' AND platform = 'outlier'") == 2


async def test_the_per_person_rate_limit_replies_clearly(app, clock, group):
    (actor,) = members(1)
    for i in range(REPORTS_PER_HOUR):
        assert not (await report(app, actor, group, "outlier", "project_ended", project=f"p{i}")).is_error
    reply = await report(app, actor, group, "outlier", "project_ended", project="one too many")
    assert reply.is_error and reply.title == "Slow down" and "Try again in about" in reply.plain_text()
    assert await count_reports(app) == REPORTS_PER_HOUR
    assert not (await report(app, members(1, start=1)[0], group, "outlier", "drought")).is_error  # others unaffected
    clock.advance(hours=1)
    assert not (await report(app, actor, group, "outlier", "drought")).is_error


async def test_bad_input_gets_a_friendly_reply_and_stores_nothing(app, member, group):
    dispatch = app.dispatcher.dispatch
    cases = [
        (await report(app, member, group, "nosuchplace", "drought"), "nosuchplace"),
        (await report(app, member, group, "outlier", "sunshine"), "not one of"),
        (await report(app, member, group, "outlier", "drought", note="x" * (NOTE_MAX + 1)), "at most 200"),
        (await report(app, member, group, "outlier", "project_ended"), "Add its name"),
        (await report(app, member, group, "outlier", "drought", project="p" * 61), "at most 60"),
        (await dispatch("payrate", {"platform": "outlier", "amount": "900", "currency": "USD"}, member, group),
         "0.50 to 300.00 USD"),
        (await dispatch("payrate", {"platform": "outlier", "amount": "50000", "currency": "INR"}, member, group),
         "INR"),
        (await dispatch("payrate", {"platform": "outlier", "amount": "20", "currency": "XYZ"}, member, group),
         "currency"),
        (await dispatch("payrate", {"platform": "outlier", "amount": "lots", "currency": "USD"}, member, group),
         "not a number"),
        (await dispatch("onboarding", {"platform": "outlier", "hours": "500"}, member, group), "0.25 to 200 hours"),
        (await dispatch("retract", {"id": "abc"}, member, group), "whole number"),
    ]
    for reply, expected in cases:
        assert reply.is_error and reply.ephemeral, reply.plain_text()
        assert expected in reply.plain_text(), (expected, reply.plain_text())
        assert "Traceback" not in reply.plain_text()
    assert await count_reports(app) == 0


async def test_payrate_and_onboarding_store_normalised_values(app, member, group):
    dispatch = app.dispatcher.dispatch
    reply = await dispatch("payrate", {"platform": "outlier", "amount": "20", "currency": "eur", "role": "specialist"},
                           member, group)
    assert not reply.is_error and "20 EUR an hour (about $" in reply.plain_text()
    reply = await dispatch("onboarding", {"platform": "outlier", "hours": "6.5"}, member, group)
    assert "unpaid" in reply.plain_text()
    pay = await app.db.fetchone("SELECT * FROM reports WHERE kind = 'payrate'")
    assert pay["currency"] == "EUR" and pay["role"] == "specialist" and 20 < pay["hourly_usd"] < 24
    onboarding = await app.db.fetchone("SELECT * FROM reports WHERE kind = 'onboarding'")
    assert onboarding["hours"] == 6.5 and onboarding["paid"] == 0


async def test_myreports_lists_only_your_own(app, member, group):
    other = Actor(Platform.TELEGRAM, "u1", "Same id, other platform")
    await report(app, member, group, "outlier", "drought")
    await report(app, other, group, "toloka", "paid_late")
    reply = await app.dispatcher.dispatch("myreports", {}, member, group)
    assert reply.ephemeral and "Outlier: no tasks" in reply.plain_text() and "Toloka" not in reply.plain_text()
    assert reply.buttons[0].command == "retract"


async def test_retract_removes_only_your_report_and_status_follows(app, clock, group):
    crowd = members(3)
    for actor in crowd:
        await report(app, actor, group, "outlier", "drought")
    row = await app.db.fetchone("SELECT id FROM reports WHERE reporter = ?", (app.person_key("console", "member0"),))
    reply = await app.dispatcher.dispatch("retract", {"id": str(row["id"])}, crowd[1], group)
    assert reply.is_error and "no report" in reply.plain_text()
    assert await count_reports(app) == 3
    reply = await app.dispatcher.dispatch("retract", {"id": str(row["id"])}, crowd[0], group)
    assert not reply.is_error and "Deleted" in reply.plain_text()
    assert await count_reports(app) == 2
    statuses = await app.availability.statuses(clock.now(), "outlier")
    assert statuses[0].n == 2


async def test_forget_asks_then_deletes_everything_and_says_what(app, member, group):
    await report(app, member, group, "outlier", "drought")
    await report(app, member, group, "toloka", "paid_on_time")
    await app.dispatcher.dispatch("payrate", {"platform": "outlier", "amount": "20", "currency": "USD"}, member, group)
    other = members(1)[0]
    await report(app, other, group, "outlier", "drought")
    ask = await app.dispatcher.dispatch("forget", {}, member, group)
    assert ask.ephemeral and "3 reports" in ask.plain_text() and await count_reports(app) == 4
    (button,) = ask.buttons
    done = await app.dispatcher.dispatch(button.command, button.args, member, group)
    assert "reports: 3" in done.plain_text()
    assert await count_reports(app) == 1
    assert await count_reports(app, "reporter = ?", (app.person_key("console", "member0"),)) == 1
    again = await app.dispatcher.dispatch("forget", {"confirm": "yes"}, member, group)
    assert "Nothing to delete" in again.plain_text()


async def test_a_near_miss_platform_offers_buttons_that_keep_the_other_arguments(app, member, group):
    reply = await app.dispatcher.dispatch_line('/report crowd project_ended "Big Bird"', member, group)
    assert reply.is_error and "Did you mean Appen" in reply.plain_text()
    [button] = [b for b in reply.buttons if b.args.get("platform") == "appen"]
    assert button.command == "report"
    assert button.args == {"platform": "appen", "what": "project_ended", "project": "Big Bird"}
    again = await app.dispatcher.dispatch(button.command, button.args, member, group)
    assert not again.is_error and "project “Big Bird”" in again.plain_text()
