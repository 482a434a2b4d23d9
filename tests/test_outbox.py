"""The outbox: idempotency keys, retry with backoff, pacing, permanent failures, restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from bot.core.delivery import Destination, Origin, RetryableDeliveryError
from bot.core.model import Actor, Button, Field, Image, Place, Platform, Reply
from bot.outbox.outbox import MAX_ATTEMPTS, OutboxService, decode_reply, encode_reply
from bot.wiring import build_app
from storage import digests as store
from storage import subscriptions as subscriptions_store
from tests.support.digest_fakes import FakeSender, blocked, manual_outbox, outbox_rows, too_many
from tests.support.sample_commands import TINY_PNG

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL

USER = Destination("telegram", "user", "555")
GROUP = Destination("telegram", "channel", "-100123")


def alert(text: str = "Tasks are back") -> Reply:
    return Reply(title="Outlier", blocks=[text])


async def states(app) -> list[tuple[str, int]]:
    return [(row["state"], row["attempts"]) for row in await outbox_rows(app)]


def test_a_reply_survives_the_round_trip() -> None:
    reply = Reply(title="T", blocks=["a", "b"], fields=[Field("n", "v", True)],
                  buttons=[Button("Go", "status", {"platform": "outlier"}, "primary")],
                  image=Image(TINY_PNG, "alt", "c.png"), footer="f")
    assert decode_reply(encode_reply(reply)) == reply


async def test_the_same_key_is_queued_and_delivered_once(app, clock) -> None:
    sender = FakeSender(clock)
    app.senders["telegram"] = sender
    outbox = manual_outbox(app, clock)
    assert await outbox.enqueue("alert:1", USER, alert(), Origin("sub", "telegram:555"))
    assert not await outbox.enqueue("alert:1", USER, alert("again"), Origin("sub", "telegram:555"))
    await outbox.run_once()
    await outbox.run_once()
    assert sender.titles() == ["Outlier"]
    assert sender.delivered[0][1].blocks == ["Tasks are back"]


async def test_a_429_then_success_delivers_exactly_once(app, clock) -> None:
    sender = FakeSender(clock, script=[too_many(retry_after=5)])
    app.senders["telegram"] = sender
    outbox = manual_outbox(app, clock)
    await outbox.enqueue("alert:2", USER, alert(), Origin("sub", "telegram:555"))
    await outbox.run_once()
    assert sender.delivered == [] and await states(app) == [("pending", 1)]
    clock.advance(seconds=4)
    await outbox.run_once()  # not due yet: Retry-After is honoured
    assert sender.calls == 1
    clock.advance(seconds=1)
    await outbox.run_once()
    await outbox.run_once()
    assert len(sender.delivered) == 1 and sender.calls == 2
    assert await states(app) == [("sent", 2)]


async def test_a_5xx_is_retried_with_growing_backoff(app, clock) -> None:
    error = RetryableDeliveryError("502 Bad Gateway")
    sender = FakeSender(clock, script=[error, error, error])
    app.senders["telegram"] = sender
    outbox = manual_outbox(app, clock)
    await outbox.enqueue("alert:3", USER, alert(), Origin("sub", "telegram:555"))
    waits = []
    for _ in range(4):
        await outbox.run_once()
        row = (await outbox_rows(app))[0]
        waits.append(round(row["next_at"] - clock.now().timestamp()))
        clock.advance(seconds=max(0, waits[-1]))
    assert waits[:3] == [2, 4, 8]
    assert len(sender.delivered) == 1


async def test_endless_passing_failures_give_up_without_disabling(app, clock, member, private) -> None:
    await subscriptions_store.subscribe(app.db, "telegram", "555", "outlier", ("drought_ended",), 0)
    sender = FakeSender(clock, script=[RetryableDeliveryError("503")] * MAX_ATTEMPTS)
    app.senders["telegram"] = sender
    outbox = manual_outbox(app, clock)
    await outbox.enqueue("alert:4", USER, alert(), Origin("sub", "telegram:555"))
    for _ in range(MAX_ATTEMPTS + 2):
        await outbox.run_once()
        clock.advance(hours=1)
    assert sender.calls == MAX_ATTEMPTS
    row = (await outbox_rows(app))[0]
    assert row["state"] == "failed" and "gave up" in row["last_error"]
    assert (await subscriptions_store.subscriptions_of(app.db, "telegram", "555"))[0].enabled


async def test_a_member_who_blocked_the_bot_has_the_subscription_disabled(app, clock) -> None:
    member = Actor(Platform.TELEGRAM, "555", "Ana")
    private = Place(Platform.TELEGRAM, None, "555", is_private=True)
    reply = await app.dispatcher.dispatch_line("/subscribe outlier", member, private)
    assert not reply.is_error, reply.plain_text()
    sender = FakeSender(clock, script=[blocked()])
    app.senders["telegram"] = sender
    outbox = manual_outbox(app, clock)
    await outbox.enqueue("alert:a", USER, alert(), Origin("sub", "telegram:555"), topic="outlier")
    await outbox.enqueue("alert:b", USER, alert("later"), Origin("sub", "telegram:555"), topic="outlier")
    await outbox.run_once()
    assert sender.delivered == [] and sender.calls == 1  # the second message is not even tried
    assert [row["state"] for row in await outbox_rows(app)] == ["failed", "cancelled"]
    sub = (await subscriptions_store.subscriptions_of(app.db, "telegram", "555"))[0]
    assert not sub.enabled and "blocked the bot" in sub.disabled_reason
    listing = await app.dispatcher.dispatch_line("/subscriptions", member, private)
    assert "paused: the member blocked the bot" in listing.plain_text()
    again = await app.dispatcher.dispatch_line("/subscribe outlier", member, private)
    assert not again.is_error
    assert (await subscriptions_store.subscriptions_of(app.db, "telegram", "555"))[0].enabled


async def test_a_deleted_channel_disables_the_scheduled_digest_and_preview_says_why(app, clock, moderator,
                                                                                  group) -> None:
    await app.dispatcher.dispatch_line("/digest_setup friday 18:00 UTC", moderator, group)
    sender = FakeSender(clock)
    from bot.core.delivery import PermanentDeliveryError

    sender.script = [PermanentDeliveryError("the channel was deleted")]
    app.senders["console"] = sender
    clock.set(datetime(2026, 11, 20, 18, 0, 30, tzinfo=UTC))  # the scheduled send fails, not a manual post
    assert await app.scheduler.tick() == ["console:local"]
    await manual_outbox(app, clock).run_once()
    settings = await store.get_settings(app.db, "console:local")
    assert not settings.enabled and settings.disabled_reason == "the channel was deleted"
    preview = await app.dispatcher.dispatch_line("/digest_preview", moderator, group)
    assert preview.ephemeral
    assert "off on" in preview.plain_text() and "the channel was deleted" in preview.plain_text()


async def test_nothing_is_lost_across_a_restart(settings, tmp_path, clock) -> None:
    file_settings = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'q.db'}"})
    first = await build_app(file_settings, clock=clock)
    await first.outbox.enqueue("alert:r", USER, alert(), Origin("sub", "telegram:555"))  # no sender yet
    await first.outbox.run_once()
    await first.db.close()
    second = await build_app(file_settings, clock=clock)
    try:
        sender = FakeSender(clock)
        second.senders["telegram"] = sender
        await manual_outbox(second, clock).run_once()
        assert sender.titles() == ["Outlier"]
        assert not await second.outbox.enqueue("alert:r", USER, alert(), Origin("sub", "telegram:555"))
    finally:
        await second.db.close()


async def test_telegram_pacing_per_chat_and_overall(app, clock) -> None:
    sender = FakeSender(clock)
    app.senders["telegram"] = sender
    outbox = manual_outbox(app, clock)
    for n in range(90):
        await outbox.enqueue(f"u{n}", Destination("telegram", "user", str(n)), alert(), Origin("test", ""))
    for n in range(3):
        await outbox.enqueue(f"g{n}", GROUP, alert(), Origin("test", ""))
    start = clock.now()
    for _ in range(50):
        pause = await outbox.run_once()
        if len(sender.delivered) == 93:
            break
        clock.advance(seconds=pause)
    assert len(sender.delivered) == 93
    times = [(at - start).total_seconds() for _dest, _reply, at in sender.delivered]
    # Never more than 30 in any second (plus the initial burst of 5).
    assert all(sum(1 for t in times if s <= t < s + 1) <= 35 for s in times)
    group_times = [(at - start).total_seconds() for dest, _r, at in sender.delivered if dest == GROUP]
    assert all(b - a >= 0.99 for a, b in pairwise(group_times))


async def test_the_service_delivers_in_the_background(app, clock) -> None:
    sender = FakeSender(clock)
    app.senders["telegram"] = sender
    service = OutboxService(app)
    await service.start()
    try:
        await service.outbox.enqueue("alert:s", USER, alert(), Origin("sub", "telegram:555"))
        for _ in range(100):
            if sender.delivered:
                break
            await service.outbox.sleep(0.01)
    finally:
        await service.stop()
    assert sender.titles() == ["Outlier"]
    clock.advance(timedelta(seconds=1))
