"""Member and channel alerts: a drought ended, a project ending reported by two people, payment problems
rising. Each event is announced once, at most one alert per platform per member per six hours, via the outbox."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.background import Every
from bot.core.clock import unix
from bot.core.delivery import Destination, Origin
from bot.core.i18n import SOURCE, _, choose, use_locale
from bot.core.model import Button, Reply
from bot.core.plural import plural
from bot.features.availability.changes import drought_endings, starts_drought
from bot.features.availability.wording import state_label
from bot.features.digest.build import platform_name
from bot.features.moderation.not_here import NOT_SHOWN, NotShown, not_shown_everywhere
from bot.features.reports.kinds import PROBLEM_KINDS, PROJECT_KINDS
from bot.features.reports.projects import project_names
from storage import alert_channels, alert_events, community_languages, member_settings, status_events, subscriptions
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
    # The (title, text, unnamed) in the current locale: each recipient's alert is said in their language.
    words: Callable[[], tuple[str, str, tuple[str, str] | None]] | None = field(default=None, compare=False)

    def said(self, locale: str) -> AlertEvent:
        """The event with its title and text in `locale`."""
        if self.words is None:
            return self
        with use_locale(locale):
            title, text, unnamed = self.words()
        return replace(self, title=title, text=text, unnamed=unnamed)


class Alerts:
    """Finds new alert events and queues one message per interested member and alert channel."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def scan(self) -> int:
        """Look for new events and queue their alerts; returns how many messages were queued."""
        now = self.app.clock.now()
        with use_locale(SOURCE):  # the event's own words are English; each recipient's are made from `words`
            events = [*await self._status_events(now), *await self._project_events(now),
                      *await self._payment_events(now)]
        # A project stays reported ended for PROJECT_WINDOW: each scan finds it again (thousands of projects at 10M
        # reports), so the events announced before are left out in one read, not one write transaction each.
        seen = await alert_events.announced(self.app.db, [event.key for event in events]) if events else set()
        queued = 0
        for event in events:
            if event.key not in seen:
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
                words = _drought_ended_words(name, n)
                events.append(AlertEvent(
                    f"drought_ended:{row['id']}", "drought_ended", row["platform"], *words()[:2], row["at"],
                    words=words))
            elif starts_drought(row):
                words = _drought_started_words(name, n)
                events.append(AlertEvent(
                    f"drought_started:{row['id']}", "drought_started", row["platform"], *words()[:2], row["at"],
                    words=words))
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
            shown, reporters = names.of(row["platform"], row["project"]), row["reporters"]

            def words(name=name, shown=shown, reporters=reporters) -> tuple[str, str, tuple[str, str]]:
                return (*_project_ended(name, shown, reporters), _project_ended(name, None, reporters))

            events.append(AlertEvent(
                f"project_ended:{row['platform']}:{project}", "project_ended", row["platform"],
                *_project_ended(name, shown, reporters), row["last"],
                _project_ended(name, None, reporters), row["project"], words=words))
        return events

    async def _payment_events(self, now: datetime) -> list[AlertEvent]:
        end = unix(now)
        recent = await q.payment_problem_reporters(self.app.db, PROBLEM_KINDS, end - 86400, end)
        before = await q.payment_problem_reporters(self.app.db, PROBLEM_KINDS, end - 8 * 86400, end - 86400)
        events = []
        for platform_id, people in recent.items():
            if people >= MIN_PAYMENT_REPORTERS and people >= PAYMENT_RISE * before.get(platform_id, 0) / 7:
                name = platform_name(self.app, platform_id)
                words = _payment_words(name, people)
                events.append(AlertEvent(
                    f"payment_problems:{platform_id}:{now:%Y-%m-%d}", "payment_problems", platform_id,
                    *words()[:2], end, words=words))
        return events

    async def announce(self, event: AlertEvent, now: datetime) -> int:
        """Queue an event for its alert channels and subscribers, once; returns messages queued."""
        db = self.app.db
        outbox = self.app.outbox
        hidden = await not_shown_everywhere(self.app) if event.unnamed else {}
        replies: dict[tuple[str, bool, bool], Reply] = {}

        def reply_for(locale: str, unsubscribe: bool, unnamed: bool = False) -> Reply:
            """The alert in one language (built once per language and kind of recipient)."""
            key = (locale, unsubscribe, unnamed)
            if key not in replies:
                said = event.said(locale)
                if unnamed and said.unnamed:
                    said = replace(said, title=said.unnamed[0], text=said.unnamed[1])
                with use_locale(locale):
                    replies[key] = _reply(said, unsubscribe=unsubscribe)
            return replies[key]

        queued = 0
        async with db.transaction() as tx:
            if not await alert_events.claim_alert_event(tx, event.key, event.platform, event.kind, event.at):
                return 0
            for channel in await alert_channels.enabled_alert_channels(tx):
                # A channel alert is public: in the community's language.
                locale = choose(await community_languages.get(tx, channel.community))
                unnamed = bool(event.unnamed) and hidden.get(channel.community, NotShown()).hides(
                    event.platform, event.project)
                reply = reply_for(locale, unsubscribe=False, unnamed=unnamed)
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
                    # A direct message: in the member's own language.
                    locale = choose(await member_settings.language_of(tx, self.app.person_key(sub.platform,
                                                                                                 sub.user_id)))
                    queued += await outbox.enqueue(
                        f"alert:{sub.platform}:{sub.user_id}:{event.key}",
                        Destination(sub.platform, "user", sub.user_id), reply_for(locale, unsubscribe=True), origin,
                        topic=event.platform, db=tx)
            await alert_events.set_alert_recipients(tx, event.key, queued)
        log.info("alert %s on %s queued for %d recipients", event.kind, event.platform, queued)
        return queued


def _drought_ended_words(name: str, n: str) -> Callable[[], tuple[str, str, None]]:
    def words() -> tuple[str, str, None]:
        return (_("{name}: {state} again").format(name=name, state=state_label("flowing")),
                _("Status now: {state} ({n}). The drought is over: members report tasks on {name} again.").format(
                    state=state_label("flowing"), n=n, name=name), None)
    return words


def _drought_started_words(name: str, n: str) -> Callable[[], tuple[str, str, None]]:
    def words() -> tuple[str, str, None]:
        return (f"{name}: {state_label('drought')}",
                _("Status now: {state} ({n}): members report no tasks on {name}.").format(
                    state=state_label("drought"), n=n, name=name), None)
    return words


def _payment_words(name: str, people: int) -> Callable[[], tuple[str, str, None]]:
    def words() -> tuple[str, str, None]:
        return (_("{name}: payment problems rising").format(name=name),
                _("{members} reported late or missing pay from {name} in the last 24 hours.").format(
                    members=plural(people, "member", "members"), name=name), None)
    return words


def _project_ended(name: str, project: str | None, reporters: int) -> tuple[str, str]:
    """The title and text of a project-ended alert; project None: its name is not shown."""
    members = plural(reporters, "member", "members")
    if project is None:
        return (_("{name}: {project} reported ended").format(name=name, project=_(NOT_SHOWN)),
                _("{members} reported that {project} on {name} has ended.").format(
                    members=members, project=_(NOT_SHOWN), name=name))
    return (_("{name}: project “{project}” reported ended").format(name=name, project=project),
            _("{members} reported that the project “{project}” on {name} has ended.").format(
                members=members, project=project, name=name))


def _reply(event: AlertEvent, unsubscribe: bool) -> Reply:
    buttons = [Button(_("Live status"), "status", {"platform": event.platform}, style="primary")]
    if unsubscribe:
        buttons.append(Button(_("Stop these alerts"), "unsubscribe", {"platform": event.platform}))
        footer = _("You get this because you subscribed with /subscribe. /subscriptions lists your alerts.")
    else:
        buttons.append(Button(_("Alert me directly"), "subscribe", {"platform": event.platform}))
        footer = _("Status-change alerts for this channel; moderators switch them off with /alerts_here off.")
    return Reply(title=event.title, blocks=[event.text, _("Crowd reports, not an official announcement.")],
                 buttons=buttons, footer=footer)


def alert_scan_service(app: App) -> Every:
    """The runner service: looks for new alert events about every 30 seconds."""
    return Every("alerts", SCAN_SECONDS, app.alerts.scan)
