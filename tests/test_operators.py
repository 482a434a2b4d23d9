"""Operators (QUEUEWATCH_OPERATORS) moderate every report, private-chat ones included, from a private chat with
the bot or `queuewatch mod`; every action is audited; community moderators keep to their own community."""

from __future__ import annotations

import asyncio

import pytest

from bot.cli import main
from bot.core.clock import ManualClock
from bot.core.model import Actor, Place, Platform
from bot.features.moderation.actions import OPERATOR_LOG
from bot.settings import load_settings
from bot.wiring import build_app, load_registry
from tests.cli_support import queuewatch
from tests.conftest import START
from tests.discord_fake import FakeDiscord, connected, discord_settings, messages, text_of
from tests.moderation_helpers import file, report_id, run
from tests.telegram_fake import group_chat, private_chat, running_bot, user

OPERATOR_ID, MEMBER_ID, ADMIN_ID, GROUP_ID = 900, 901, 902, -100_900
OPERATOR = Actor(Platform.TELEGRAM, str(OPERATOR_ID), "Olga Operator")
MEMBER = Actor(Platform.TELEGRAM, str(MEMBER_ID), "Mia Member")
MODERATOR = Actor(Platform.TELEGRAM, str(ADMIN_ID), "Adam Admin", is_moderator=True)
PRIVATE = Place(Platform.TELEGRAM, None, str(MEMBER_ID), is_private=True)
OPERATOR_CHAT = Place(Platform.TELEGRAM, None, str(OPERATOR_ID), is_private=True)
GROUP = Place(Platform.TELEGRAM, str(GROUP_ID), str(GROUP_ID), is_private=False)
COMMUNITY = f"telegram:{GROUP_ID}"


@pytest.fixture
async def app(settings, clock):
    """An app with one Telegram operator."""
    app = await build_app(settings.model_copy(update={"queuewatch_operators": [f"telegram:{OPERATOR_ID}"]}),
                          clock=clock)
    yield app
    await app.db.close()


async def log_rows(app) -> list[tuple[str, str, str, int]]:
    """(log, who, action, report) of every audit entry; who is "an operator" when an operator's keyed hash acted."""
    operators = {app.person_key(*entry.split(":", 1)) for entry in app.settings.queuewatch_operators}
    rows = await app.db.fetchall("SELECT community, actor, action, report_id FROM moderation_log ORDER BY id")
    return [(row["community"], "an operator" if row["actor"] in operators else row["actor"], row["action"],
             row["report_id"]) for row in rows]


def test_a_bad_operator_entry_stops_start_up_with_one_line(tmp_path) -> None:
    for value in ("telegram:abc", "slack:42", "telegram:-100123", "42"):
        result = queuewatch("migrate", cwd=tmp_path, QUEUEWATCH_OPERATORS=value)
        assert result.returncode == 2, value
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("queuewatch: QUEUEWATCH_OPERATORS: expected comma-separated telegram:<user id>")
    assert load_settings(queuewatch_operators=" Telegram:12, discord:34 ,").queuewatch_operators == [
        "telegram:12", "discord:34"]


async def test_an_operator_moderates_a_private_chat_report_that_no_community_can(app):
    await file(app, MEMBER, PRIVATE, "drought", note="queue empty since noon")
    target = await report_id(app, MEMBER)
    refused = await run(app, f"/mod_hide {target} spam: advert", MODERATOR, GROUP)
    assert refused.is_error and f"no report #{target} from this community" in refused.plain_text()

    listing = await run(app, "/mod_reports", OPERATOR, OPERATOR_CHAT)
    assert not listing.is_error, listing.plain_text()
    assert f"#{target}" in listing.plain_text() and "from a private chat" in listing.plain_text()
    assert "queue empty since noon" in listing.plain_text()

    hidden = await run(app, f"/mod_hide {target} spam: advert for a referral link", OPERATOR, OPERATOR_CHAT)
    assert not hidden.is_error, hidden.plain_text()
    assert (await app.db.fetchone("SELECT hidden FROM reports WHERE id = ?", (target,)))["hidden"] == 1
    assert await log_rows(app) == [(OPERATOR_LOG, "an operator", "hide", target)]
    assert "Olga" not in str(await log_rows(app))
    shown = await run(app, f"/mod_unhide {target} hidden by mistake", OPERATOR, OPERATOR_CHAT)
    assert not shown.is_error and (await log_rows(app))[-1] == (OPERATOR_LOG, "an operator", "unhide", target)
    log = (await run(app, "/mod_log", OPERATOR, OPERATOR_CHAT)).plain_text()
    assert f"[{OPERATOR_LOG}]" in log and f"hid report #{target}" in log


async def test_an_operator_action_on_a_community_report_goes_in_that_community_log(app):
    await file(app, MEMBER, GROUP, "drought")
    target = await report_id(app, MEMBER)
    assert not (await run(app, f"/mod_hide {target} duplicate of #1", OPERATOR, OPERATOR_CHAT)).is_error
    assert await log_rows(app) == [(COMMUNITY, "an operator", "hide", target)]
    community_log = (await run(app, "/mod_log", MODERATOR, GROUP)).plain_text()
    assert f"a moderator hid report #{target}" in community_log


async def test_operator_powers_hold_only_in_a_private_chat_and_only_for_operators(app):
    await file(app, MEMBER, GROUP, "drought")
    target = await report_id(app, MEMBER)
    as_member = await run(app, f"/mod_hide {target} spam", MEMBER, PRIVATE)
    assert as_member.is_error and "not in a private chat" in as_member.plain_text()
    in_group = await run(app, f"/mod_hide {target} spam", OPERATOR, GROUP)
    assert in_group.is_error and "is for moderators" in in_group.plain_text()
    note = await run(app, "/note outlier slow queue", OPERATOR, OPERATOR_CHAT)  # not an operator command
    assert note.is_error and "not in a private chat" in note.plain_text()
    assert await log_rows(app) == []


async def test_an_operator_bar_is_lifted_only_by_an_operator_who_can_lift_any(app):
    await file(app, MEMBER, GROUP, "drought")
    target = await report_id(app, MEMBER)
    assert not (await run(app, f"/mod_bar {target} 7 brigading: coordinated reports", OPERATOR, OPERATOR_CHAT)).is_error
    barred = await run(app, "/report outlier tasks_back", MEMBER, GROUP)
    assert barred.is_error and "the bot's operators barred you" in barred.plain_text()
    refused = await run(app, f"/mod_unbar {target}", MODERATOR, GROUP)
    assert refused.is_error and "not barred by this community" in refused.plain_text()

    assert not (await run(app, f"/mod_bar {target} 3 spam: the same advert", MODERATOR, GROUP)).is_error
    lifted = await run(app, f"/mod_unbar {target} appeal accepted", OPERATOR, OPERATOR_CHAT)
    assert not lifted.is_error, lifted.plain_text()
    assert (await app.db.fetchone("SELECT count(*) FROM reporter_bars"))[0] == 0
    assert [row for row in await log_rows(app) if row[2] == "unbar"] == [
        (COMMUNITY, "an operator", "unbar", target), (COMMUNITY, "an operator", "unbar", target)]
    assert not (await run(app, "/report outlier tasks_back", MEMBER, GROUP)).is_error


async def test_an_operator_moderates_from_a_telegram_private_chat(settings, clock):
    settings = settings.model_copy(update={"queuewatch_operators": [f"telegram:{OPERATOR_ID}"]})
    async with running_bot(settings, clock, registry=load_registry()) as bot:
        bot.fake.message(private_chat(MEMBER_ID), user(MEMBER_ID), "/report outlier drought")
        await bot.fake.wait_sent(MEMBER_ID, 1)
        target = await report_id(bot.app, MEMBER)

        bot.fake.message(private_chat(MEMBER_ID), user(MEMBER_ID), f"/mod_hide {target} spam: an advert")
        [_, refused] = await bot.fake.wait_sent(MEMBER_ID, 2)
        assert "not in a private chat" in refused.text

        bot.fake.message(private_chat(OPERATOR_ID), user(OPERATOR_ID, "Olga"), "/mod_reports")
        [listing] = await bot.fake.wait_sent(OPERATOR_ID, 1)
        assert f"#{target}" in listing.text and "from a private chat" in listing.text
        bot.fake.message(private_chat(OPERATOR_ID), user(OPERATOR_ID, "Olga"), f"/mod_hide {target} spam: an advert")
        [_, done] = await bot.fake.wait_sent(OPERATOR_ID, 2)
        assert f"Report #{target} hidden" in done.text
        assert await log_rows(bot.app) == [(OPERATOR_LOG, "an operator", "hide", target)]

        bot.fake.message(group_chat(GROUP_ID), user(OPERATOR_ID, "Olga"), f"/mod_unhide {target}")
        [in_group] = await bot.fake.wait_sent(GROUP_ID, 1)
        assert "is for moderators" in in_group.text


def test_queuewatch_mod_runs_the_same_commands_as_an_operator(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'queuewatch.db'}"
    for name in ("DISCORD_TOKEN", "TELEGRAM_TOKEN", "LOG_LEVEL", "QUEUEWATCH_OPERATORS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("QUEUEWATCH_SECRET", "operator-cli-secret-0123456789")

    async def fill() -> int:
        app = await build_app(load_settings(), clock=ManualClock(START))
        try:
            await file(app, MEMBER, PRIVATE, "payment_missing")
            return await report_id(app, MEMBER)
        finally:
            await app.db.close()

    target = asyncio.run(fill())
    assert main(["mod", "reports"]) == 0
    assert f"#{target}" in capsys.readouterr().out
    assert main(["mod", "hide", str(target), "spam:", "referral", "link"]) == 0
    assert f"Report #{target} hidden" in capsys.readouterr().out
    assert main(["mod", "hide", str(target), "duplicate"]) == 1
    assert "already hidden" in capsys.readouterr().err
    assert main(["mod", "bar", str(target), "400", "spam"]) == 1
    assert "1 to 365" in capsys.readouterr().err
    assert main(["mod", "log"]) == 0
    log = capsys.readouterr().out
    assert f"[{OPERATOR_LOG}]" in log and f"hid report #{target}" in log and "spam: referral link" in log


async def test_an_operator_moderates_from_a_discord_dm(clock):
    async with FakeDiscord() as fake:
        app = await build_app(discord_settings(queuewatch_operators="discord:4242"), clock, registry=load_registry())
        try:
            await file(app, MEMBER, PRIVATE, "drought")
            target = await report_id(app, MEMBER)
            async with connected(app):
                listing = await fake.interact(fake.command("mod_reports", {}, in_guild=False, user_id=4242))
                assert f"#{target}" in text_of(messages(listing)[0])
                refused = await fake.interact(fake.command("mod_hide", {"report_id": target, "reason": "spam: ad"},
                                                           in_guild=False, user_id=4343))
                assert "not in a private chat" in text_of(messages(refused)[0])
                hidden = await fake.interact(fake.command("mod_hide", {"report_id": target, "reason": "spam: ad"},
                                                          in_guild=False, user_id=4242))
                assert f"Report #{target} hidden" in text_of(messages(hidden)[0])
            assert await log_rows(app) == [(OPERATOR_LOG, "an operator", "hide", target)]
        finally:
            await app.db.close()
