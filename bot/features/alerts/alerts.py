"""Member and channel alerts: a drought ended, a project ending reported by two people, payment problems
rising. Each event is announced once, at most one alert per platform per member per six hours, via the outbox."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.background import Every
from bot.core.clock import unix
from bot.core.delivery import Destination, Origin
from bot.core.model import Button, Reply
from bot.core.plural import plural
from bot.features.availability.changes import drought_endings, starts_drought
from bot.features.availability.wording import state_label
from bot.features.digest.build import platform_name
from bot.features.moderation.not_here import NOT_SHOWN, NotShown, not_shown_everywhere
from bot.features.reports.kinds import PROBLEM_KINDS, PROJECT_KINDS
from bot.features.reports.projects import project_names
from storage import alert_channels, alert_events, status_events, subscriptions
from storage import digest_queries as q
from storage import outbox as outbox_store

if TYPE_CHECKING:
    from bot.wiring import App

log = logging.getLogger(__name__)

SCAN_SECONDS = 30.0
WATERMARK = "alerts.last_status_event"
MEMBER_SPACING = timedelta(hours=6)
FRESH = timedelta(hours=24)  # older events are history, not news
PROJECT_WINDOW = timedelta(days=7)
MIN_PROJECT_REPORTERS = 2
MIN_PAYMENT_REPORTERS = 3  # late/missing pay reporters in 24 hours ...
PAYMENT_RISE = 2.0  # ... and at least twice the daily average of the week before


@dataclass(frozen=True)
class AlertEvent:
    """Something worth telling followers of a platform."""

    key: str
    kind: str  # drought_started (channels only), drought_ended, project_ended, payment_problems
    platform: str
    title: str
    text: str
    at: int
    # For a project event: the title and text as shown in a community that does not show the project's name.
    unnamed: tuple[str, str] | None = None
    project: str = ""


class Alerts:
    """Finds new alert events and queues one message per interested member and alert channel."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def scan(self) -> int:
        """Look for new events and queue their alerts; returns how many messages were queued."""
        now = self.app.clock.now()
        events = [*await self._status_events(now), *await self._project_events(now),
                  *await self._payment_events(now)]
        queued = 0
        for event in events:
            queued += await self.announce(event, now)
        return queued

    async def _status_events(self, now: datetime) -> list[AlertEvent]:
        db = self.app.db
        stored = await db.get_meta(WATERMARK)
        if stored is None:  # first start: what happened before is not news
            await db.set_meta(WATERMARK, str(await status_events.last_id(db)))
            return []
        rows = await status_events.after(db, int(stored), limit=1000)
        if rows:
            await db.set_meta(WATERMARK, str(rows[-1]["id"]))
        events = []
        endings = await drought_endings(db, rows)
        for row in rows:
            if row["project"] or now.timestamp() - row["at"] > FRESH.total_seconds():
                continue
            name = platform_name(self.app, row["platform"])
            n = f"n = {row['reporters']}"  # as /status shows it: distinct members behind the state
            if row["id"] in endings:
                events.append(AlertEvent(
                    f"drought_ended:{row['id']}", "drought_ended", row["platform"],
                    f"{name}: {state_label('flowing')} again",
                    f"Status now: {state_label('flowing')} ({n}). The drought is over: members report tasks on "
                    f"{name} again.", row["at"]))
            elif starts_drought(row):
                events.append(AlertEvent(
                    f"drought_started:{row['id']}", "drought_started", row["platform"],
                    f"{name}: {state_label('drought')}",
                    f"Status now: {state_label('drought')} ({n}): members report no tasks on {name}.", row["at"]))
        return events

    async def _project_events(self, now: datetime) -> list[AlertEvent]:
        rows = await q.project_reports(self.app.db, PROJECT_KINDS, unix(now - PROJECT_WINDOW), unix(now) + 1,
                                       MIN_PROJECT_REPORTERS)
        events = []
        ended = [row for row in rows if row["kind"] == "project_ended"]
        names = await project_names(self.app, [(row["platform"], row["project"]) for row in ended])
        for row in ended:
            name = platform_name(self.app, row["platform"])
            # Keys end up in logs and outbox keys, so they name the project by a digest, never its text.
            project = hashlib.sha256(row["project"].encode()).hexdigest()[:16]
            events.append(AlertEvent(
                f"project_ended:{row['platform']}:{project}", "project_ended", row["platform"],
                *_project_ended(name, names.of(row["platform"], row["project"]), row["reporters"]), row["last"],
                _project_ended(name, None, row["reporters"]), row["project"]))
        return events

    async def _payment_events(self, now: datetime) -> list[AlertEvent]:
        end = unix(now)
        recent = await q.payment_problem_reporters(self.app.db, PROBLEM_KINDS, end - 86400, end)
        before = await q.payment_problem_reporters(self.app.db, PROBLEM_KINDS, end - 8 * 86400, end - 86400)
        events = []
        for platform_id, people in recent.items():
            if people >= MIN_PAYMENT_REPORTERS and people >= PAYMENT_RISE * before.get(platform_id, 0) / 7:
                name = platform_name(self.app, platform_id)
                events.append(AlertEvent(
                    f"payment_problems:{platform_id}:{now:%Y-%m-%d}", "payment_problems", platform_id,
                    f"{name}: payment problems rising",
                    f"{plural(people, 'member', 'members')} reported late or missing pay from {name} in the last 24 "
                    "hours.", end))
        return events

    async def announce(self, event: AlertEvent, now: datetime) -> int:
        """Queue an event for its alert channels and subscribers, once; returns messages queued."""
        db = self.app.db
        outbox = self.app.outbox
        channel_reply = _reply(event, unsubscribe=False)
        member_reply = _reply(event, unsubscribe=True)
        hidden = await not_shown_everywhere(self.app) if event.unnamed else {}
        queued = 0
        async with db.transaction() as tx:
            if not await alert_events.claim_alert_event(tx, event.key, event.platform, event.kind, event.at):
                return 0
            for channel in await alert_channels.enabled_alert_channels(tx):
                reply = channel_reply
                if event.unnamed and hidden.get(channel.community, NotShown()).hides(event.platform, event.project):
                    reply = _reply(replace(event, title=event.unnamed[0], text=event.unnamed[1]), unsubscribe=False)
                queued += await outbox.enqueue(
                    f"alert:{channel.community}:{event.key}", Destination(channel.platform, "channel",
                                                                          channel.channel_id),
                    reply, Origin("alerts", channel.community), topic=event.platform, db=tx)
            if event.kind != "drought_started":
                recent = await outbox_store.recent_refs(tx, event.platform,
                                                        (now - MEMBER_SPACING).timestamp(), "sub")
                for sub in await subscriptions.subscribers(tx, event.platform, event.kind):
                    origin = Origin("sub", f"{sub.platform}:{sub.user_id}")
                    if origin.ref in recent:
                        continue  # at most one alert per platform per member per six hours
                    queued += await outbox.enqueue(
                        f"alert:{sub.platform}:{sub.user_id}:{event.key}",
                        Destination(sub.platform, "user", sub.user_id), member_reply, origin,
                        topic=event.platform, db=tx)
            await alert_events.set_alert_recipients(tx, event.key, queued)
        log.info("alert %s on %s queued for %d recipients", event.kind, event.platform, queued)
        return queued


def _project_ended(name: str, project: str | None, reporters: int) -> tuple[str, str]:
    """The title and text of a project-ended alert; project None: its name is not shown."""
    title, text = (f"project “{project}”", f"the project “{project}”") if project is not None else (NOT_SHOWN,) * 2
    return (f"{name}: {title} reported ended",
            f"{plural(reporters, 'member', 'members')} reported that {text} on {name} has ended.")


def _reply(event: AlertEvent, unsubscribe: bool) -> Reply:
    buttons = [Button("Live status", "status", {"platform": event.platform}, style="primary")]
    if unsubscribe:
        buttons.append(Button("Stop these alerts", "unsubscribe", {"platform": event.platform}))
        footer = "You get this because you subscribed with /subscribe. /subscriptions lists your alerts."
    else:
        buttons.append(Button("Alert me directly", "subscribe", {"platform": event.platform}))
        footer = "Status-change alerts for this channel; moderators switch them off with /alerts_here off."
    return Reply(title=event.title, blocks=[event.text, "Crowd reports, not an official announcement."],
                 buttons=buttons, footer=footer)


def alert_scan_service(app: App) -> Every:
    """The runner service: looks for new alert events about every 30 seconds."""
    return Every("alerts", SCAN_SECONDS, app.alerts.scan)
