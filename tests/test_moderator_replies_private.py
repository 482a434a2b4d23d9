"""Moderator replies never land in a public chat: on Telegram they go to the moderator's private chat with a
pointer (or a start link) left in the group; on Discord they are ephemeral. Through the real libraries."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.model import Actor, Place, Platform
from bot.wiring import build_app, load_registry
from tests.discord_fake import EPHEMERAL, FakeDiscord, connected, discord_settings, messages, text_of
from tests.telegram_fake import BOT_USERNAME, group_chat, running_bot, user
from tests.test_discord_interactions import MODERATOR, option_values

REGISTRY = load_registry()
GROUP, ADMIN, MEMBER = -100_888, 701, 702
NOTE = "my manager is J. Smith, phone 555-0199"
HIDE_REASON = "personal information: names a team lead"
# What no group message may carry: the note, the hide reason, a trust label.
SECRETS = ("555-0199", "J. Smith", "names a team lead", "trust 0")


@pytest.fixture
async def bot(settings, clock):
    """The real registry on the Telegram adapter; one admin in the group; a member's report with a note."""
    async with running_bot(settings, clock, registry=REGISTRY) as running:
        running.fake.admins[GROUP] = {ADMIN}
        place = Place(Platform.TELEGRAM, str(GROUP), str(GROUP), is_private=False)
        member = Actor(Platform.TELEGRAM, str(MEMBER), "Member")
        filed = await running.app.dispatcher.dispatch(
            "report", {"platform": "outlier", "what": "drought", "note": NOTE}, member, place)
        assert not filed.is_error, filed.plain_text()
        yield running


def _in_group(text: str) -> str:
    """A command as typed in a group, addressed to the bot."""
    name, _, rest = text.partition(" ")
    return f"{name}@{BOT_USERNAME} {rest}".strip()


async def _ask(bot, line: str, count: int) -> tuple[str, str]:
    """The admin types `line` in the group: (what the group got, what the admin's private chat got) for the
    `count`-th exchange."""
    bot.fake.message(group_chat(GROUP), user(ADMIN), _in_group(line))
    private = (await bot.fake.wait_sent(ADMIN, count))[-1].text
    group = (await bot.fake.wait_sent(GROUP, count))[-1].text
    return group, private


async def test_moderator_replies_go_to_the_private_chat_and_the_group_gets_a_pointer(bot):
    report_id = (await bot.app.db.fetchone("SELECT id FROM reports"))["id"]
    exchanges = [
        ("/mod_reports", NOTE),
        (f"/mod_hide {report_id} {HIDE_REASON}", "hidden"),
        ("/mod_reports", HIDE_REASON),
        (f"/mod_bar {report_id} 7 personal information: doxxing", "barred"),
        ("/mod_reports", "trust 0 (barred)"),
        ("/mod_log", HIDE_REASON),
        ("/digest_preview", "Preview"),
    ]
    for count, (line, expected) in enumerate(exchanges, start=1):
        group, private = await _ask(bot, line, count)
        assert expected in private, (line, private)
        assert "private message" in group, (line, group)
        assert not [s for s in SECRETS if s in group], (line, group)
    await asyncio.sleep(0.1)
    assert len(bot.fake.sent(GROUP)) == len(exchanges)  # one pointer each, nothing else


async def test_a_moderator_command_error_goes_private_too(bot):
    """An error can carry content (here the hide reason of an already hidden report): it goes privately."""
    report_id = (await bot.app.db.fetchone("SELECT id FROM reports"))["id"]
    await _ask(bot, f"/mod_hide {report_id} {HIDE_REASON}", 1)
    group, private = await _ask(bot, f"/mod_hide {report_id} spam: again", 2)
    assert "already hidden" in private and HIDE_REASON in private
    assert "private message" in group and HIDE_REASON not in group


async def test_a_moderator_who_never_started_the_bot_gets_a_start_link_and_no_content(bot):
    bot.fake.fail("sendMessage", 403, "Forbidden: bot can't initiate conversation with a user")
    bot.fake.message(group_chat(GROUP), user(ADMIN), _in_group("/mod_reports"))
    [told] = await bot.fake.wait_sent(GROUP)
    assert f"https://t.me/{BOT_USERNAME}" in told.text and "press Start" in told.text
    assert not [s for s in SECRETS if s in told.text] and "Outlier" not in told.text
    assert bot.fake.sent(ADMIN) == []


async def test_a_member_refused_a_moderator_command_is_told_in_the_group(bot):
    """The refusal carries nothing private, and the member may not have a private chat with the bot."""
    bot.fake.message(group_chat(GROUP), user(MEMBER), _in_group("/mod_reports"))
    [refused] = await bot.fake.wait_sent(GROUP)
    assert "is for moderators" in refused.text
    assert bot.fake.sent(MEMBER) == []


async def test_a_choice_prompt_of_a_moderator_command_stays_in_the_group_so_its_buttons_work(bot):
    """`/alerts_here` without on/off: the choices come as buttons in the group (pressed in a private chat
    they would have no community); pressing one answers privately."""
    bot.fake.message(group_chat(GROUP), user(ADMIN), _in_group("/alerts_here"))
    [prompt] = await bot.fake.wait_sent(GROUP)
    keys = {b["text"]: b["callback_data"] for row in prompt.params["reply_markup"]["inline_keyboard"] for b in row}
    assert set(keys) == {"On", "Off"}
    bot.fake.press(user(ADMIN), prompt.result, keys["On"])
    [done] = await bot.fake.wait_sent(ADMIN)
    assert "Alerts on" in done.text
    assert "private message" in (await bot.fake.wait_sent(GROUP, 2))[-1].text


async def test_every_moderator_reply_on_discord_is_ephemeral(clock):
    """Every moderator command, run by a moderator on Discord, answers ephemerally, even a deferred one."""
    async with FakeDiscord() as fake:
        app = await build_app(discord_settings(), clock, registry=REGISTRY)
        try:
            async with connected(app):
                for command in (c for c in REGISTRY if c.is_moderator_only):
                    calls = await fake.interact(fake.command(command.name, option_values(command), **MODERATOR),
                                                timeout=10)
                    callback = calls[0].json
                    answer = messages(calls)[-1]
                    if callback["type"] == 5:  # deferred: the "thinking" message is already ephemeral, and
                        # the answer replaces it (an edit keeps the original's visibility)
                        assert callback.get("data", {}).get("flags", 0) & EPHEMERAL, command.name
                        assert (calls[-1].method, calls[-1].path.rsplit("/", 1)[-1]) == ("PATCH", "@original")
                        assert not [c for c in calls if c.method == "DELETE"], command.name
                    else:
                        assert answer.get("flags", 0) & EPHEMERAL, (command.name, text_of(answer))
        finally:
            await app.db.close()


async def test_buttons_that_need_the_group_are_left_off_a_reply_moved_to_the_private_chat(bot):
    """"Did you mean" buttons re-run /mod_reports, which works only in the group: the private copy has none."""
    group, private = await _ask(bot, "/mod_reports outl", 1)
    assert "Did you mean Outlier" in private and "private message" in group
    [sent] = bot.fake.sent(ADMIN)
    assert "reply_markup" not in sent.params


async def test_a_moderator_commands_parse_error_goes_private(bot):
    group, private = await _ask(bot, "/mod_log 5 personal information: J. Smith", 1)
    assert "Too many arguments" in private and "J. Smith" in private
    assert "private message" in group and "J. Smith" not in group
