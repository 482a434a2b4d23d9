"""The outbox delivering through the real adapters to the loopback fakes: a 429 then success delivers
exactly once, and a member who blocked the bot has their subscription switched off."""

from __future__ import annotations

from bot.core.delivery import Destination, Origin
from bot.core.model import Actor, Place, Platform, Reply
from bot.outbox.outbox import Outbox
from bot.wiring import build_app, load_registry
from storage import subscriptions as subscriptions_store
from tests.discord_fake import FakeDiscord, connected, discord_settings, text_of
from tests.telegram_fake import running_bot

ALERT = Reply(title="Outlier", blocks=["Tasks are back on Outlier"])
MEMBER = 701
CHANNEL = "925000000000000009"


async def deliver_all(outbox: Outbox, clock, rounds: int = 5) -> None:
    """Run delivery rounds, moving the clock past any back-off in between."""
    for _ in range(rounds):
        await outbox.run_once()
        clock.advance(seconds=70)


async def outbox_states(app) -> list[str]:
    return [row["state"] for row in await app.db.fetchall("SELECT state FROM outbox ORDER BY id")]


async def test_telegram_alert_after_a_429_is_delivered_exactly_once(settings, clock) -> None:
    async with running_bot(settings, clock, registry=load_registry()) as bot:
        outbox = bot.app.outbox
        bot.fake.fail("sendMessage", 429, "Too Many Requests: retry after 1", times=1, retry_after=1)
        member = Destination("telegram", "user", str(MEMBER))
        assert await outbox.enqueue("alert:outlier:1", member, ALERT, Origin("sub", f"telegram:{MEMBER}"))
        assert not await outbox.enqueue("alert:outlier:1", member, ALERT, Origin("sub", f"telegram:{MEMBER}"))
        await deliver_all(outbox, clock)
        attempts = [c for c in bot.fake.of("sendMessage") if "Tasks are back" in c.text]
        assert [c.status for c in attempts] == [429, 200]
        assert await outbox_states(bot.app) == ["sent"]


async def test_telegram_member_who_blocked_the_bot_has_the_subscription_disabled(settings, clock) -> None:
    async with running_bot(settings, clock, registry=load_registry()) as bot:
        actor = Actor(Platform.TELEGRAM, str(MEMBER), "Member")
        chat = Place(Platform.TELEGRAM, None, str(MEMBER), is_private=True)
        await bot.app.dispatcher.dispatch("subscribe", {"platform": "outlier"}, actor, chat)
        [sub] = await subscriptions_store.subscriptions_of(bot.app.db, "telegram", str(MEMBER))
        assert sub.enabled

        bot.fake.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
        outbox = bot.app.outbox
        await outbox.enqueue("alert:outlier:2", Destination("telegram", "user", str(MEMBER)), ALERT,
                             Origin("sub", f"telegram:{MEMBER}"))
        await deliver_all(outbox, clock)
        assert await outbox_states(bot.app) == ["failed"]
        [sub] = await subscriptions_store.subscriptions_of(bot.app.db, "telegram", str(MEMBER))
        assert not sub.enabled and "blocked" in (sub.disabled_reason or "")
        listing = await bot.app.dispatcher.dispatch("subscriptions", {}, actor, chat)
        assert "blocked" in listing.plain_text()


async def test_discord_post_after_a_429_is_delivered_exactly_once(clock) -> None:
    async with FakeDiscord() as fake:
        app = await build_app(discord_settings(), clock, registry=load_registry())
        try:
            async with connected(app):
                fake.fail("POST", r"/channels/\d+/messages$", 429, 0, "You are being rate limited.",
                          body={"message": "You are being rate limited.", "retry_after": 64.5, "global": False})
                outbox = app.outbox
                await outbox.enqueue("digest:discord:1:2026-W47", Destination("discord", "channel", CHANNEL), ALERT,
                                     Origin("digest", "discord:1"))
                await outbox.run_once()
                assert await outbox_states(app) == ["pending"]
                fake.clear_failures()
                await deliver_all(outbox, clock)
                posts = [c for c in fake.calls_to("POST", f"/channels/{CHANNEL}/messages$") if c.status == 200]
                assert [("Tasks are back" in text_of(c.json)) for c in posts] == [True]
                assert await outbox_states(app) == ["sent"]
        finally:
            await app.db.close()
