"""Availability status: the rules that turn drought / tasks-back reports into a state. All rules live here.

How a state is decided, per platform (project '') and per project:
1. Each reporter counts once: their latest drought or tasks_back report within LOOKBACK is their opinion.
2. An opinion weighs decay(age) * trust(reporter): it halves every HALF_LIFE, and trust comes from
   moderation (bot.features.availability.trust.trust_weights: less for new or often-wrong reporters, 0 for barred ones).
   Before weighing, the brigading guard (bot.features.availability.brigading) sets aside a burst of newcomers' reports:
   they are counted in Status.unconfirmed and cannot change the state on their own.
3. share = weighted drought / (weighted drought + weighted tasks_back).
4. drought   if share >= DROUGHT_SHARE, at least `needed` distinct members report a drought, where `needed`
             is MIN_REPORTERS or more than BASELINE_FACTOR times the platform's usual number of drought
             reporters at this hour of the week, whichever is higher, and that evidence has stood for
             MIN_DURATION (counted from when the `needed`-th member first reported).
   flowing   if share <= FLOWING_SHARE and at least MIN_FLOWING_REPORTERS members say tasks are back.
   mixed     if members disagree (both opinions present) and at least MIN_REPORTERS have reported.
   none      otherwise: no recent reports, or too few to say.
5. confidence = how one-sided the opinions are (for mixed: how split) times how much evidence there is
   (weighted reporters / CONFIDENT_WEIGHT, at most 1).
A state change is stored as a status_events row (alerts and digests read them) and in availability_state, timed
when the state began (a drought: when its evidence began). The states in words: bot.features.availability.wording.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.background import Every
from bot.core.clock import unix
from bot.features.availability.book import OpinionBook, Tally, read_by_platform
from bot.features.reports.kinds import AVAILABILITY_KINDS, HOUR, PROJECT_KINDS
from storage import reports as store
from storage import versions as versions_store
from storage.database import Row

if TYPE_CHECKING:
    from bot.wiring import App

log = logging.getLogger(__name__)

MINUTE = 60
WEEK = 7 * 24 * HOUR

LOOKBACK = 6 * HOUR  # reports older than this say nothing about now (a drought report is refreshed by "me too")
HALF_LIFE = 90 * MINUTE  # an opinion's weight halves every 90 minutes, so fresh reports outweigh old ones
DROUGHT_SHARE = 0.65  # at least 65% of the weighted opinions must say "drought"
FLOWING_SHARE = 0.35  # at most 35% saying "drought" (so 65% or more "tasks back") is "tasks flowing"
MIN_REPORTERS = 3  # distinct members before "drought likely" (one person, or two friends, are not a drought)
MIN_FLOWING_REPORTERS = 2  # distinct members saying tasks are back before "tasks flowing"
MIN_DURATION = 30 * MINUTE  # drought evidence must stand this long: a short lull is not a drought
STATES_SECONDS = 60.0  # how long a process trusts its copy of the stored states (others may have changed them)
BASELINE_WEEKS = 8  # the usual level: the same hours of the week over the previous 8 weeks
BASELINE_FACTOR = 2.0  # a drought needs more than twice the usual number of drought reporters
BASELINE_CACHE_SECONDS = HOUR  # the usual level changes slowly: compute it once per hour of the week
CONFIDENT_WEIGHT = 8.0  # eight fresh, fully trusted reporters give full confidence in the evidence
PROJECT_CHANGES_SPAN = 14 * 24 * HOUR  # /status lists projects paused or ended in the last 14 days
PROJECT_CHANGES_SLACK = MINUTE  # that list is exact to the minute: a report aging out of the 14 days shows within it
# The data versions a status read moments ago serve its project list too (one round trip less per /status); what
# changed in between is no newer than what a read made then would have missed.
VERSIONS_REUSE_SECONDS = 0.1
PROJECT_CHANGES_EACH_UP_TO = 10  # more stale platforms than this are read again in one query over every platform

STATES = ("drought", "mixed", "none", "flowing")  # worst first; their words are in availability/wording.py


def decay(age_seconds: float) -> float:
    """The weight of an opinion of this age: 1 when fresh, halving every HALF_LIFE."""
    return 0.5 ** (max(0.0, age_seconds) / HALF_LIFE)


@dataclass
class Status:
    """The availability of one platform (project '') or one project."""

    platform: str
    project: str
    state: str
    n: int  # distinct reporters behind it (within LOOKBACK)
    drought_n: int
    flowing_n: int
    confidence: float
    last_at: int | None  # the latest availability report
    needed: int = MIN_REPORTERS  # drought reporters needed, given the baseline
    baseline: float = 0.0  # usual drought reporters at this time of the week
    pending_until: int | None = None  # when drought evidence will have stood MIN_DURATION
    began: int | None = None  # a drought: when its evidence began (the `needed`-th member's first report)
    since: int | None = None  # when the current state began (from availability_state)
    unconfirmed: int = 0  # reporters set aside by the brigading guard (shown, never counted)

    @property
    def rank(self) -> int:
        """Sort key: worst first."""
        return STATES.index(self.state)


def decide(tally: Tally, platform: str, project: str, now: int, baseline: float) -> Status:
    """Apply the rules to one platform's or project's tallied opinions (their drought_firsts sorted)."""
    drought_n = len(tally.drought_firsts)
    n = drought_n + tally.flowing_n
    weight = tally.drought + tally.flowing
    needed = max(MIN_REPORTERS, math.floor(BASELINE_FACTOR * baseline) + 1)
    status = Status(platform, project, "none", n, drought_n, tally.flowing_n, 0.0, tally.last_at or None,
                    needed, baseline)
    if n == 0 or weight <= 0:
        return status
    share = tally.drought / weight
    evidence = min(1.0, weight / CONFIDENT_WEIGHT)
    one_sided = abs(share - 0.5) * 2
    if share >= DROUGHT_SHARE and drought_n >= needed:
        threshold_at = max(tally.drought_firsts[needed - 1], now - LOOKBACK)  # evidence before the lookback: its edge
        if now - threshold_at >= MIN_DURATION:
            status.state, status.confidence, status.began = "drought", one_sided * evidence, threshold_at
            return status
        status.pending_until = threshold_at + MIN_DURATION
    if share <= FLOWING_SHARE and tally.flowing_n >= MIN_FLOWING_REPORTERS:
        status.state, status.confidence = "flowing", one_sided * evidence
    elif drought_n and tally.flowing_n and n >= MIN_REPORTERS:
        status.state, status.confidence = "mixed", (1 - one_sided) * evidence
    return status


def baseline_slots(now: int) -> list[tuple[int, int]]:
    """The LOOKBACK-long windows ending at the same hour of the week in each of the previous BASELINE_WEEKS."""
    end = now - now % HOUR
    return [(end - k * WEEK - LOOKBACK, end - k * WEEK) for k in range(1, BASELINE_WEEKS + 1)]


class Availability:
    """Computes statuses, caches the hour-of-week baselines, and records state changes (one per app)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._baselines: dict[str, float] = {}
        self._baseline_hour: int | None = None
        self._baseline_all = False
        self._current: dict[str, dict[str, tuple[str, int]]] = {}  # platform -> project -> (state, since), as read
        self._current_until = 0.0  # when the copy is read again (monotonic seconds)
        self.book = OpinionBook(app, LOOKBACK, HALF_LIFE)
        self._project_changes: dict[str, tuple[int | None, int, list[Row]]] = {}  # platform -> (version, since, rows)

    async def baselines(self, platform: str | None, now: int) -> dict[str, float]:
        """Usual drought reporters at this hour of the week, per platform (cached for the hour)."""
        hour = now // BASELINE_CACHE_SECONDS
        if hour != self._baseline_hour:
            self._baselines, self._baseline_hour, self._baseline_all = {}, hour, False
        if not self._baseline_all and (platform is None or platform not in self._baselines):
            rows = await store.drought_reporters_in_slots(self.app.db, platform, baseline_slots(now))
            found = {row["platform"]: row["reporters"] / BASELINE_WEEKS for row in rows}
            if platform is None:
                self._baselines, self._baseline_all = found, True
            else:
                self._baselines[platform] = found.get(platform, 0.0)
        return self._baselines

    async def last_report_at(self, platform: str) -> int | None:
        """When anyone last reported an empty queue or tasks back on a platform as a whole (unix seconds), or None:
        the reports its status is made of."""
        return await store.last_report_at(self.app.db, platform, AVAILABILITY_KINDS)

    async def project_changes(self, platform: str, since: int) -> list[Row]:
        """Projects reported paused or ended since `since`, with reporter counts: read again when the platform's
        project reports changed (in any process), or when the window has moved on by PROJECT_CHANGES_SLACK."""
        versions = self.book.recent_versions(platform, VERSIONS_REUSE_SECONDS) or await versions_store.current(
            self.app.db, unix(self.app.clock.now()), platform)
        version = versions.projects.get(platform)
        cached = self._cached_changes(platform, version, since)
        if cached is not None:
            return cached
        rows = await store.project_changes(self.app.db, PROJECT_KINDS, platform, since)
        self._project_changes[platform] = (version, since, rows)
        return rows

    async def warm_project_changes(self, now: datetime) -> int:
        """Read again, in one query, the project changes of every platform whose cached ones are stale (so the first
        /status of a platform after a start, or after its project reports changed, finds them); returns how many."""
        at = unix(now)
        since = at - PROJECT_CHANGES_SPAN
        versions = (await versions_store.current(self.app.db, at)).projects
        stale = {p: version for p, version in versions.items() if self._cached_changes(p, version, since) is None}
        found = await read_by_platform(
            stale, lambda p: store.project_changes(self.app.db, PROJECT_KINDS, p, since), PROJECT_CHANGES_EACH_UP_TO)
        for platform, rows in found.items():
            self._project_changes[platform] = (stale[platform], since, rows)
        return len(found)

    def _cached_changes(self, platform: str, version: int | None, since: int) -> list[Row] | None:
        """The cached project changes of a platform while still good for this version and window, else None."""
        cached = self._project_changes.get(platform)
        if cached is not None and cached[0] == version and cached[1] <= since < cached[1] + PROJECT_CHANGES_SLACK:
            return cached[2]
        return None

    async def statuses(self, now: datetime, platform: str | None = None, projects: bool = True) -> list[Status]:
        """Current statuses (platform-wide, and per project unless `projects` is False) of one platform, or of all
        with recent reports. Without projects, only the platform-wide states are checked for changes (the
        availability service checks every project each minute)."""
        at = unix(now)
        tallies, unconfirmed = await self.book.tallies(at, platform, projects)
        baselines = await self.baselines(platform, at)
        for key in [*unconfirmed, *([(platform, "")] if platform is not None else [])]:
            tallies.setdefault(key, Tally())
        found = [
            decide(tally, p, project, at, baselines.get(p, 0.0) if project == "" else 0.0)
            for (p, project), tally in tallies.items()
        ]
        for status in found:
            status.unconfirmed = unconfirmed.get((status.platform, status.project), 0)
        await self._record_changes(found, platform, projects, at)
        return found

    async def _record_changes(self, found: list[Status], platform: str | None, projects: bool, at: int) -> None:
        """Store every state change as an event, including statuses that went quiet (back to none).

        Each process keeps a copy of the stored states, read again every STATES_SECONDS; a change another process
        stored first is not stored twice (the store refuses it), and the copy is read again at once."""
        if self.app.clock.monotonic() >= self._current_until:
            await self._load_states()
        current = self._current
        seen = {(s.platform, s.project) for s in found}
        quiet = [
            Status(p, project, "none", 0, 0, 0, 0.0, None)
            for p in ([platform] if platform is not None else list(current))
            for project, (state, _since) in current.get(p, {}).items()
            if state != "none" and (p, project) not in seen and (projects or project == "")
        ]
        statuses = [*found, *quiet]
        changes = [change for status in statuses if (change := self._change(status, at)) is not None]
        if changes:
            stored = await store.save_changes(self.app.db, changes)
            if len(stored) < len(changes):
                await self._load_states()  # another process stored some first: take its states and times
            else:
                for p, project, _old, new, when, _n, _c in stored:
                    current.setdefault(p, {})[project] = (new, when)
        for status in statuses:
            status.since = self._stored(status.platform, status.project)[1]

    async def _load_states(self) -> None:
        self._current = {}
        for r in await store.load_states(self.app.db):
            self._current.setdefault(r["platform"], {})[r["project"]] = (r["state"], r["since"])
        self._current_until = self.app.clock.monotonic() + STATES_SECONDS

    def _stored(self, platform: str, project: str) -> tuple[str, int | None]:
        """A platform's or project's state and since, as last read (none when it has none)."""
        return self._current.get(platform, {}).get(project, ("none", None))

    def _change(self, status: Status, at: int) -> store.StateChange | None:
        """The stored change a computed status makes, or None when its state is the one stored."""
        old_state, since = self._stored(status.platform, status.project)
        if status.state == old_state:
            return None
        # A drought began when its evidence did (it must hold MIN_DURATION before it is called), but never before
        # the state it replaces: so a state's time is when it began, and they stay in order.
        since = at if status.began is None else min(at, max(status.began, since or 0))
        return (status.platform, status.project, old_state, status.state, since, status.n, round(status.confidence, 3))

    async def refresh_all(self) -> int:
        """Re-evaluate every platform with recent reports (run periodically); returns how many statuses.

        First, times stamped later than now (the clock ran ahead and was put right) are brought back to now,
        so such reports age from now instead of counting as fresh until the wall clock catches up. Trust is settled
        by a service of its own (trust.trust_service), so the first refresh after a start waits for no settle.
        """
        now = self.app.clock.now()
        await self.app.reports.clamp_future(now)
        return len(await self.statuses(now))

    async def tick(self) -> None:
        """The availability service's round: refresh every status, then keep the project changes warm."""
        await self.refresh_all()
        await self.warm_project_changes(self.app.clock.now())


def worst_first(statuses: list[Status]) -> list[Status]:
    """Platform-wide statuses with recent reports, worst state first, then by more reporters."""
    shown = [s for s in statuses if s.project == "" and (s.n > 0 or s.unconfirmed)]
    return sorted(shown, key=lambda s: (s.rank, -s.n, s.platform))


REFRESH_SECONDS = 60.0  # state changes are noticed (and stored as events for alerts) within a minute


def availability_service(app: App) -> Every:
    """The runner service: re-evaluates every platform with recent reports about once a minute.

    So a drought that becomes "likely" (or fades) is stored as an event even when no one asks /status,
    and the baselines and caches are warm when someone does.
    """
    return Every("availability", REFRESH_SECONDS, app.availability.tick)
