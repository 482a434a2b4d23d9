"""Delivered once through the real adapters and the loopback fakes: a photo is not sent again when the text
after it failed, an answer after the client's timeout is one counted uncertain send, and a SIGTERM with a
send in flight neither loses the message nor sends it twice after a restart."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from bot.core.delivery import Destination, Origin
from bot.core.model import Image, Reply
from bot.outbox.outbox import UNCERTAIN_DELAY, OutboxService
from bot.wiring import build_app, load_registry
from storage import outbox as store
from tests.discord_fake import FakeDiscord, connected, discord_settings, text_of
from tests.support.digest_fakes import manual_outbox, outbox_rows
from tests.support.sample_commands import TINY_PNG
from tests.telegram_fake import TOKEN, FakeBotApi, running_bot

MEMBER = 701
CHANNEL = "925000000000000009"
ALERT = Reply(title="Outlier", blocks=["Tasks are back on Outlier"])
DIGEST = Reply(title="Weekly digest", blocks=["What changed this week", " ".join(["drought"] * 400)],
               image=Image(TINY_PNG, "Reports per day", "chart.png"))  # a photo, then a text message
START_TIMEOUT = 30  # seconds; generous because the machine is shared


async def deliver(outbox, clock, rounds: int = 6, step: float = UNCERTAIN_DELAY) -> None:
    """Delivery rounds, moving the clock past any back-off or uncertain delay in between."""
    for _ in range(rounds):
        await outbox.run_once()
        clock.advance(seconds=step)


def to(fake: FakeBotApi, chat: int, text: str) -> list:
    """Every call that reached Telegram (the fake acted on it) carrying this text to this chat."""
    return [c for c in fake.sent(chat) if text in c.text]


async def test_a_photo_is_not_sent_again_when_the_text_after_it_failed(settings, clock) -> None:
    async with running_bot(settings, clock, registry=load_registry()) as bot:
        bot.fake.fail("sendMessage", 502, "Bad Gateway")
        outbox = manual_outbox(bot.app, clock)
        await outbox.enqueue("digest:telegram:-1001:2026-W47", Destination("telegram", "channel", "-1001"), DIGEST,
                             Origin("digest", "telegram:-1001"))
        await deliver(outbox, clock, step=70)
        assert len(bot.fake.of("sendPhoto")) == 1  # the retry resumed at the text
        assert [c.status for c in bot.fake.of("sendMessage")] == [502, 200]
        [row] = await outbox_rows(bot.app)
        assert (row["state"], row["parts_sent"], row["uncertain"]) == ("sent", 2, 0)


async def test_a_telegram_answer_after_ptbs_timeout_is_one_counted_uncertain_send(settings, clock) -> None:
    async with running_bot(settings, clock, registry=load_registry()) as bot:
        bot.adapter.send_read_timeout = 0.2
        bot.fake.delay("sendMessage", 0.6)  # Telegram posts it, but answers after PTB gave up (TimedOut)
        outbox = manual_outbox(bot.app, clock)
        member = Destination("telegram", "user", str(MEMBER))
        await outbox.enqueue("alert:1", member, ALERT, Origin("sub", f"telegram:{MEMBER}"))
        await outbox.run_once()
        [row] = await outbox_rows(bot.app)
        assert row["state"] == "uncertain" and "did not answer" in row["last_error"]
        await outbox.enqueue("alert:2", member, Reply(title="Outlier", blocks=["Payments late"]),
                             Origin("sub", f"telegram:{MEMBER}"))
        await deliver(outbox, clock)
        uncertain = await store.uncertain_total(bot.app.db)
        arrived = to(bot.fake, MEMBER, "Tasks are back")
        assert uncertain == 1 and len(arrived) == 2  # at most one duplicate, and it is counted
        assert len(to(bot.fake, MEMBER, "Payments late")) == 1
        assert await store.counts(bot.app.db) == {"sent": 2}


async def test_a_photo_whose_text_got_no_answer_resends_only_the_text(settings, clock) -> None:
    async with running_bot(settings, clock, registry=load_registry()) as bot:
        bot.adapter.send_read_timeout = 0.2
        bot.fake.delay("sendMessage", 0.6)
        outbox = manual_outbox(bot.app, clock)
        await outbox.enqueue("digest:telegram:-1001:2026-W48", Destination("telegram", "channel", "-1001"), DIGEST,
                             Origin("digest", "telegram:-1001"))
        await deliver(outbox, clock)
        assert len(bot.fake.of("sendPhoto")) == 1
        assert len(bot.fake.of("sendMessage")) == 2  # the uncertain text, once more
        [row] = await outbox_rows(bot.app)
        assert (row["state"], row["parts_sent"], row["uncertain"]) == ("sent", 2, 1)


async def test_a_discord_answer_after_the_send_timeout_is_one_counted_uncertain_send(clock) -> None:
    async with FakeDiscord() as fake:
        app = await build_app(discord_settings(), clock, registry=load_registry())
        try:
            async with connected(app):
                fake.delay("POST", f"/channels/{CHANNEL}/messages$", 0.6)
                outbox = manual_outbox(app, clock)
                outbox.send_timeout = 0.2
                await outbox.enqueue("digest:discord:1:2026-W47", Destination("discord", "channel", CHANNEL), ALERT,
                                     Origin("digest", "discord:1"))
                await outbox.run_once()
                [row] = await outbox_rows(app)
                assert row["state"] == "uncertain"
                await deliver(outbox, clock)
                posts = [c for c in fake.calls_to("POST", f"/channels/{CHANNEL}/messages$") if c.status == 200]
                assert [("Tasks are back" in text_of(c.json)) for c in posts] == [True, True]
                assert await store.uncertain_total(app.db) == 1
                assert await store.counts(app.db) == {"sent": 1}
        finally:
            await app.db.close()


async def test_stopping_with_a_send_in_flight_finishes_it_and_records_it(settings, clock, tmp_path) -> None:
    on_file = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'q.db'}"})
    async with running_bot(on_file, clock, registry=load_registry()) as bot:
        bot.fake.delay("sendMessage", 0.5)
        service = OutboxService(bot.app)
        await bot.app.outbox.enqueue("alert:s", Destination("telegram", "user", str(MEMBER)), ALERT,
                                     Origin("sub", f"telegram:{MEMBER}"))
        await service.start()
        await bot.fake.wait_for(lambda: bot.fake.of("sendMessage"))
        await service.stop()  # what the runner does on SIGTERM, while Telegram has not answered yet
        [row] = await outbox_rows(bot.app)
        assert row["state"] == "sent"
    async with running_bot(on_file, clock, registry=load_registry()) as restarted:
        await deliver(manual_outbox(restarted.app, clock), clock)
        assert restarted.fake.sent() == []


async def test_a_send_still_in_flight_when_shutdown_cannot_wait_is_uncertain_and_tried_once(settings, clock,
                                                                                             tmp_path) -> None:
    on_file = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'q.db'}"})
    async with running_bot(on_file, clock, registry=load_registry()) as bot:
        bot.fake.delay("sendMessage", 1.0)
        outbox = bot.app.outbox
        await outbox.enqueue("alert:d", Destination("telegram", "user", str(MEMBER)), ALERT,
                             Origin("sub", f"telegram:{MEMBER}"))
        delivering = asyncio.create_task(outbox.run_once())
        await bot.fake.wait_for(lambda: bot.fake.of("sendMessage"))
        await outbox.drain(timeout=0.1)
        await delivering
        [row] = await outbox_rows(bot.app)
        assert row["state"] == "uncertain" and row["uncertain"] == 1
        first = len(to(bot.fake, MEMBER, "Tasks are back"))
    async with running_bot(on_file, clock, registry=load_registry()) as restarted:
        await deliver(manual_outbox(restarted.app, clock), clock)
        second = len(to(restarted.fake, MEMBER, "Tasks are back"))
        assert first + second == 2  # it had arrived: one duplicate, and it is counted
        assert await store.uncertain_total(restarted.app.db) == 1
        assert await store.counts(restarted.app.db) == {"sent": 1}


async def test_sigterm_to_queuewatch_run_with_a_send_in_flight_sends_it_once(settings, tmp_path) -> None:
    """The real process: SIGTERM while Telegram has not answered an outbox send; then a restart."""
    database = tmp_path / "queuewatch.db"
    app = await build_app(settings.model_copy(update={"database_url": f"sqlite:///{database}"}))
    await app.outbox.enqueue("alert:t", Destination("telegram", "user", str(MEMBER)), ALERT,
                             Origin("sub", f"telegram:{MEMBER}"))
    await app.db.close()
    fake = await FakeBotApi().start()
    try:
        fake.delay("sendMessage", 1.0)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "TELEGRAM_", "QUEUEWATCH_"))}
        env.update(TELEGRAM_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake.base_url, DATABASE_URL=f"sqlite:///{database}",
                   QUEUEWATCH_SECRET="test-secret-0123456789", LOG_LEVEL="WARNING", QUEUEWATCH_HTTP_PORT="0")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            await fake.wait_for(lambda: fake.of("sendMessage"), timeout=START_TIMEOUT)
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), 20)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        assert process.returncode == 0, stderr.decode()
        assert len(to(fake, MEMBER, "Tasks are back")) == 1
    finally:
        await fake.close()
    restarted = await build_app(settings.model_copy(update={"database_url": f"sqlite:///{database}"}))
    try:
        rows = await outbox_rows(restarted)
        assert [(r["state"], r["uncertain"]) for r in rows] == [("sent", 0)]  # nothing left to send again
    finally:
        await restarted.db.close()
