"""A digest the platform refuses, through the real Telegram adapter and the fake Bot API: a failed manual
/digest_post leaves the weekly schedule on, a failed scheduled send turns it off, and /digest_preview tells
the moderator which happened, why, and how to fix it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.delivery import PermanentDeliveryError
from bot.core.model import Actor, Place, Platform
from bot.features.digest.settings import how_to_fix
from bot.wiring import load_registry
from storage import digests as store
from tests.support.digest_fakes import FakeSender, manual_outbox
from tests.telegram_fake import running_bot
from tests.test_platform_delivery import deliver_all, outbox_states

GROUP = "-100123"
COMMUNITY = f"telegram:{GROUP}"
MOD = Actor(Platform.TELEGRAM, "42", "Mod", is_moderator=True)
CHAT = Place(Platform.TELEGRAM, GROUP, GROUP, is_private=False)
NO_RIGHTS = "Bad Request: not enough rights to send text messages to the chat"


def refuse_next_digest(fake, description: str, status: int = 400) -> None:
    """The fake refuses the next digest (with no reports yet it is text only), for good."""
    fake.fail("sendMessage", status, description, times=1)


async def preview(app) -> str:
    reply = await app.dispatcher.dispatch_line("/digest_preview", MOD, CHAT)
    assert not reply.is_error and reply.ephemeral
    return reply.plain_text()


async def test_a_refused_manual_post_keeps_the_schedule_and_preview_says_how_to_fix_it(settings, clock) -> None:
    clock.set(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))  # Friday
    async with running_bot(settings, clock, registry=load_registry()) as bot:
        app = bot.app
        setup = await app.dispatcher.dispatch_line("/digest_setup monday 09:00 UTC", MOD, CHAT)
        assert not setup.is_error
        refuse_next_digest(bot.fake, NO_RIGHTS)
        posted = await app.dispatcher.dispatch_line("/digest_post", MOD, CHAT)
        assert posted.title == "Digest posted"
        await deliver_all(app.outbox, clock)
        assert await outbox_states(app) == ["failed"]
        assert [c.status for c in bot.fake.of("sendMessage")] == [400]

        settings_now = await store.get_settings(app.db, COMMUNITY)
        assert settings_now.enabled and settings_now.disabled_reason is None
        text = await preview(app)
        assert "Scheduled every Monday at 09:00 UTC" in text
        assert "/digest_post" in text and "not enough rights to send text messages" in text.lower()
        assert "right to post messages" in text and "admin" in text  # how to fix it, on Telegram
        assert "The weekly digest is still on" in text

        # The next scheduled digest still goes out once the bot may post again.
        clock.set(datetime(2026, 11, 23, 9, 0, 30, tzinfo=UTC))
        assert await app.scheduler.tick() == [COMMUNITY]
        await deliver_all(app.outbox, clock)
        assert await outbox_states(app) == ["failed", "sent"]
        again = await preview(app)
        assert "Scheduled every Monday" in again


async def test_a_refused_scheduled_digest_turns_the_schedule_off_and_preview_says_why(settings, clock) -> None:
    clock.set(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    async with running_bot(settings, clock, registry=load_registry()) as bot:
        app = bot.app
        await app.dispatcher.dispatch_line("/digest_setup monday 09:00 UTC", MOD, CHAT)
        refuse_next_digest(bot.fake, "Forbidden: bot was kicked from the supergroup chat", status=403)
        clock.set(datetime(2026, 11, 23, 9, 0, 30, tzinfo=UTC))
        assert await app.scheduler.tick() == [COMMUNITY]
        await deliver_all(app.outbox, clock)
        assert await outbox_states(app) == ["failed"]

        settings_now = await store.get_settings(app.db, COMMUNITY)
        assert not settings_now.enabled and "kicked" in settings_now.disabled_reason
        text = await preview(app)
        assert "The weekly digest is off" in text and "kicked" in text
        assert "add the bot back" in text and "/digest_setup" in text


async def test_a_successful_manual_post_clears_the_earlier_failure(app, clock, moderator, group) -> None:
    await app.dispatcher.dispatch_line("/digest_setup monday 09:00 UTC", moderator, group)
    sender = FakeSender(clock, script=[PermanentDeliveryError("the channel was deleted")])
    app.senders["console"] = sender
    outbox = manual_outbox(app, clock)
    await app.dispatcher.dispatch_line("/digest_post", moderator, group)
    await outbox.run_once()
    assert (await store.get_settings(app.db, "console:local")).enabled
    failed = (await app.dispatcher.dispatch_line("/digest_preview", moderator, group)).plain_text()
    assert "the channel was deleted" in failed and "The weekly digest is still on" in failed

    clock.advance(minutes=2)
    await app.dispatcher.dispatch_line("/digest_post", moderator, group)
    await outbox.run_once()
    assert len(sender.delivered) == 1
    cleared = (await app.dispatcher.dispatch_line("/digest_preview", moderator, group)).plain_text()
    assert "the channel was deleted" not in cleared


@pytest.mark.parametrize(("platform", "reason", "expected"), [
    ("discord", "forbidden: Missing Permissions (code 50013)", "Send Messages, Embed Links and Attach Files"),
    ("discord", "forbidden: Missing Access (code 50001)", "add the bot back"),
    ("discord", "not found: Unknown Channel (code 10003)", "add the bot back"),
    ("telegram", "Telegram refused the message: Forbidden: bot is not a member of the channel chat",
     "add the bot back"),
    ("telegram", "Telegram refused the message: Bad Request: chat not found", "add the bot back"),
    ("telegram", "Telegram refused the message: Not enough rights to send photos to the chat", "admin that may post"),
    ("telegram", "Telegram refused the message: Bad Request: something new", "give the bot's operator the reason"),
])
def test_every_adapter_refusal_comes_with_a_fix(platform, reason, expected) -> None:
    assert expected in how_to_fix(reason, platform)
