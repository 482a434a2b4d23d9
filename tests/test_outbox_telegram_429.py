"""A 429 answered to an outbox send goes back to the outbox at once, which paces every send (across processes,
through the limits they share), instead of being retried inside the send a second later past that pacing: such a
retry is one send more than the pace allows, and at a full pace it met the limit again, every 1.1 s."""

from __future__ import annotations

from bot.core.delivery import Destination, Origin
from bot.core.model import Reply
from bot.wiring import load_registry
from tests.telegram_fake import running_bot

MEMBER = 702


async def test_a_429_on_an_outbox_send_is_left_to_the_outbox_to_try_again(settings, clock) -> None:
    async with running_bot(settings, clock, registry=load_registry()) as bot:
        outbox = bot.app.outbox
        bot.fake.fail("sendMessage", 429, "Too Many Requests: retry after 1", times=1, retry_after=1)
        member = Destination("telegram", "user", str(MEMBER))
        await outbox.enqueue("alert:429:1", member, Reply(blocks=["Tasks are back"]), Origin("sub", "m"))
        await outbox.run_once()
        attempts = [c.status for c in bot.fake.of("sendMessage") if c.chat_id == MEMBER]
        assert attempts == [429], "the send was retried inside itself"
        row = await bot.app.db.fetchone("SELECT state, attempts, last_error FROM outbox")
        assert row["state"] == "pending" and "retry after 1" in row["last_error"]
        clock.advance(seconds=2)  # the outbox's own retry, after the platform's Retry-After
        await outbox.run_once()
        attempts = [c.status for c in bot.fake.of("sendMessage") if c.chat_id == MEMBER]
        assert attempts == [429, 200]
        assert (await bot.app.db.fetchone("SELECT state FROM outbox"))["state"] == "sent"
