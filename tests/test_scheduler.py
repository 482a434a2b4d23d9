"""The digest scheduler: local time with DST, once per ISO week across restarts, catch-up within 24 hours."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.clock import ManualClock
from bot.features.digest.schedule import next_slot, scheduler_service
from bot.wiring import build_app
from storage import digests as store
from tests.support.digest_fakes import FakeSender, manual_outbox, outbox_rows

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL

COMMUNITY = "console:local"


async def schedule(app, moderator, group, line: str = "/digest_setup monday 09:00 Europe/London") -> None:
    reply = await app.dispatcher.dispatch_line(line, moderator, group)
    assert not reply.is_error, reply.plain_text()


async def run_until(app, clock: ManualClock, until: datetime, step: timedelta = timedelta(seconds=30)) -> list:
    """Tick every 30 s (like the service) until `until`; returns the UTC instants at which a digest was queued."""
    scheduler = app.scheduler
    queued_at = []
    while clock.now() < until:
        clock.advance(step)
        if await scheduler.tick():
            queued_at.append(clock.now())
    return queued_at


@pytest.mark.parametrize(
    ("set_at", "expected"),
    [
        (datetime(2026, 11, 20, 12, 0, tzinfo=UTC), datetime(2026, 11, 23, 9, 0, tzinfo=UTC)),  # GMT = UTC
        (datetime(2026, 6, 12, 12, 0, tzinfo=UTC), datetime(2026, 6, 15, 8, 0, tzinfo=UTC)),  # BST = UTC+1
    ],
    ids=["winter", "summer"],
)
async def test_monday_0900_london_goes_out_once_at_the_right_instant(app, clock, moderator, group, set_at,
                                                                      expected) -> None:
    clock.set(set_at)
    await schedule(app, moderator, group)
    queued = await run_until(app, clock, expected - timedelta(minutes=3), timedelta(hours=1))
    queued += await run_until(app, clock, expected + timedelta(minutes=3))  # 30-second ticks around the slot
    queued += await run_until(app, clock, expected + timedelta(days=3), timedelta(hours=1))
    assert queued == [expected]
    sender = FakeSender(clock)
    app.senders["console"] = sender
    await manual_outbox(app, clock).run_once()
    assert len(sender.delivered) == 1
    destination, reply, _ = sender.delivered[0]
    assert (destination.platform, destination.kind, destination.id) == ("console", "channel", "general")
    assert reply.title.startswith("Weekly digest")


async def test_the_slot_follows_the_clock_change_within_a_week(app, clock, moderator, group) -> None:
    # UK clocks go back on Sunday 25 October 2026: Saturday 09:00 is BST, the next Monday 09:00 is GMT.
    clock.set(datetime(2026, 10, 23, 12, 0, tzinfo=UTC))
    await schedule(app, moderator, group, "/digest_setup monday 09:00 Europe/London")
    settings = await store.get_settings(app.db, COMMUNITY)
    assert next_slot(settings, clock.now()) == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    queued = await run_until(app, clock, datetime(2026, 10, 27, tzinfo=UTC), step=timedelta(minutes=5))
    assert queued == [datetime(2026, 10, 26, 9, 0, tzinfo=UTC)]


async def test_a_restart_mid_week_does_not_post_again(settings, tmp_path, moderator, group) -> None:
    file_settings = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'q.db'}"})
    clock = ManualClock(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    first = await build_app(file_settings, clock=clock)
    await schedule(first, moderator, group)
    assert await run_until(first, clock, datetime(2026, 11, 23, 10, 0, tzinfo=UTC), timedelta(minutes=10)) != []
    await first.db.close()

    clock.set(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))  # Wednesday: a fresh process on the same database
    second = await build_app(file_settings, clock=clock)
    try:
        assert await run_until(second, clock, datetime(2026, 11, 29, 23, 0, tzinfo=UTC), timedelta(hours=1)) == []
        assert len(await outbox_rows(second)) == 1
        # ... and the next week is posted as usual.
        assert await run_until(second, clock, datetime(2026, 11, 30, 9, 1, tzinfo=UTC), timedelta(minutes=1)) == [
            datetime(2026, 11, 30, 9, 0, tzinfo=UTC)]
    finally:
        await second.db.close()


async def test_down_over_the_slot_posts_on_return_within_24_hours(app, clock, moderator, group) -> None:
    clock.set(datetime(2026, 11, 22, 20, 0, tzinfo=UTC))  # Sunday evening
    await schedule(app, moderator, group)
    scheduler = app.scheduler
    assert await scheduler.tick() == []
    clock.set(datetime(2026, 11, 24, 8, 0, tzinfo=UTC))  # back on Tuesday 08:00: 23 hours late
    assert await scheduler.tick() == [COMMUNITY]
    assert await scheduler.tick() == []
    rows = await outbox_rows(app)
    assert [row["key"] for row in rows] == [f"digest:{COMMUNITY}:2026-W48"]


async def test_a_missed_slot_is_skipped_and_logged_after_24_hours(app, clock, moderator, group, caplog) -> None:
    clock.set(datetime(2026, 11, 22, 20, 0, tzinfo=UTC))
    await schedule(app, moderator, group)
    clock.set(datetime(2026, 11, 24, 9, 30, tzinfo=UTC))  # 24.5 hours late
    with caplog.at_level(logging.WARNING, logger="bot.features.digest.schedule"):
        assert await app.scheduler.tick() == []
    assert "skipped the 2026-W48 digest" in caplog.text
    ledger = await app.db.fetchall("SELECT iso_week, outcome FROM digest_ledger")
    assert [tuple(row) for row in ledger] == [("2026-W48", "skipped")]
    assert await outbox_rows(app) == []
    assert await run_until(app, clock, datetime(2026, 11, 30, 9, 0, tzinfo=UTC), timedelta(minutes=5)) == [
        datetime(2026, 11, 30, 9, 0, tzinfo=UTC)]


async def test_last_weeks_slot_is_caught_up_across_the_week_boundary(app, clock, moderator, group) -> None:
    clock.set(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    await schedule(app, moderator, group, "/digest_setup sunday 23:00 UTC")
    clock.set(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))  # Monday morning: a new ISO week
    assert await app.scheduler.tick() == [COMMUNITY]
    assert [row["key"] for row in await outbox_rows(app)] == [f"digest:{COMMUNITY}:2026-W47"]


async def test_a_slot_before_the_setup_is_not_posted(app, clock, moderator, group) -> None:
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))  # one hour after this Monday's slot
    await schedule(app, moderator, group)
    assert await app.scheduler.tick() == []
    assert await outbox_rows(app) == []


async def test_digest_off_stops_the_schedule(app, clock, moderator, group) -> None:
    clock.set(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    await schedule(app, moderator, group)
    reply = await app.dispatcher.dispatch_line("/digest_off", moderator, group)
    assert reply.title == "Weekly digest off"
    assert await run_until(app, clock, datetime(2026, 11, 24, tzinfo=UTC), timedelta(minutes=10)) == []


async def test_the_service_starts_ticks_and_stops(app, clock, moderator, group) -> None:
    clock.set(datetime(2026, 11, 23, 8, 59, tzinfo=UTC))
    await store.save_settings(app.db, store.DigestSettings(
        COMMUNITY, "console", "general", 0, "09:00", "UTC", True, None, None, 0))
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    service = scheduler_service(app)
    await service.run_once()
    await service.start()
    await service.stop()
    assert len(await outbox_rows(app)) == 1
