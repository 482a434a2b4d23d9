"""Member and channel alerts: which events, once each, six hours apart per platform per member."""

from __future__ import annotations

from datetime import timedelta

from bot.core.clock import unix
from bot.features.alerts.alerts import Alerts
from storage import alert_channels as alert_channels_store
from storage import subscriptions as subscriptions_store
from tests.support.digest_fakes import FakeSender, add_event, add_reports, manual_outbox, outbox_rows


async def follow(app, user: str, platform: str = "outlier", events=subscriptions_store.ALERT_KINDS) -> None:
    await subscriptions_store.subscribe(app.db, "telegram", user, platform, tuple(events), 0)


async def started(app) -> Alerts:
    alerts = app.alerts
    assert await alerts.scan() == 0  # first scan: old events are history
    return alerts


async def test_a_drought_ending_alerts_followers_once(app, clock) -> None:
    await add_event(app, "outlier", "flowing", "drought", clock.now() - timedelta(days=2))
    alerts = await started(app)
    await follow(app, "1")
    await follow(app, "2", events=("payment_problems",))  # does not want drought alerts
    await follow(app, "3", platform="appen")
    await add_event(app, "outlier", "drought", "flowing", clock.now())
    assert await alerts.scan() == 1
    assert await alerts.scan() == 0
    sender = FakeSender(clock)
    app.senders["telegram"] = sender
    await manual_outbox(app, clock).run_once()
    (dest, reply, _), = sender.delivered
    assert (dest.kind, dest.id) == ("user", "1")
    assert reply.title == "Outlier: tasks flowing again"
    assert [b.command for b in reply.buttons] == ["status", "unsubscribe"]


async def test_at_most_one_alert_per_platform_per_member_per_six_hours(app, clock) -> None:
    alerts = await started(app)
    await follow(app, "1")
    await add_event(app, "outlier", "drought", "flowing", clock.now())
    assert await alerts.scan() == 1
    clock.advance(hours=2)
    await add_event(app, "outlier", "flowing", "drought", clock.now())
    await add_event(app, "outlier", "drought", "mixed", clock.now())
    assert await alerts.scan() == 0
    clock.advance(hours=4, minutes=1)
    await add_event(app, "outlier", "mixed", "drought", clock.now())
    await add_event(app, "outlier", "drought", "flowing", clock.now())
    assert await alerts.scan() == 1


async def test_a_project_ending_needs_two_people(app, clock) -> None:
    alerts = await started(app)
    await follow(app, "1", platform="appen")
    at = unix(clock.now())
    await add_reports(app, [{"reporter": "a", "platform": "appen", "kind": "project_ended", "project": "Raven",
                             "at": at}])
    assert await alerts.scan() == 0
    await add_reports(app, [{"reporter": "b", "platform": "appen", "kind": "project_ended", "project": "Raven",
                             "at": at}])
    assert await alerts.scan() == 1
    await add_reports(app, [{"reporter": "c", "platform": "appen", "kind": "project_ended", "project": "Raven",
                             "at": at}])
    clock.advance(hours=7)
    assert await alerts.scan() == 0  # the same project is announced once
    (row,) = await outbox_rows(app)
    assert "Raven" in row["payload"]


async def test_a_scan_opens_no_transaction_for_events_announced_before(app, clock) -> None:
    """A project stays reported ended for a week and each scan finds it again: at 10M reports that was ~2,900 write
    transactions every 30 seconds, each finding its event claimed already."""
    alerts = await started(app)
    at = unix(clock.now())
    await add_reports(app, [{"reporter": r, "platform": "appen", "kind": "project_ended", "project": f"P{n}", "at": at}
                            for r in "ab" for n in range(20)])
    assert await alerts.scan() == 0  # no one follows: claimed, nothing queued
    transactions = 0
    opened = app.db.transaction

    def counted(*args, **kwargs):
        nonlocal transactions
        transactions += 1
        return opened(*args, **kwargs)

    app.db.transaction = counted
    clock.advance(minutes=1)
    assert await alerts.scan() == 0
    assert transactions == 0
    await add_reports(app, [{"reporter": r, "platform": "appen", "kind": "project_ended", "project": "New", "at": at}
                            for r in "ab"])
    transactions = 0
    assert await alerts.scan() == 0 and transactions == 1  # the new project alone is claimed


async def test_payment_problems_rising(app, clock) -> None:
    alerts = await started(app)
    await follow(app, "1", platform="toloka")
    at = unix(clock.now()) - 3600
    rows = [{"reporter": f"r{n}", "platform": "toloka", "kind": "payment_missing", "at": at} for n in range(2)]
    await add_reports(app, rows)
    assert await alerts.scan() == 0  # two people are not a rise yet
    await add_reports(app, [{"reporter": "r9", "platform": "toloka", "kind": "paid_late", "at": at}])
    assert await alerts.scan() == 1


async def test_alert_channels_get_status_changes_and_are_disabled_when_gone(app, clock, moderator, group) -> None:
    alerts = await started(app)
    await app.dispatcher.dispatch_line("/alerts_here on", moderator, group)
    await add_event(app, "outlier", "flowing", "drought", clock.now())
    assert await alerts.scan() == 1
    from bot.core.delivery import PermanentDeliveryError

    sender = FakeSender(clock, script=[PermanentDeliveryError("the bot was removed from the channel")])
    app.senders["console"] = sender
    await manual_outbox(app, clock).run_once()
    channel = await alert_channels_store.get_alert_channel(app.db, "console:local")
    assert not channel.enabled and channel.disabled_reason == "the bot was removed from the channel"
    preview = await app.dispatcher.dispatch_line("/digest_preview", moderator, group)
    assert "Status alerts to this community stopped: the bot was removed" in preview.plain_text()


async def test_stale_events_are_not_news(app, clock) -> None:
    alerts = await started(app)
    await follow(app, "1")
    await add_event(app, "outlier", "drought", "flowing", clock.now() - timedelta(days=2))
    assert await alerts.scan() == 0


async def test_forget_removes_subscriptions_and_pending_alerts(app, clock) -> None:
    alerts = await started(app)
    await follow(app, "1")
    await add_event(app, "outlier", "drought", "flowing", clock.now())
    await alerts.scan()
    assert await subscriptions_store.forget_member(app.db, "telegram", "1") == 2
    assert await outbox_rows(app) == []
