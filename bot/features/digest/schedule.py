"""One digest scheduler for every platform: local time (DST included), once per ISO week across restarts and
clock jumps, a slot missed while the bot was down caught up within 24 hours and skipped (and logged) after."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.background import Every
from bot.core.clock import unix
from bot.core.delivery import Destination, Origin
from bot.core.i18n import use_locale
from bot.features.digest import build_digest, digest_reply
from bot.features.digest.settings import MANUAL, SCHEDULED
from bot.features.languages import community_locale
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
    its own origin kind, so that its failure never turns the schedule off, and the last manual post's
    failure is forgotten in the same transaction.
    """
    with use_locale(await community_locale(app, settings.community)):  # a public post: the community's language
        digest = await build_digest(app, settings.community, now, settings.timezone)
        reply = digest_reply(digest)
    destination = Destination(settings.platform, "channel", settings.channel_id)
    outbox = app.outbox
    async with app.db.transaction() as tx:
        if ledger_slot is not None and not await store.record_week(
            tx, settings.community, label, unix(ledger_slot), "queued", unix(now)
        ):
            return False
        queued = await outbox.enqueue(digest_key(settings.community, label), destination, reply,
                                      Origin(SCHEDULED if ledger_slot else MANUAL, settings.community), db=tx)
        if queued and ledger_slot is None:
            await store.clear_post_failure(tx, settings.community)
    if queued:
        app.metrics.digest_posts.labels(SCHEDULED if ledger_slot else MANUAL).inc()
    return queued


class Scheduler:
    """Decides, on each tick, which communities' weekly digests are due and queues them.

    Every tick works from the wall clock as it reads now, so a clock stepped forwards or back changes
    nothing by itself: the ledger of ISO weeks keeps a slot from being posted twice, and a slot the wall
    clock jumped over while the bot was running (between two ticks) is posted however late that makes it;
    the 24-hour catch-up limit is for a bot that was down over its slot.
    """

    def __init__(self, app: App) -> None:
        self.app = app
        self._last_tick: datetime | None = None  # the wall time of this process's previous tick

    async def tick(self) -> list[str]:
        """Queue every digest that is due now; returns the communities queued."""
        now = self.app.clock.now()
        previous, self._last_tick = self._last_tick, now
        queued = []
        for settings in await store.enabled_settings(self.app.db):
            try:
                if await self._check(settings, now, previous):
                    queued.append(settings.community)
            except Exception:
                log.exception("digest for %s failed; will try again on the next tick", settings.community)
        return queued

    async def _check(self, settings: store.DigestSettings, now: datetime, previous: datetime | None) -> bool:
        set_up = settings.updated_at
        if set_up > unix(now):  # saved while the clock ran ahead: seen from now, it was saved just now
            set_up = unix(now)
            await store.clamp_updated_at(self.app.db, settings.community, set_up)
        this_monday = _monday(now, ZoneInfo(settings.timezone))
        due = []
        for monday in (this_monday - timedelta(weeks=1), this_monday):  # last week's slot may still be catchable
            slot = slot_of_week(settings, monday)
            label = iso_week(monday + timedelta(days=settings.weekday))
            if slot <= now and slot.timestamp() >= set_up and not await store.week_recorded(
                self.app.db, settings.community, label
            ):
                due.append((slot, label))
        for index, (slot, label) in enumerate(due):
            jumped_over = previous is not None and previous < slot  # the bot was up when the slot came
            superseded = index < len(due) - 1  # a later week's slot is due too: post that one only
            if superseded or (now - slot > CATCH_UP and not jumped_over):
                await store.record_week(self.app.db, settings.community, label, unix(slot), "skipped", unix(now))
                log.warning("skipped the %s digest of %s: the slot (%s) passed %s", label, settings.community,
                            slot.isoformat(), "and a later one is due" if superseded else "more than 24 hours ago")
                continue
            return await queue_digest(self.app, settings, now, label, ledger_slot=slot)
        return False


def scheduler_service(app: App) -> Every:
    """The runner service: queues the digests that are due, about every 30 seconds."""
    return Every("scheduler", TICK_SECONDS, app.scheduler.tick)


def describe_schedule(settings: store.DigestSettings, now: datetime) -> str:
    """E.g. "every Monday at 09:00 Europe/London; next: Mon 23 Nov 09:00 GMT"."""
    upcoming = next_slot(settings, now).astimezone(ZoneInfo(settings.timezone))
    return (f"every {WEEKDAYS[settings.weekday].capitalize()} at {settings.local_time} {settings.timezone}; "
            f"next: {upcoming:%a %d %b %H:%M %Z}")
