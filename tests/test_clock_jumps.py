"""The wall clock steps forwards and back (NTP, an operator, a VM resumed): ManualClock.jump moves the wall
clock and leaves monotonic time alone. Stored times never stay in the future, a future-stamped report never
outweighs later ones, rate limits measure real time, and the weekly digest is neither skipped nor repeated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.clock import unix
from bot.features.availability.status import LOOKBACK
from bot.features.reports.recording import REPORTS_PER_HOUR
from storage import digests as digest_store
from storage import reports as report_store
from tests.reports_helpers import count_reports, members, report
from tests.support.digest_fakes import outbox_rows
from tests.test_scheduler import COMMUNITY, run_until, schedule

MONDAY_0900 = "/digest_setup monday 09:00 UTC"


async def platform_status(app, clock, platform: str = "outlier"):
    [status] = [s for s in await app.availability.statuses(clock.now(), platform) if s.project == ""]
    return status


async def future_rows(app, clock) -> int:
    now = unix(clock.now())
    return await count_reports(app, "updated_at > ? OR created_at > ?", (now, now))


# -- reports ---------------------------------------------------------------------------------------------


async def test_a_report_from_a_clock_that_was_ahead_does_not_outweigh_later_ones(app, clock, group) -> None:
    (alice,) = members(1)
    clock.jump(days=3)  # the clock runs three days ahead
    assert not (await report(app, alice, group, "outlier", "drought")).is_error
    clock.jump(days=-3)  # ... and is put right
    clock.advance(minutes=10)
    assert not (await report(app, alice, group, "outlier", "tasks_back")).is_error
    status = await platform_status(app, clock)
    assert (status.drought_n, status.flowing_n) == (0, 1)  # her latest word is "tasks are back"
    assert await future_rows(app, clock) == 0
    [latest, *_] = await app.reports.mine(alice, 5)
    assert latest["kind"] == "tasks_back"


async def test_a_future_report_ages_from_when_the_clock_was_put_right(app, clock, group) -> None:
    (bob,) = members(1)
    clock.jump(days=3)
    await report(app, bob, group, "outlier", "drought")
    clock.jump(days=-3)
    status = await platform_status(app, clock)
    assert status.last_at is not None and status.last_at <= unix(clock.now())  # not "in three days"
    await app.availability.refresh_all()  # the once-a-minute service puts stored times right
    assert await future_rows(app, clock) == 0
    clock.advance(seconds=LOOKBACK + 60)
    assert (await platform_status(app, clock)).n == 0  # it no longer speaks for "now", 3 days early


async def test_the_upsert_treats_a_stored_future_time_as_now(app, clock) -> None:
    future, now = unix(clock.now() + timedelta(days=3)), unix(clock.now())
    window = now - now % (365 * 86400)
    first = report_store.NewReport("someone", "outlier", "onboarding", "", window, future, hours=3, paid=False)
    await report_store.upsert_report(app.db, first)
    again = report_store.NewReport("someone", "outlier", "onboarding", "", window, now, hours=4, paid=False)
    await report_store.upsert_report(app.db, again)
    row = await app.db.fetchone("SELECT created_at, updated_at, hours FROM reports")
    assert (row["created_at"], row["updated_at"], row["hours"]) == (now, now, 4)


async def test_clamping_future_reports_uses_an_index(app) -> None:
    plan = await app.db.fetchall("EXPLAIN QUERY PLAN " + report_store.CLAMP_FUTURE_SQL.format(marks="?, ?"),
                                 (1, 1, "drought", "tasks_back", 1))
    details = " | ".join(row["detail"] for row in plan)
    assert "USING INDEX" in details or "USING COVERING INDEX" in details, details


async def test_a_clock_stepped_back_does_not_stretch_the_rate_limit(app, clock, group) -> None:
    (carol,) = members(1)
    for n in range(REPORTS_PER_HOUR):
        assert not (await report(app, carol, group, "outlier", "project_ended", project=f"p{n}")).is_error
    assert (await report(app, carol, group, "outlier", "project_ended", project="one more")).is_error
    clock.jump(hours=-2)
    clock.advance(minutes=61)  # an hour passes for real
    again = await report(app, carol, group, "outlier", "project_ended", project="one more")
    assert not again.is_error, again.plain_text()


# -- the weekly digest -----------------------------------------------------------------------------------


async def ledger(app) -> list[tuple[str, str]]:
    return [tuple(r) for r in await app.db.fetchall("SELECT iso_week, outcome FROM digest_ledger ORDER BY iso_week")]


async def test_a_jump_forward_of_three_days_over_the_slot_posts_it_once(app, clock, moderator, group) -> None:
    clock.set(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))  # Sunday; the slot is Monday 09:00
    await schedule(app, moderator, group, MONDAY_0900)
    assert await app.scheduler.tick() == []  # the bot is running
    clock.jump(days=3)  # Wednesday 12:00: the slot passed 51 hours ago while the bot was up
    assert await app.scheduler.tick() == [COMMUNITY]
    assert await run_until(app, clock, datetime(2026, 11, 30, 8, 0, tzinfo=UTC), timedelta(hours=1)) == []
    assert await ledger(app) == [("2026-W48", "queued")]
    assert await run_until(app, clock, datetime(2026, 11, 30, 9, 1, tzinfo=UTC), timedelta(minutes=1)) == [
        datetime(2026, 11, 30, 9, 0, tzinfo=UTC)]


async def test_a_jump_forward_over_two_slots_posts_only_the_latest(app, clock, moderator, group) -> None:
    clock.set(datetime(2026, 11, 15, 12, 0, tzinfo=UTC))  # Sunday of ISO week 46
    await schedule(app, moderator, group, MONDAY_0900)
    assert await app.scheduler.tick() == []
    clock.jump(days=10)  # Wednesday of week 48: the slots of weeks 47 and 48 both went by
    assert await app.scheduler.tick() == [COMMUNITY]
    assert await app.scheduler.tick() == []
    assert await ledger(app) == [("2026-W47", "skipped"), ("2026-W48", "queued")]
    assert [row["key"] for row in await outbox_rows(app)] == [f"digest:{COMMUNITY}:2026-W48"]


async def test_a_short_jump_forward_over_the_slot_posts_it_once(app, clock, moderator, group) -> None:
    clock.set(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
    await schedule(app, moderator, group, MONDAY_0900)
    assert await app.scheduler.tick() == []
    clock.jump(hours=3)
    assert await app.scheduler.tick() == [COMMUNITY]
    assert await run_until(app, clock, datetime(2026, 11, 24, tzinfo=UTC), timedelta(minutes=5)) == []
    assert len(await outbox_rows(app)) == 1


async def test_a_jump_back_of_two_hours_after_the_post_does_not_repeat_it(app, clock, moderator, group) -> None:
    clock.set(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    await schedule(app, moderator, group, MONDAY_0900)
    assert await run_until(app, clock, datetime(2026, 11, 23, 9, 5, tzinfo=UTC), timedelta(minutes=1)) == [
        datetime(2026, 11, 23, 9, 0, tzinfo=UTC)]
    clock.jump(hours=-2)  # 07:05 again: 09:00 comes round a second time
    assert await run_until(app, clock, datetime(2026, 11, 23, 12, 0, tzinfo=UTC), timedelta(minutes=1)) == []
    assert len(await outbox_rows(app)) == 1


async def test_a_jump_back_over_a_posted_slot_does_not_repeat_it(app, clock, moderator, group) -> None:
    clock.set(datetime(2026, 11, 19, 12, 0, tzinfo=UTC))  # set up on Thursday of week 47
    await schedule(app, moderator, group, MONDAY_0900)
    assert await run_until(app, clock, datetime(2026, 11, 24, 10, 0, tzinfo=UTC), timedelta(minutes=30)) == [
        datetime(2026, 11, 23, 9, 0, tzinfo=UTC)]
    clock.jump(days=-2)  # Sunday 22 November 10:00, before the slot that was posted
    assert await run_until(app, clock, datetime(2026, 11, 24, 12, 0, tzinfo=UTC), timedelta(minutes=15)) == []
    assert len(await outbox_rows(app)) == 1
    assert await ledger(app) == [("2026-W48", "queued")]


async def test_a_schedule_saved_while_the_clock_was_ahead_still_posts_its_first_slot(app, clock, moderator,
                                                                                     group) -> None:
    clock.set(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))  # really Sunday noon ...
    clock.jump(days=2)  # ... but the clock says Tuesday
    await schedule(app, moderator, group, MONDAY_0900)
    clock.jump(days=-2)  # put right: the Monday slot is tomorrow, after the set-up
    assert await run_until(app, clock, datetime(2026, 11, 23, 9, 1, tzinfo=UTC), timedelta(minutes=10)) == [
        datetime(2026, 11, 23, 9, 0, tzinfo=UTC)]
    settings = await digest_store.get_settings(app.db, COMMUNITY)
    assert settings.updated_at <= unix(clock.now())  # the stored time was put right too
