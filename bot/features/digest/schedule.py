"""One digest scheduler for every platform: local time (DST included), once per ISO week across restarts,
a missed slot caught up within 24 hours and skipped (and logged) after."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.background import Every
from bot.core.clock import unix
from bot.core.delivery import Destination, Origin
from bot.features.digest import build_digest, digest_reply
from bot.features.digest.settings import MANUAL, SCHEDULED
from storage import digests as store

if TYPE_CHECKING:
    from bot.wiring import App

log = logging.getLogger(__name__)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CATCH_UP = timedelta(hours=24)
TICK_SECONDS = 30.0


def iso_week(day: date) -> str:
    """The ISO week of a date, e.g. 2026-W47."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def slot_of_week(settings: store.DigestSettings, monday: date) -> datetime:
    """The UTC instant of the digest slot in the week starting on `monday` (local calendar)."""
    hour, minute = (int(part) for part in settings.local_time.split(":"))
    local = datetime.combine(monday + timedelta(days=settings.weekday), time(hour, minute),
                             tzinfo=ZoneInfo(settings.timezone))
    return local.astimezone(UTC)


def _monday(now: datetime, zone: ZoneInfo) -> date:
    today = now.astimezone(zone).date()
    return today - timedelta(days=today.weekday())


def next_slot(settings: store.DigestSettings, now: datetime) -> datetime:
    """The next slot strictly after `now` (UTC)."""
    monday = _monday(now, ZoneInfo(settings.timezone))
    for weeks in range(3):
        slot = slot_of_week(settings, monday + timedelta(weeks=weeks))
        if slot > now:
            return slot
    raise AssertionError("a weekly slot always exists within three weeks")


def digest_key(community: str, label: str) -> str:
    """The outbox idempotency key of a community's digest for a week (or a manual post's label)."""
    return f"digest:{community}:{label}"


async def queue_digest(app: App, settings: store.DigestSettings, now: datetime, label: str,
                       ledger_slot: datetime | None = None) -> bool:
    """Build the digest and queue it for the community's channel under `label`'s key.

    With `ledger_slot`, the ISO week is claimed in the ledger in the same transaction, so a scheduled
    digest is queued at most once per week, whatever happens to the process. Without, it is a manual post:
    its own origin kind, so that its failure never turns the schedule off.
    """
    digest = await build_digest(app, settings.community, now, settings.timezone)
    reply = digest_reply(digest)
    destination = Destination(settings.platform, "channel", settings.channel_id)
    outbox = app.outbox
    async with app.db.transaction() as tx:
        if ledger_slot is not None and not await store.record_week(
            tx, settings.community, label, unix(ledger_slot), "queued", unix(now)
        ):
            return False
        return await outbox.enqueue(digest_key(settings.community, label), destination, reply,
                                    Origin(SCHEDULED if ledger_slot else MANUAL, settings.community), db=tx)


class Scheduler:
    """Decides, on each tick, which communities' weekly digests are due and queues them."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def tick(self) -> list[str]:
        """Queue every digest that is due now; returns the communities queued."""
        now = self.app.clock.now()
        queued = []
        for settings in await store.enabled_settings(self.app.db):
            try:
                if await self._check(settings, now):
                    queued.append(settings.community)
            except Exception:
                log.exception("digest for %s failed; will try again on the next tick", settings.community)
        return queued

    async def _check(self, settings: store.DigestSettings, now: datetime) -> bool:
        this_monday = _monday(now, ZoneInfo(settings.timezone))
        queued = False
        for monday in (this_monday - timedelta(weeks=1), this_monday):  # last week's slot may still be catchable
            slot = slot_of_week(settings, monday)
            label = iso_week(monday + timedelta(days=settings.weekday))
            if slot > now or slot.timestamp() < settings.updated_at:
                continue
            if await store.week_recorded(self.app.db, settings.community, label):
                continue
            if now - slot > CATCH_UP:
                await store.record_week(self.app.db, settings.community, label, unix(slot), "skipped",
                                        unix(now))
                log.warning("skipped the %s digest of %s: the slot (%s) passed more than 24 hours ago",
                            label, settings.community, slot.isoformat())
                continue
            queued = await queue_digest(self.app, settings, now, label, ledger_slot=slot) or queued
        return queued


def scheduler_service(app: App) -> Every:
    """The runner service: queues the digests that are due, about every 30 seconds."""
    return Every("scheduler", TICK_SECONDS, app.scheduler.tick)


def describe_schedule(settings: store.DigestSettings, now: datetime) -> str:
    """E.g. "every Monday at 09:00 Europe/London; next: Mon 23 Nov 09:00 GMT"."""
    upcoming = next_slot(settings, now).astimezone(ZoneInfo(settings.timezone))
    return (f"every {WEEKDAYS[settings.weekday].capitalize()} at {settings.local_time} {settings.timezone}; "
            f"next: {upcoming:%a %d %b %H:%M %Z}")
