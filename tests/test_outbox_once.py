"""Delivered once, on the real SQLite database: a lock or a full disk while the delivery is recorded, two
outbox instances on one database file, a claimer that died mid-send, and sends whose outcome is unknown."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.delivery import Destination, Origin, UncertainDeliveryError
from bot.core.model import Reply
from bot.outbox.outbox import UNCERTAIN_DELAY
from bot.wiring import App, build_app
from storage import outbox as store
from tests.support.digest_fakes import FakeSender, manual_outbox, outbox_rows
from tests.support.faults import SENT_UPDATE, CountingSender, FaultyDatabase, WriteLock

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL

LOCK_WAIT = 0.02  # how long the database retries a locked write (2 s in production): short, so tests hit it
DONE = {"sent", "failed", "cancelled", "unconfirmed"}


@pytest.fixture
def db_path(tmp_path):
    """The database file both the app and the "other process" open."""
    return tmp_path / "queuewatch.db"


async def open_app(settings, clock, path) -> App:
    """An app on a database file, with short lock waits and write retries, pacing on the manual clock."""
    app = await build_app(settings.model_copy(update={"database_url": f"sqlite:///{path}"}), clock=clock)
    app.db.retry_seconds = LOCK_WAIT
    outbox = manual_outbox(app, clock)
    outbox.record_delays = (0.02, 0.04)
    return app


@pytest.fixture
async def file_app(settings, clock, db_path):
    """A migrated app on a database file."""
    app = await open_app(settings, clock, db_path)
    yield app
    await app.db.close()


async def queue(app: App, count: int, destinations: int) -> list[str]:
    """Queue `count` messages (titled m0, m1, ...) to `destinations` Telegram users; returns the titles."""
    titles = [f"m{n}" for n in range(count)]
    for n, title in enumerate(titles):
        dest = Destination("telegram", "user", str(1000 + n % destinations))
        assert await app.outbox.enqueue(f"key:{title}", dest, Reply(title=title, blocks=["x"]), Origin("sub", ""))
    return titles


async def deliver(app: App, clock, rounds: int = 200) -> None:
    """Run delivery rounds as the outbox service does (a failed round is retried), until nothing is left."""
    for _ in range(rounds):
        try:
            pause = await app.outbox.run_once()
        except Exception:
            pause = 5.0
        if not await unfinished(app):
            return
        await asyncio.sleep(0.01)  # real time passes too: another connection's lock may be released
        clock.advance(seconds=max(pause, 0.05))
    raise AssertionError(f"still unfinished: {await unfinished(app)}")


async def unfinished(app: App) -> list[tuple[str, str]]:
    return [(row["key"], row["state"]) for row in await outbox_rows(app) if row["state"] not in DONE]


async def states(app: App) -> dict[str, int]:
    return await store.counts(app.db)


@pytest.mark.parametrize("hold", [0.05, 0.5], ids=["shorter-than-the-retries", "longer-than-the-retries"])
async def test_a_lock_held_while_the_delivery_is_recorded_sends_nothing_twice(file_app, clock, db_path, hold):
    lock = WriteLock(db_path)
    sender = CountingSender()
    sender.after = lambda title: lock.take(hold)  # another process writes just as each message arrives
    file_app.senders["telegram"] = sender
    try:
        titles = await queue(file_app, 3, 3)
        await deliver(file_app, clock)
    finally:
        lock.close()
    assert lock.times >= 2
    assert sender.arrived == dict.fromkeys(titles, 1)
    assert await states(file_app) == {"sent": 3}


async def test_while_a_delivery_cannot_be_recorded_nothing_else_is_sent(file_app, clock, db_path):
    lock = WriteLock(db_path)
    sender = CountingSender()
    sender.after = lambda title: lock.take() if title == "m0" else None  # held until this test releases it
    file_app.senders["telegram"] = sender
    try:
        await queue(file_app, 3, 1)  # one chat: one message per round
        for _ in range(3):
            await file_app.outbox.run_once()
            clock.advance(seconds=5)
        assert sum(sender.arrived.values()) == 1  # the first arrived; its record waits in memory
        lock.release()
        await deliver(file_app, clock)
    finally:
        lock.close()
    assert sender.arrived == {"m0": 1, "m1": 1, "m2": 1}
    assert await states(file_app) == {"sent": 3}


@pytest.mark.parametrize(("statement", "times"), [
    (SENT_UPDATE, 2),  # retried in place
    (SENT_UPDATE, 40),  # held in memory over several rounds
    (r"SET state = 'sending'", 5),  # the claim: nothing goes out
    (r"SET parts_sent = \?", 40),  # the record of a part that arrived: no further part goes out
])
async def test_a_full_disk_while_recording_sends_nothing_twice(file_app, clock, statement, times):
    faulty = file_app.db = FaultyDatabase(file_app.db)
    faulty.fail(statement, times)
    sender = CountingSender()
    file_app.senders["telegram"] = sender
    titles = await queue(file_app, 8, 4)
    await deliver(file_app, clock)
    assert faulty.refused > 0
    assert sender.arrived == dict.fromkeys(titles, 1)
    assert await states(file_app) == {"sent": 8}


async def test_two_outboxes_on_one_database_deliver_each_item_once(settings, clock, db_path):
    first = await open_app(settings, clock, db_path)
    second = await open_app(settings, clock, db_path)
    try:
        sender = CountingSender()  # the one platform both processes post to
        first.senders["telegram"] = second.senders["telegram"] = sender
        titles = await queue(first, 25, 25)
        for _ in range(20):
            await asyncio.gather(first.outbox.run_once(), second.outbox.run_once())
            clock.advance(seconds=2)
        assert sender.arrived == dict.fromkeys(titles, 1)
        assert await states(first) == {"sent": 25}
    finally:
        await first.db.close()
        await second.db.close()


async def test_an_unanswered_send_is_tried_once_more_after_a_delay_and_counted(file_app, clock):
    sender = CountingSender()
    unanswered = {"m0"}

    def no_answer(title: str) -> None:
        if title in unanswered:
            unanswered.discard(title)
            raise UncertainDeliveryError("Telegram did not answer (ReadTimeout)")

    sender.after = no_answer
    file_app.senders["telegram"] = sender
    await queue(file_app, 2, 2)
    await file_app.outbox.run_once()
    [row] = [r for r in await outbox_rows(file_app) if r["key"] == "key:m0"]
    assert row["state"] == "uncertain" and row["uncertain"] == 1
    assert row["next_at"] == pytest.approx(clock.now().timestamp() + UNCERTAIN_DELAY)
    clock.advance(seconds=UNCERTAIN_DELAY - 1)
    await file_app.outbox.run_once()
    assert sender.arrived == {"m0": 1, "m1": 1}  # not yet
    clock.advance(seconds=1)
    await file_app.outbox.run_once()
    assert sender.arrived == {"m0": 2, "m1": 1}  # it had arrived: one duplicate, counted below
    assert await store.uncertain_total(file_app.db) == 1
    assert await states(file_app) == {"sent": 2}


async def test_a_send_that_hangs_past_the_timeout_is_uncertain_and_a_second_one_is_not_retried(file_app, clock):
    file_app.outbox.send_timeout = 0.05
    sender = CountingSender()
    sender.after = lambda title: asyncio.sleep(1)  # it arrives, but the answer never comes in time
    file_app.senders["telegram"] = sender
    await queue(file_app, 1, 1)
    for _ in range(4):
        await file_app.outbox.run_once()
        clock.advance(seconds=UNCERTAIN_DELAY)
    [row] = await outbox_rows(file_app)
    assert row["state"] == "unconfirmed" and row["uncertain"] == 2
    assert sender.arrived == {"m0": 2}  # the first try and the one retry; never a third
    assert sender.duplicates() <= row["uncertain"]


async def test_a_claim_whose_claimer_died_is_reclaimed_only_after_its_lease_as_uncertain(file_app, clock):
    sender = FakeSender(clock)
    file_app.senders["telegram"] = sender
    await queue(file_app, 1, 1)
    [item] = await store.due(file_app.db, ["telegram"], clock.now().timestamp(), 10)
    now = clock.now().timestamp()
    assert await store.claim(file_app.db, item.id, "a-process-that-was-killed", now, now + 120)
    assert not await store.claim(file_app.db, item.id, "another", now, now + 120)  # never claimed twice
    await file_app.outbox.run_once()
    assert sender.calls == 0  # the lease still runs: that process may still be sending
    clock.advance(seconds=121)
    await file_app.outbox.run_once()
    assert sender.titles() == ["m0"]
    [row] = await outbox_rows(file_app)
    assert row["state"] == "sent" and row["uncertain"] == 1  # it may have arrived before the kill: counted


@pytest.mark.parametrize("fault", ["none", "lock", "disk-full", "timeouts", "all"])
async def test_fan_out_under_faults_has_no_duplicate_but_one_per_uncertain_send(file_app, clock, db_path, fault):
    lock = WriteLock(db_path)
    sender = CountingSender()
    file_app.outbox.send_timeout = 0.05
    file_app.outbox.uncertain_delay = 5  # fewer idle rounds before the retries fall due
    seen: set[str] = set()

    def after(title: str):
        first = title not in seen
        seen.add(title)
        number = int(title[1:])
        if fault in ("lock", "all") and first and number % 7 == 0:
            lock.take(0.05)
        if fault in ("timeouts", "all") and first and number % 9 == 0:
            return asyncio.sleep(0.1)  # arrives; the answer comes after the outbox's timeout
        return None

    def before(title: str):
        number = int(title[1:])
        if fault in ("timeouts", "all") and title not in seen and number % 11 == 5:
            seen.add(title)
            return asyncio.sleep(0.1)  # hangs before it arrives: times out, is tried again, arrives once
        return None

    sender.before, sender.after = before, after
    file_app.senders["telegram"] = sender
    if fault in ("disk-full", "all"):
        faulty = file_app.db = FaultyDatabase(file_app.db)
        faulty.fail(SENT_UPDATE, 30)
    try:
        titles = await queue(file_app, 60, 20)
        await deliver(file_app, clock)
    finally:
        lock.close()
    uncertain = await store.uncertain_total(file_app.db)
    assert lock.times > 0 if fault in ("lock", "all") else lock.times == 0
    assert set(sender.arrived) == set(titles)  # none lost
    assert sender.duplicates() <= uncertain
    if fault in ("none", "lock", "disk-full"):
        assert uncertain == 0 and sender.duplicates() == 0
    else:
        assert uncertain > 0
    assert set(await states(file_app)) == {"sent"}


async def test_digest_preview_tells_moderators_of_digest_posts_that_got_no_answer(app, clock, moderator, group):
    await app.dispatcher.dispatch_line("/digest_setup friday 18:00 UTC", moderator, group)
    sender = FakeSender(clock, script=[UncertainDeliveryError("no answer")])
    app.senders["console"] = sender
    outbox = manual_outbox(app, clock)
    before = await app.dispatcher.dispatch_line("/digest_preview", moderator, group)
    assert "no answer" not in before.plain_text()
    assert (await app.dispatcher.dispatch_line("/digest_post", moderator, group)).title == "Digest posted"
    for _ in range(2):
        await outbox.run_once()
        clock.advance(seconds=UNCERTAIN_DELAY)
    preview = (await app.dispatcher.dispatch_line("/digest_preview", moderator, group)).plain_text()
    assert "1 digest post of the last 30 days got no answer from the platform in time" in preview
    assert "It was sent once more, so the channel may show it twice." in preview

    sender.script = [UncertainDeliveryError("no answer"), UncertainDeliveryError("no answer again")]
    clock.advance(hours=1)
    assert (await app.dispatcher.dispatch_line("/digest_post", moderator, group)).title == "Digest posted"
    for _ in range(3):
        await outbox.run_once()
        clock.advance(seconds=UNCERTAIN_DELAY)
    preview = (await app.dispatcher.dispatch_line("/digest_preview", moderator, group)).plain_text()
    assert "2 digest posts of the last 30 days got no answer" in preview
    assert "1 of them was sent once more, so the channel may show it twice" in preview
    assert "1 of them got no answer twice and was not sent again: check the channel" in preview
