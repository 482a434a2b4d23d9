"""The outbox and a wall clock that jumps: nothing waits for days because the clock was ahead."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.delivery import Destination, Origin
from bot.core.model import Reply
from tests.support.digest_fakes import FakeSender, manual_outbox, outbox_rows, too_many

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL

USER = Destination("telegram", "user", "555")


async def test_a_retry_scheduled_while_the_clock_was_ahead_is_not_held_for_days(app, clock) -> None:
    sender = FakeSender(clock, script=[too_many(retry_after=5)])
    app.senders["telegram"] = sender
    outbox = manual_outbox(app, clock)
    clock.set(clock.now() + timedelta(hours=72))  # the clock runs 72 hours ahead
    await outbox.enqueue("alert:jump", USER, Reply(title="Outlier"), Origin("sub", "telegram:555"))
    await outbox.run_once()  # a 429: retry in 5 s, by the wrong clock
    assert sender.calls == 1
    clock.set(clock.now() - timedelta(hours=72))  # put right
    clock.advance(seconds=6)
    await outbox.run_once()
    await outbox.run_once()
    assert sender.titles() == ["Outlier"]
    [row] = await outbox_rows(app)
    assert row["state"] == "sent"
    assert row["created_at"] <= clock.now().timestamp()  # no time stays in the future


async def test_a_legitimately_late_retry_still_waits(app, clock) -> None:
    sender = FakeSender(clock, script=[too_many(retry_after=600)])
    app.senders["telegram"] = sender
    outbox = manual_outbox(app, clock)
    await outbox.enqueue("alert:wait", USER, Reply(title="Outlier"), Origin("sub", "telegram:555"))
    await outbox.run_once()
    clock.advance(seconds=300)
    await outbox.run_once()
    assert sender.calls == 1  # the platform asked for 10 minutes: honoured
    clock.advance(seconds=301)
    await outbox.run_once()
    assert sender.titles() == ["Outlier"]
