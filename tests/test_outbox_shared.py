"""The outbox as each worker process runs it on PostgreSQL (shared limits, real time), in this process: a claimed batch
has all its turns booked in one statement (a booking per message was a round trip per message on the way to its
turn, which kept one worker under the limit), claims go on while the sends are in flight, a message queued for
another platform meanwhile is claimed in the same round, and a stop gives back the claims still waiting for their
turn. Counted, not timed: a busy machine changes how long this takes, not what
it counts."""

from __future__ import annotations

import asyncio
import math
import time

import pytest

from bot.core.delivery import Destination, Origin
from bot.core.model import Reply
from bot.outbox.outbox import CLAIM_BATCH, Pace, PlatformPolicy
from bot.settings import load_settings
from bot.wiring import build_app
from storage.coordination import PostgresCoordination
from tests.support.digest_fakes import FakeSender

pytest_plugins = ("tests.support.pg_processes",)  # the `admin_url` and `pg_url` fixtures

MESSAGES = 60
PACE = 600  # Telegram messages a second (TELEGRAM_SENDS_PER_SECOND): 60 messages take about 0.1 s of turns


class CountingCoordination(PostgresCoordination):
    """The real coordination, counting its booking statements and the turns each booked."""

    def __init__(self, dsn: str) -> None:
        super().__init__(dsn)
        self.statements: list[int] = []

    async def reserve(self, overall, own, max_wait, max_overall_wait=None):
        self.statements.append(1)
        return await super().reserve(overall, own, max_wait, max_overall_wait)

    async def reserve_many(self, requests, max_wait, max_overall_wait=None):
        self.statements.append(len(requests))
        reservations = []
        for overall, own in requests:  # what reserve() does for each, without counting it again
            [booked] = await PostgresCoordination.reserve_many(self, [(overall, own)], max_wait, max_overall_wait)
            reservations.append(booked)
        return reservations


@pytest.fixture
async def worker(pg_url, tmp_path, monkeypatch):
    """An app set up as a worker process's: its outbox on the shared limits, a fake Telegram sender."""
    monkeypatch.chdir(tmp_path)
    settings = load_settings(database_url=pg_url, queuewatch_secret="test-secret-0123456789", queuewatch_fx_url="",
                             telegram_sends_per_second=PACE, queuewatch_secret_file=str(tmp_path / "unused.key"))
    app = await build_app(settings)
    app.coordination = CountingCoordination(pg_url)
    app.outbox.shared_limits = True
    app.senders["telegram"] = FakeSender()
    yield app
    await app.coordination.close()
    await app.db.close()


async def queue(app, count: int, first_chat: int = 700_000) -> None:
    """One message to each of `count` private chats."""
    for n in range(count):
        assert await app.outbox.enqueue(f"shared:{n}", Destination("telegram", "user", str(first_chat + n)),
                                        Reply(blocks=[f"message {n}"]), Origin("alerts", "shared"))


async def deliver_all(app, count: int, within: float = 30.0) -> None:
    """Run the outbox's rounds until `count` messages have been delivered."""
    sender = app.senders["telegram"]
    deadline = time.monotonic() + within
    while len(sender.delivered) < count:
        assert time.monotonic() < deadline, f"delivered {len(sender.delivered)} of {count}"
        pause = await app.outbox.run_once()
        await app.outbox.wait(min(pause, 0.05))


async def test_a_claimed_batch_books_all_its_turns_in_one_statement(worker):
    await queue(worker, MESSAGES)
    await deliver_all(worker, MESSAGES)
    await worker.outbox.drain()
    booked = worker.coordination.statements
    assert sum(booked) == MESSAGES  # each message's turn booked once
    assert len(booked) <= math.ceil(MESSAGES / CLAIM_BATCH) + 2, f"{len(booked)} booking statements: {booked}"
    assert len({dest.id for dest, _reply, _at in worker.senders["telegram"].delivered}) == MESSAGES
    counts = await worker.outbox.app.db.fetchall("SELECT state, count(*) FROM outbox GROUP BY state")
    assert {row[0]: row[1] for row in counts} == {"sent": MESSAGES}


async def test_claims_go_on_while_the_sends_are_in_flight(worker):
    release = asyncio.Event()
    sender = worker.senders["telegram"]
    started: list[str] = []
    send = sender.send

    async def slow_send(destination, reply, first_part=0, part_sent=None):
        started.append(destination.id)
        await release.wait()  # every send hangs until the test lets them all finish
        await send(destination, reply, first_part, part_sent)

    sender.send = slow_send
    await queue(worker, MESSAGES)
    pause = await asyncio.wait_for(worker.outbox.run_once(), 10)  # the round ends with its sends still in flight
    assert pause >= 0
    rows = await worker.db.fetchall("SELECT state, count(*) FROM outbox GROUP BY state")
    assert {row[0]: row[1] for row in rows} == {"sending": MESSAGES}  # all claimed, none waiting for a free slot
    release.set()
    await deliver_all(worker, MESSAGES)
    await worker.outbox.drain()
    assert sorted(started) == sorted(str(700_000 + n) for n in range(MESSAGES))


async def test_a_stop_gives_back_the_claims_still_waiting_for_their_turn(worker):
    worker.outbox.limits.policies = {**worker.outbox.limits.policies,
                                     "telegram": PlatformPolicy(Pace(0.5, 1), (Pace(1, 1),))}  # one every 2 s
    sender = worker.senders["telegram"]
    await queue(worker, 3)
    await worker.outbox.run_once()  # claims all three: turns now, in 2 s and in 4 s
    deadline = time.monotonic() + 10
    while not sender.delivered:
        assert time.monotonic() < deadline, "no message was sent"
        await asyncio.sleep(0.01)
    await worker.outbox.drain()  # one has gone; the others were still waiting for their turns
    rows = await worker.db.fetchall("SELECT state, attempts FROM outbox ORDER BY id")
    # Usually the first; the second when the first woke late and was booked anew (a busy machine).
    assert sorted(row[0] for row in rows) == ["pending", "pending", "sent"]
    assert [row[1] for row in rows if row[0] == "pending"] == [0, 0]  # given back as they were: no attempt counted
    assert len(sender.delivered) == 1


async def test_a_message_for_another_platform_goes_out_while_a_long_round_claims_for_one(worker):
    worker.outbox.limits.policies = {**worker.outbox.limits.policies,
                                     "telegram": PlatformPolicy(Pace(20, 1), (Pace(1, 1),))}  # 60 take 3 s
    telegram = worker.senders["telegram"]
    worker.senders["discord"] = discord = FakeSender()
    await queue(worker, 60)
    long_round = asyncio.create_task(worker.outbox.run_once())
    deadline = time.monotonic() + 20
    while len(telegram.delivered) < 5:  # under way: Discord was found empty by now
        assert time.monotonic() < deadline, "the round sent nothing"
        await asyncio.sleep(0.01)
    assert await worker.outbox.enqueue("shared:discord", Destination("discord", "channel", "42"),
                                       Reply(blocks=["for Discord"]), Origin("alerts", "shared"))
    while not discord.delivered:
        assert time.monotonic() < deadline, "the Discord message was not sent while the round claimed for Telegram"
        await asyncio.sleep(0.01)
    # Sent with the round still claiming for Telegram, not once it had claimed all 60 (about 40 sent by then).
    assert len(telegram.delivered) < 30, f"the Discord message waited for {len(telegram.delivered)} Telegram sends"
    await long_round
    await deliver_all(worker, 60)
    await worker.outbox.drain()
