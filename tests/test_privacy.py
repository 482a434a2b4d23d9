"""Privacy: /about lists what is kept, /forget removes it, and moderation keeps only what it must."""

from __future__ import annotations

import pytest

from bot.features import privacy
from bot.features.availability.trust import settle_trust
from tests.moderation_helpers import file, report_id, run

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL


async def test_about_lists_the_data_kept_and_what_is_never_kept(app, member, group):
    text = (await run(app, "/about", member, group)).plain_text()
    assert "What the bot keeps about you:" in text
    for feature, _what in privacy.data_kept(app):
        assert f"- {feature}:" in text
    assert "Reporter trust" in text and "Moderation" in text and "Never kept:" in text


async def test_forget_then_myreports_shows_nothing(app, clock, member, moderator, group):
    await file(app, member, group, "tasks_back", note="lots of tasks since 9am")
    await file(app, member, group, "paid_late")
    await file(app, moderator, group, "tasks_back")
    await run(app, "/status outlier", member, group)  # "tasks flowing": the member's report agreed
    clock.advance(days=2)
    await settle_trust(app)  # gives the member a trust record
    key = app.person_key("console", member.user_id)
    assert await app.db.fetchone("SELECT 1 FROM reporter_trust WHERE reporter = ?", (key,))
    assert "#" in (await run(app, "/myreports", member, group)).plain_text()

    confirm = await run(app, "/forget", member, group)
    assert "Reporter trust" in confirm.plain_text()
    done = await run(app, "/forget yes", member, group)
    text = done.plain_text()
    assert "- reports: 2" in text and "reporter trust record: 1" in text
    mine = await run(app, "/myreports", member, group)
    assert "You have no reports" in mine.plain_text()
    for table, column in (("reports", "reporter"), ("reporter_trust", "reporter"), ("reporter_bars", "reporter")):
        row = await app.db.fetchone(f"SELECT count(*) FROM {table} WHERE {column} = ?", (key,))
        assert row[0] == 0, table


async def test_forget_keeps_an_active_bar_but_drops_an_expired_one(app, clock, member, moderator, group):
    await file(app, member, group, "drought")
    target = await report_id(app, member)
    await run(app, f"/mod_bar {target} 3 spam: advert", moderator, group)
    await run(app, "/forget yes", member, group)
    refused = await app.dispatcher.dispatch("report", {"platform": "outlier", "what": "drought"}, member, group)
    assert refused.is_error and "barred" in refused.plain_text()  # /forget cannot lift a bar
    clock.advance(days=3, seconds=1)
    done = (await run(app, "/forget yes", member, group)).plain_text()
    assert "expired reporting bars: 1" in done
    await file(app, member, group, "drought")


async def test_a_moderator_who_forgets_is_removed_from_the_log_but_the_actions_stay(app, member, moderator, group):
    await file(app, member, group, "drought")
    target = await report_id(app, member)
    await run(app, f"/mod_hide {target} spam", moderator, group)
    await run(app, "/note outlier Read the pinned guide first", moderator, group)
    done = (await run(app, "/forget yes", moderator, group)).plain_text()
    assert "moderation log entries (no longer linked to you, the actions kept): 2" in done
    assert "community notes (no longer linked to you): 1" in done
    log = (await run(app, "/mod_log", moderator, group)).plain_text()
    assert "Mod One" not in log and f"a moderator hid report #{target}" in log and "you hid" not in log
    key = app.person_key("console", moderator.user_id)
    for table, column in (("moderation_log", "actor"), ("community_notes", "author")):
        assert (await app.db.fetchone(f"SELECT count(*) FROM {table} WHERE {column} = ?", (key,)))[0] == 0
    assert "Read the pinned guide first" in (await run(app, "/legit outlier", member, group)).plain_text()


async def test_reports_store_only_the_keyed_hash(app, member, group):
    await file(app, member, group, "drought", note="hello")
    row = await app.db.fetchone("SELECT * FROM reports")
    values = " ".join(str(v) for v in tuple(row))
    assert member.user_id not in values.split() and member.display_name not in values
    assert row["reporter"] == app.person_key("console", member.user_id) != member.user_id


async def test_moderators_can_lift_a_bar_after_the_reporter_used_forget(app, member, moderator, group):
    await file(app, member, group, "drought")
    target = await report_id(app, member)
    await run(app, f"/mod_bar {target} 30 spam", moderator, group)
    await run(app, "/forget yes", member, group)
    assert await app.db.fetchone("SELECT 1 FROM reports WHERE id = ?", (target,)) is None
    lifted = await run(app, f"/mod_unbar {target} appeal accepted", moderator, group)
    assert not lifted.is_error, lifted.plain_text()
    await file(app, member, group, "drought")


async def test_forget_removes_alert_subscriptions_and_their_raw_ids(app, member, private):
    await run(app, "/subscribe outlier", member, private)
    await run(app, "/subscribe toloka", member, private)
    assert "Outlier" in (await run(app, "/subscriptions", member, private)).plain_text()
    done = (await run(app, "/forget yes", member, private)).plain_text()
    assert "alert subscriptions and pending alerts: 2" in done
    row = await app.db.fetchone("SELECT count(*) FROM subscriptions WHERE user_id = ?", (member.user_id,))
    assert row[0] == 0
    assert "Outlier" not in (await run(app, "/subscriptions", member, private)).plain_text()
