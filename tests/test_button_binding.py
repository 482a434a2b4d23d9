"""Button payloads: a button that repeats what a member typed works only for them, stored payloads expire after
7 days, and inline ones (the bot's own arguments) work for everyone. Through the codec and both platforms."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.core import buttons
from bot.core.buttons import INLINE_PREFIX, PAYLOAD_LIFETIME, TOKEN_PREFIX, ButtonNotYours
from bot.core.model import Actor, Button, Place, Platform
from bot.features.buttons import expire_button_payloads
from bot.wiring import build_app, load_registry
from tests.discord_fake import FakeDiscord, connected, custom_ids, discord_settings, messages, text_of
from tests.telegram_fake import BOT_USERNAME, group_chat, running_bot, user

REGISTRY = load_registry()
GROUP, ALICE, BOB = -100_999, 801, 802
NOTE = "my manager is J. Smith, phone 555-0199"
ME_TOO = Button("Me too: no tasks", "report", {"platform": "outlier", "what": "drought"})


def keys(message) -> dict[str, str]:
    """label -> callback_data of a recorded Telegram message's inline keyboard."""
    rows = message.params.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def stored(app) -> list:
    """Every stored payload row."""
    return await app.db.fetchall("SELECT * FROM button_payloads")


async def test_an_inline_payload_is_not_stored_and_works_for_anyone(app, clock) -> None:
    data = await buttons.encode(app.button_payloads, ME_TOO, 64, clock.now(), viewer="alice-key")
    assert data.startswith(INLINE_PREFIX) and await stored(app) == []
    assert await buttons.decode(app.button_payloads, data, "bob-key", clock.now() + timedelta(days=30)) == (
        "report", {"platform": "outlier", "what": "drought"})


async def test_a_personal_payload_is_stored_bound_to_its_viewer_and_refused_to_anyone_else(app, clock) -> None:
    mine = Button("Outlier", "report", {"platform": "outlier", "what": "drought", "note": "hi"}, personal=True)
    data = await buttons.encode(app.button_payloads, mine, 64, clock.now(), viewer="alice-key")
    assert data.startswith(TOKEN_PREFIX), "short, but it repeats what Alice typed: kept server-side, bound"
    with pytest.raises(ButtonNotYours) as refused:
        await buttons.decode(app.button_payloads, data, "bob-key", clock.now())
    assert "run the command yourself" in refused.value.message
    assert await buttons.decode(app.button_payloads, data, "alice-key", clock.now()) == ("report", mine.args)
    other = await buttons.encode(app.button_payloads, mine, 64, clock.now(), viewer="bob-key")
    assert other != data and [r["viewer"] for r in await stored(app)] == ["alice-key", "bob-key"]


async def test_a_personal_payload_with_no_viewer_works_for_nobody(app, clock) -> None:
    """Fail closed: a message sent to no one in particular cannot carry someone's typed text to everyone."""
    mine = Button("Outlier", "report", {"note": "hi"}, personal=True)
    data = await buttons.encode(app.button_payloads, mine, 64, clock.now(), viewer=None)
    with pytest.raises(ButtonNotYours):
        await buttons.decode(app.button_payloads, data, "anyone", clock.now())


async def test_a_long_payload_of_the_bots_own_arguments_is_stored_for_anyone(app, clock) -> None:
    long = Button("Long", "status", {"platform": "x" * 80})
    data = await buttons.encode(app.button_payloads, long, 64, clock.now(), viewer="alice-key")
    assert data.startswith(TOKEN_PREFIX) and [r["viewer"] for r in await stored(app)] == [None]
    assert await buttons.decode(app.button_payloads, data, "bob-key", clock.now()) == ("status", long.args)


async def test_stored_payloads_expire_after_seven_days_and_are_purged(app, clock) -> None:
    long = Button("Long", "status", {"platform": "x" * 80})
    data = await buttons.encode(app.button_payloads, long, 64, clock.now(), viewer=None)
    assert PAYLOAD_LIFETIME == 7 * 86400
    assert await buttons.decode(app.button_payloads, data, "bob-key", clock.now() + timedelta(days=7)) is not None
    later = clock.now() + timedelta(days=7, seconds=1)
    assert await buttons.decode(app.button_payloads, data, "bob-key", later) is None
    assert await expire_button_payloads(app) == 0
    clock.advance(days=7, seconds=1)
    assert await expire_button_payloads(app) == 1 and await stored(app) == []


async def test_did_you_mean_and_choice_prompts_repeating_typed_text_are_personal(app, clock) -> None:
    member = Actor(Platform.CONSOLE, "u1", "Member One")
    place = Place(Platform.CONSOLE, "local", "general", is_private=False)
    guess = await app.dispatcher.dispatch("report", {"platform": "outl", "what": "drought", "note": NOTE}, member,
                                          place)
    assert [(b.command, b.personal) for b in guess.buttons] == [("report", True)]
    prompt = await app.dispatcher.dispatch("report", {"platform": "outlier", "note": NOTE}, member, place)
    assert prompt.buttons and all(b.personal for b in prompt.buttons)
    moderator = Actor(Platform.CONSOLE, "m1", "Mod One", is_moderator=True)
    bare = await app.dispatcher.dispatch("alerts_here", {}, moderator, place)  # nothing typed: nothing to protect
    assert bare.buttons and not any(b.personal for b in bare.buttons)
    status = await app.dispatcher.dispatch("status", {"platform": "outl"}, member, place)
    assert status.buttons and not any(b.personal for b in status.buttons)


@pytest.fixture
async def telegram(settings, clock):
    async with running_bot(settings, clock, registry=REGISTRY) as running:
        yield running


async def test_on_telegram_a_forged_press_cannot_file_someone_elses_note(telegram, clock) -> None:
    """Alice's mistyped report offers "Did you mean Outlier?" in the group; Bob pressing it (or replaying its
    callback data) is refused with a friendly alert and files nothing; Alice's press files her note."""
    bot = telegram
    bot.fake.message(group_chat(GROUP), user(ALICE), f'/report@{BOT_USERNAME} outl drought "" {NOTE}')
    [guess] = await bot.fake.wait_sent(GROUP)
    [(label, data)] = keys(guess).items()
    assert label == "Outlier" and data.startswith(TOKEN_PREFIX) and "555-0199" not in data

    bot.fake.press(user(BOB), guess.result, data)
    answers = await bot.fake.wait_for(lambda: bot.fake.of("answerCallbackQuery"))
    assert "run the command yourself" in answers[0].params["text"] and answers[0].params["show_alert"] == "true"
    await asyncio.sleep(0.2)
    assert len(bot.fake.sent(GROUP)) == 1 and await bot.app.db.fetchall("SELECT * FROM reports") == []

    bot.fake.press(user(ALICE), guess.result, data)
    await bot.fake.wait_sent(GROUP, 2)
    [report] = await bot.app.db.fetchall("SELECT reporter, note FROM reports")
    assert tuple(report) == (bot.app.person_key("telegram", str(ALICE)), NOTE)


async def test_on_telegram_a_public_me_too_button_works_for_every_member(telegram) -> None:
    bot = telegram
    bot.fake.message(group_chat(GROUP), user(ALICE), f"/status@{BOT_USERNAME} outlier")
    [status] = await bot.fake.wait_sent(GROUP)
    me_too = keys(status)["Me too: no tasks"]
    for member in (ALICE, BOB):
        bot.fake.press(user(member), status.result, me_too)
    await bot.fake.wait_for(lambda: len(bot.fake.of("answerCallbackQuery")) == 2)
    # Each member hears back in the group: in two replies, or in one that names both (replies are coalesced
    # within the group's send budget).
    thanked = lambda: " ".join(c.params["text"] for c in bot.fake.sent(GROUP)[1:])  # noqa: E731
    await bot.fake.wait_for(lambda: thanked().count("report recorded") == 2
                            or all(f"tg://user?id={m}" in thanked() for m in (ALICE, BOB)))
    reporters = {r["reporter"] for r in await bot.app.db.fetchall("SELECT reporter FROM reports")}
    assert reporters == {bot.app.person_key("telegram", str(m)) for m in (ALICE, BOB)}


async def test_on_telegram_an_expired_button_says_run_the_command_again(telegram, clock) -> None:
    bot = telegram
    bot.fake.message(group_chat(GROUP), user(ALICE), f'/report@{BOT_USERNAME} outl drought "" {NOTE}')
    [guess] = await bot.fake.wait_sent(GROUP)
    clock.advance(days=8)
    bot.fake.press(user(ALICE), guess.result, keys(guess)["Outlier"])
    answers = await bot.fake.wait_for(lambda: bot.fake.of("answerCallbackQuery"))
    assert "expired" in answers[0].params["text"] and "Run the command again" in answers[0].params["text"]
    await asyncio.sleep(0.2)
    assert await bot.app.db.fetchall("SELECT * FROM reports") == []


async def test_on_discord_a_click_by_someone_else_is_refused(clock) -> None:
    async with FakeDiscord() as fake:
        app = await build_app(discord_settings(), clock, registry=REGISTRY)
        try:
            async with connected(app):
                calls = await fake.interact(fake.command(
                    "report", {"platform": "outl", "what": "drought", "note": NOTE}, user_id=111))
                button = custom_ids(messages(calls)[0])["Outlier"]
                refused = text_of(messages(await fake.interact(fake.click(button, user_id=222)))[0])
                assert "run the command yourself" in refused
                assert await app.db.fetchall("SELECT * FROM reports") == []
                filed = text_of(messages(await fake.interact(fake.click(button, user_id=111)))[0])
                assert "report recorded" in filed
        finally:
            await app.db.close()
