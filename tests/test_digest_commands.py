"""The digest and alert commands: moderator access on every platform, setup input, subscribe flows."""

from __future__ import annotations

import pytest

from bot.core.model import Actor, Place, Platform
from storage import alert_channels as alert_channels_store
from storage import digests as store
from storage import subscriptions as subscriptions_store
from tests.support.digest_fakes import FakeSender, manual_outbox, outbox_rows

DIGEST_COMMANDS = ("/digest_setup monday 09:00 Europe/London", "/digest_preview", "/digest_post", "/digest_off",
                   "/alerts_here on")
PLACES = {
    Platform.TELEGRAM: Place(Platform.TELEGRAM, "-100123", "-100123", is_private=False),
    Platform.DISCORD: Place(Platform.DISCORD, "4242", "777", is_private=False),
    Platform.CONSOLE: Place(Platform.CONSOLE, "local", "general", is_private=False),
}


@pytest.mark.parametrize("platform", list(PLACES))
@pytest.mark.parametrize("line", DIGEST_COMMANDS)
async def test_a_non_moderator_is_refused_every_digest_command(app, platform, line) -> None:
    member = Actor(platform, "u1", "Member")
    reply = await app.dispatcher.dispatch_line(line, member, PLACES[platform])
    assert reply.is_error and reply.title == "Not allowed"
    assert "for moderators" in reply.plain_text()
    assert await store.get_settings(app.db, PLACES[platform].community_key) is None
    assert await outbox_rows(app) == []


async def test_setup_on_discord_uses_the_given_channel(app) -> None:
    mod = Actor(Platform.DISCORD, "m1", "Mod", is_moderator=True)
    reply = await app.dispatcher.dispatch("digest_setup", {"weekday": "friday", "time": "6:30pm",
                                                           "timezone": "america/new_york", "channel": "999"},
                                          mod, PLACES[Platform.DISCORD])
    assert not reply.is_error and reply.ephemeral
    assert "<#999>" in reply.plain_text() and "every Friday at 18:30 America/New_York" in reply.plain_text()
    settings = await store.get_settings(app.db, "discord:4242")
    assert (settings.platform, settings.channel_id, settings.weekday) == ("discord", "999", 4)


async def test_setup_on_telegram_uses_the_current_chat(app) -> None:
    mod = Actor(Platform.TELEGRAM, "m1", "Mod", is_moderator=True)
    reply = await app.dispatcher.dispatch_line("/digest_setup monday 09:00 Europe/London 555", mod,
                                               PLACES[Platform.TELEGRAM])
    assert "this chat" in reply.plain_text() and "I used this chat" in reply.plain_text()
    assert (await store.get_settings(app.db, "telegram:-100123")).channel_id == "-100123"


@pytest.mark.parametrize(("line", "expected"), [
    ("/digest_setup monday 09:00 London", "Did you mean Europe/London"),
    ("/digest_setup monday 09:00 BST", "Examples: Europe/London, America/New_York"),
    ("/digest_setup monday 9:75 UTC", "is not a time of day"),
    ("/digest_setup funday 09:00 UTC", "is not one of: monday"),
])
async def test_bad_setup_input_gets_a_clear_answer(app, moderator, group, line, expected) -> None:
    reply = await app.dispatcher.dispatch_line(line, moderator, group)
    assert reply.is_error
    assert expected in reply.plain_text()


async def test_a_missing_weekday_is_offered_as_buttons(app, moderator, group) -> None:
    reply = await app.dispatcher.dispatch_line("/digest_setup", moderator, group)
    assert [b.label for b in reply.buttons][:2] == ["Monday", "Tuesday"]


async def test_digest_commands_need_a_community(app, moderator, private) -> None:
    reply = await app.dispatcher.dispatch_line("/digest_preview", moderator, private)
    assert reply.is_error and "works in a community" in reply.plain_text()


async def test_preview_is_private_and_post_delivers_once(app, clock, moderator, group) -> None:
    await app.dispatcher.dispatch_line("/digest_setup monday 09:00 Europe/London", moderator, group)
    preview = await app.dispatcher.dispatch_line("/digest_preview", moderator, group)
    assert preview.ephemeral and "Preview: only you can see this." in preview.blocks
    assert "every Monday at 09:00 Europe/London" in preview.plain_text()
    sender = FakeSender(clock)
    app.senders["console"] = sender
    first = await app.dispatcher.dispatch_line("/digest_post", moderator, group)
    second = await app.dispatcher.dispatch_line("/digest_post", moderator, group)  # a double tap
    assert (first.title, second.title) == ("Digest posted", "Already on its way")
    await manual_outbox(app, clock).run_once()
    assert len(sender.delivered) == 1
    assert not sender.delivered[0][1].ephemeral


async def test_alerts_here_turns_a_channel_on_and_off(app, moderator, group) -> None:
    await app.dispatcher.dispatch_line("/alerts_here on", moderator, group)
    assert (await alert_channels_store.get_alert_channel(app.db, "console:local")).enabled
    reply = await app.dispatcher.dispatch_line("/alerts_here off", moderator, group)
    assert reply.title == "Alerts off"
    assert not (await alert_channels_store.get_alert_channel(app.db, "console:local")).enabled


async def test_subscribe_in_a_telegram_group_answers_with_a_deep_link(app) -> None:
    member = Actor(Platform.TELEGRAM, "42", "Ana")
    app.bot_usernames = {"telegram": "queuewatch_bot"}
    reply = await app.dispatcher.dispatch_line("/subscribe outlier", member, PLACES[Platform.TELEGRAM])
    assert "https://t.me/queuewatch_bot?start=subscribe_outlier" in reply.plain_text()
    assert await subscriptions_store.subscriptions_of(app.db, "telegram", "42") == []


async def test_subscribe_in_a_telegram_group_without_a_known_username(app) -> None:
    member = Actor(Platform.TELEGRAM, "42", "Ana")
    reply = await app.dispatcher.dispatch_line("/subscribe outlier", member, PLACES[Platform.TELEGRAM])
    assert "open a private chat with the bot and send /subscribe outlier there" in reply.plain_text().lower()


async def test_subscribe_list_and_unsubscribe(app, member, group) -> None:
    reply = await app.dispatcher.dispatch_line("/subscribe outlier drought_ended", member, group)
    assert reply.ephemeral and "when a drought ends." in reply.plain_text()
    await app.dispatcher.dispatch_line("/subscribe outlier payment_problems", member, group)
    listing = await app.dispatcher.dispatch_line("/subscriptions", member, group)
    assert "Outlier: drought ended, payment problems" in listing.plain_text()
    stop = listing.buttons[0]
    done = await app.dispatcher.dispatch(stop.command, stop.args, member, group)
    assert done.title == "Stopped Outlier alerts"
    again = await app.dispatcher.dispatch_line("/unsubscribe outlier", member, group)
    assert again.is_error and "You don't follow Outlier" in again.plain_text()
    unknown = await app.dispatcher.dispatch_line("/subscribe nosuchplatform", member, group)
    assert unknown.is_error
