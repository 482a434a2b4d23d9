"""The coordination of processes on one PostgreSQL server, piece by piece (several coordinations in one test stand
for several processes; tests/test_processes_run.py runs real ones): one leader per job, taken over when the
leader's connection ends; send slots booked by every process under one limit; a queued message wakes the
listeners; one send in flight per destination however many claim."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from bot.core.ratelimit import SendLimit
from storage import outbox as store
from storage.coordination import OUTBOX_CHANNEL, LocalCoordination, PostgresCoordination, lock_key
from storage.database import open_database

pytest_plugins = ("tests.support.pg_processes",)  # the `admin_url` and `pg_url` fixtures


async def test_one_process_leads_a_job_and_another_takes_over_when_its_connection_ends(pg_url):
    first, second = PostgresCoordination(pg_url), PostgresCoordination(pg_url)
    try:
        assert await first.lead("scheduler")
        assert await first.lead("scheduler")  # still the leader on the next round
        assert not await second.lead("scheduler")
        assert await second.lead("availability")  # another job is free
        first._locks.terminate()  # what SIGKILL does to the process's connection
        for _ in range(50):  # the server notices the closed connection within moments
            if await second.lead("scheduler"):
                break
            await asyncio.sleep(0.05)
        assert await second.lead("scheduler")
        assert not await first.lead("scheduler")  # the old leader, reconnected, is now the one waiting
    finally:
        await first.close()
        await second.close()


async def test_resigning_lets_another_process_lead_at_once(pg_url):
    first, second = PostgresCoordination(pg_url), PostgresCoordination(pg_url)
    try:
        assert await first.lead("digest")
        await first.resign("digest")
        assert await second.lead("digest")
    finally:
        await first.close()
        await second.close()


def test_every_process_computes_the_same_lock_key():
    assert lock_key("scheduler") == lock_key("scheduler") != lock_key("availability")
    assert -(2**63) <= lock_key("scheduler") < 2**63


async def test_send_slots_booked_by_three_processes_keep_the_overall_limit(pg_url):
    overall = [SendLimit("telegram", 30, 1)]
    processes = [PostgresCoordination(pg_url) for _ in range(3)]
    try:
        async def book(coordination, n):
            times = []
            for i in range(n):
                own = [SendLimit(f"telegram:chat{id(coordination)}:{i}", 1, 1)]
                reservation = await coordination.reserve(overall, own, max_wait=10)
                assert reservation.booked
                times.append(reservation.at)
            return times

        booked = sorted(t for times in await asyncio.gather(*(book(c, 30) for c in processes)) for t in times)
    finally:
        for coordination in processes:
            await coordination.close()
    gaps = [b - a for a, b in itertools.pairwise(booked)]
    # 90 sends at 30/s, on the server's clock: a thirtieth of a second apart, whoever booked them.
    assert min(gaps) >= 1 / 30 - 1e-5  # float8 unix seconds hold about a microsecond
    assert booked[-1] - booked[0] >= 89 / 30 - 1e-4


async def test_a_busy_destination_is_not_booked_far_ahead(pg_url):
    overall = [SendLimit("telegram", 30, 1)]
    own = [SendLimit("telegram:group:0", 20 / 60, 3)]
    coordination = PostgresCoordination(pg_url)
    try:
        for _ in range(3):  # the burst
            assert (await coordination.reserve(overall, own, max_wait=0.5)).booked
        refused = await coordination.reserve(overall, own, max_wait=0.5)
        assert not refused.booked and refused.destination_bound and 2.5 < refused.delay <= 3.01
        await coordination.hold_off(overall, 5)  # Telegram said 429: retry after 5 s, for every process
        other = PostgresCoordination(pg_url)
        try:
            held = await other.reserve(overall, [SendLimit("telegram:user:1:0", 1, 1)], max_wait=0.5)
            assert not held.booked and not held.destination_bound and held.delay > 4.5
        finally:
            await other.close()
    finally:
        await coordination.close()


async def test_the_local_coordination_books_the_same_way_in_memory():
    now = [1000.0]
    local = LocalCoordination(clock=lambda: now[0])
    overall, own = [SendLimit("telegram", 30, 1)], [SendLimit("telegram:u", 1, 1)]
    assert await local.lead("anything")
    first = await local.reserve(overall, own, 0.5)
    second = await local.reserve(overall, own, 0.5)
    assert first.booked and first.delay == 0
    assert not second.booked and second.destination_bound and second.delay == pytest.approx(1.0)


async def test_a_queued_message_wakes_the_listening_processes(pg_url):
    woken = asyncio.Event()
    listener = PostgresCoordination(pg_url)
    db = await open_database(pg_url)
    try:
        await listener.listen(OUTBOX_CHANNEL, woken.set)
        assert await store.add(db, "k1", "telegram", "user", "1", "digest", "c", "{}", time.time())
        await asyncio.wait_for(woken.wait(), 5)
    finally:
        await listener.close()
        await db.close()


async def test_only_one_send_in_flight_per_destination_however_many_claim(pg_url):
    db = await open_database(pg_url)
    try:
        now = time.time()
        for n in range(6):
            await store.add(db, f"k{n}", "telegram", "group", "-100", "alerts", "c", "{}", now)
        await store.add(db, "other", "telegram", "group", "-200", "alerts", "c", "{}", now)
        items = await store.due(db, ["telegram"], now + 1, 10)
        results = await asyncio.gather(*(store.claim(db, item.id, f"t{item.id}", now + 1, now + 60)
                                         for item in items))
        claimed = [item for item, won in zip(items, results, strict=True) if won]
        assert sorted(item.dest_id for item in claimed) == ["-100", "-200"]
        sending = await db.fetchall("SELECT dest_id FROM outbox WHERE state = 'sending' ORDER BY dest_id")
        assert [row[0] for row in sending] == ["-100", "-200"]
        [first] = [item for item in claimed if item.dest_id == "-100"]
        assert await store.unclaim(db, first.id, f"t{first.id}", first.state)
        row = await db.fetchone("SELECT state, attempts FROM outbox WHERE id = ?", (first.id,))
        assert (row[0], row[1]) == ("pending", 0)  # given back as it was: the attempt not counted
    finally:
        await db.close()


async def test_claiming_in_batches_takes_one_message_per_destination_and_skips_what_others_hold(pg_url):
    db = await open_database(pg_url)
    try:
        now = time.time()
        for n in range(6):
            await store.add(db, f"g{n}", "telegram", "group", "-100", "alerts", "c", "{}", now)
        for n in range(20):
            await store.add(db, f"u{n}", "telegram", "user", str(n), "alerts", "c", "{}", now)
        first, second = await asyncio.gather(
            store.claim_due(db, ["telegram"], now + 1, now + 60, "a", 8),
            store.claim_due(db, ["telegram"], now + 1, now + 60, "b", 8))
        taken = [*first, *second]
        assert len({item.id for item in taken}) == len(taken)  # nothing claimed twice
        groups = [item for item in taken if item.dest_id == "-100"]
        assert len(groups) <= 1  # one send in flight per destination
        rest = await store.claim_due(db, ["telegram"], now + 1, now + 60, "c", 50)
        assert all(item.dest_id != "-100" for item in rest) or not groups
        claimed = await db.fetchone("SELECT count(*) FROM outbox WHERE state = 'sending'")
        assert claimed[0] == len(taken) + len(rest) == 21  # 20 members and the one group message
        assert {item.state for item in rest} == {"pending"}
    finally:
        await db.close()


async def test_limits_long_past_are_dropped_as_bookings_go_on(pg_url):
    coordination = PostgresCoordination(pg_url)
    coordination.prune_every = 1
    db = await open_database(pg_url)
    try:
        await db.execute("INSERT INTO send_limits (name, tat) VALUES ('telegram:gone:0', ?), ('telegram:recent:0', ?)",
                         (time.time() - 2 * 3600, time.time() - 60))
        overall = [SendLimit("telegram", 30, 1)]
        assert (await coordination.reserve(overall, [SendLimit("telegram:new:0", 1, 1)], max_wait=1)).booked
        names = {row[0] for row in await db.fetchall("SELECT name FROM send_limits")}
        # a chat not sent to for an hour is as good as new: its row goes; the others stay
        assert names == {"telegram", "telegram:new:0", "telegram:recent:0"}
    finally:
        await coordination.close()
        await db.close()


async def test_a_missed_turn_is_booked_anew_on_the_overall_limit_and_the_chat_follows_it():
    now = [1000.0]
    local = LocalCoordination(clock=lambda: now[0])
    overall, own = [SendLimit("telegram", 30, 1)], [SendLimit("telegram:u", 1, 1)]
    assert (await local.reserve(overall, own, 0.5)).at == 1000.0
    now[0] = 1000.1  # the process woke 100 ms past that turn
    again = await local.rebook(overall, own)
    assert again.booked and again.at == pytest.approx(1000.1)  # not a second later for the chat's own limit
    now[0] = 1000.2
    next_one = await local.reserve(overall, own, 0.5)  # the chat's next message: a second after the late send
    assert not next_one.booked and next_one.destination_bound and next_one.delay == pytest.approx(0.9)


async def test_turns_are_booked_ahead_on_the_overall_limit_while_the_chat_is_free():
    now = [1000.0]
    local = LocalCoordination(clock=lambda: now[0])
    overall = [SendLimit("telegram", 30, 1)]
    await local.hold_off(overall, 3)  # a 429 asked every process for 3 s
    chat = [SendLimit("telegram:v", 1, 1)]
    assert not (await local.reserve(overall, chat, 0.5)).booked
    booked = await local.reserve(overall, chat, 0.5, max_overall_wait=5)
    assert booked.booked and booked.at == pytest.approx(1003.0)
