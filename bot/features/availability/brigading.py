"""The brigading guard: a burst of reports from newcomers on one platform is unconfirmed.

The rule, in plain words: a reporter is *new* while their first report to the bot, or their first
report in the community where they are reporting now, is less than NEW_FOR old. When BURST_SIZE or
more different new reporters report on the same platform within BURST_WINDOW of each other, those new
reporters' reports in that stretch are *unconfirmed*: they are shown ("unconfirmed reports") but cannot
change the status on their own. Established reporters' reports are never unconfirmed, and a few
newcomers reporting at their own pace (fewer than BURST_SIZE per window) count as usual, with the low
weight trust gives newcomers.

A reporter's first report is the first they ever made: retracting it (or a moderator hiding it) does not
make them new again. Newness measures how long someone has been around, and the report was made; a
retraction that reset it would let an established member turn into a "newcomer" by tidying up. Only /forget
removes the times, with everything else about the person.

During the bot's first LAUNCH_GRACE (counted from its first stored report) nobody is new: at launch
everyone is a newcomer, and a guard that blocked every burst would leave the status empty for a week.

The availability code passes its per-reporter opinions through `split_opinions` and computes the state
from the confirmed ones; `split_confirmed` is the pure rule underneath.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from bot.core.clock import unix
from bot.core.expiring import ExpiringCache
from bot.core.feature import Person
from bot.core.i18n import N_
from bot.features.reports.kinds import AVAILABILITY_KINDS
from storage import first_seen as first_seen_store
from storage import reports as store

if TYPE_CHECKING:
    from bot.wiring import App

NEW_FOR = 7 * 86400  # new to the bot or to a community for a week: one full weekly cycle of queues and payouts
BURST_WINDOW = 2 * 3600  # reports within 2 hours of each other belong to one burst
BURST_SIZE = 5  # 5 or more different newcomers in one window make a burst (the VRCPulse alert line is 5/hour)
LAUNCH_GRACE = NEW_FOR  # the bot's own first week: no one is new yet
CACHE_SECONDS = 300  # first-report times are reused for 5 minutes (monotonic clock)
PLATFORM, PROJECT, REPORTER, LAST_AT = 0, 1, 2, 4  # the fields of an opinion (split_opinions) that the guard reads
JOINERS_HEADROOM = 86400  # a read of the recent joiners reaches a day further back than asked, to serve later reads
CLOCK_SKEW = 60  # opinions stamped this close to (or after) that read are looked up afresh: it may not hold them
# Reporters whose first-report times `FirstSeen.of` keeps in memory at most (~400 bytes each): the guard's splits of
# report rows (moderators' lists) use it; the status reads the joiners instead (`FirstSeen.joiners`).
FIRST_SEEN_CACHE_SIZE = 100_000

DATA_KEPT = ((
    N_("First reports"),
    N_("when you first reported to the bot and in each community, under your keyed hash, so a burst of brand-new "
       "accounts can be told from regulars; a retracted report still counts as having been made; /forget removes it"),
),)


@dataclass(frozen=True)
class Arrival:
    """One report as the guard sees it: who, when, and whether the reporter is new."""

    ref: Any  # whatever the caller identifies the report by (an id, a row)
    reporter: str
    at: int
    new: bool


def is_new(first_seen: int | None, first_seen_here: int | None, at: int) -> bool:
    """True when the reporter's first report, anywhere or in this community, is less than NEW_FOR before `at`."""
    firsts = [t for t in (first_seen, first_seen_here) if t is not None]
    if not firsts:
        return True
    return at - max(firsts) < NEW_FOR


def burst_holds(arrivals: Iterable[Arrival]) -> dict[int, int]:
    """The arrivals inside a burst, by id(arrival), each with the time of the latest burst's first report holding it
    (see `hold_times`)."""
    newcomers = sorted((a for a in arrivals if a.new), key=lambda a: a.at)
    holds = hold_times([(a.at, a.reporter) for a in newcomers])
    return {id(a): hold for a, hold in zip(newcomers, holds, strict=True) if hold is not None}


def hold_times(newcomers: Sequence[tuple[int, str]]) -> list[int | None]:
    """For newcomers' reports (time, reporter) in time order: each one's hold, the time of the latest burst's first
    report holding it, or None outside every burst.

    One pass (O(n)): a window [start, end) slides along, holding every newcomer within BURST_WINDOW of the one at
    `start`, with a count of reports per reporter in it; a window with BURST_SIZE or more reporters is a burst, and
    a newcomer is in one when the latest burst to start at or before them started within BURST_WINDOW. A burst is
    made of reports at or after its first, so taking older reports away (as they age out of the status's reach)
    leaves it as it was: an arrival stays unconfirmed for as long as the report its hold time names is kept.
    """
    holds: list[int | None] = []
    in_window: dict[str, int] = {}  # reports per reporter in newcomers[start:end]
    end, count = 0, len(newcomers)
    latest: int | None = None  # when the latest burst so far started
    for at, reporter in newcomers:
        while end < count and newcomers[end][0] - at <= BURST_WINDOW:
            joining = newcomers[end][1]
            in_window[joining] = in_window.get(joining, 0) + 1
            end += 1
        if len(in_window) >= BURST_SIZE:
            latest = at
        holds.append(latest if latest is not None and at - latest <= BURST_WINDOW else None)
        left = in_window[reporter] - 1
        if left:
            in_window[reporter] = left
        else:
            del in_window[reporter]
    return holds


def judge(arrivals: Iterable[Arrival]) -> tuple[list[Arrival], list[tuple[Arrival, int]]]:
    """(confirmed, unconfirmed with their hold times) for one platform, in time order."""
    ordered = sorted(arrivals, key=lambda a: a.at)
    holds = burst_holds(ordered)
    confirmed: list[Arrival] = []
    unconfirmed: list[tuple[Arrival, int]] = []
    for arrival in ordered:
        hold = holds.get(id(arrival))
        if hold is None:
            confirmed.append(arrival)
        else:
            unconfirmed.append((arrival, hold))
    return confirmed, unconfirmed


def split_confirmed(arrivals: Iterable[Arrival]) -> tuple[list[Arrival], list[Arrival]]:
    """(confirmed, unconfirmed) for one platform, in time order: newcomers' reports inside a burst are unconfirmed."""
    confirmed, unconfirmed = judge(arrivals)
    return confirmed, [a for a, _hold in unconfirmed]


@dataclass
class _Joiners:
    """The reporters who joined since `since` (see FirstSeen.joiners), brought up to date at `read` (monotonic) and
    `at` (wall clock): reporter -> (first report ever, latest first report in a community)."""

    since: int
    read: float
    at: int
    found: dict[str, tuple[int, int]]


class FirstSeen:
    """When each reporter first reported, overall and per community, cached for CACHE_SECONDS (one per app).

    The times come from the reporter_first_seen table (one row per reporter and community, kept by the
    database as reports are written), so a lookup costs the same however long a reporter's history is. The
    cache holds at most FIRST_SEEN_CACHE_SIZE reporters (the least recently used go first) and expires on the
    monotonic clock, so neither new members nor a wall clock stepped back can keep entries in it for ever.
    """

    def __init__(self, app: App) -> None:
        self.app = app
        self._firsts: ExpiringCache[str, dict[str | None, int]] = ExpiringCache(
            FIRST_SEEN_CACHE_SIZE, CACHE_SECONDS, app.clock.monotonic)
        self._launched: int | None = None
        self._joiners: _Joiners | None = None

    async def launched(self) -> int | None:
        """When the bot's first stored report was made (None: no reports yet)."""
        now = unix(self.app.clock.now())
        if self._launched is None or now - self._launched < LAUNCH_GRACE:
            self._launched = await store.first_report_at(self.app.db)
        return self._launched

    async def of(self, reporters: Sequence[str]) -> dict[str, dict[str | None, int]]:
        """Per reporter: community key (None: private) -> time of their first report there."""
        found: dict[str, dict[str | None, int]] = {}
        missing: list[str] = []
        moment = self._firsts.timer()
        for reporter in dict.fromkeys(reporters):
            cached = self._firsts.get(reporter, moment)
            if cached is None:
                missing.append(reporter)
            else:
                found[reporter] = cached
        if missing:
            fetched: dict[str, dict[str | None, int]] = {r: {} for r in missing}
            fetched.update(await self.fresh(missing))
            for reporter, firsts in fetched.items():
                self._firsts[reporter] = firsts
            found.update(fetched)  # from here, not the cache: a request larger than the cache evicts its own
        return found

    async def joiners(self, since: int) -> tuple[dict[str, tuple[int, int]], int]:
        """Every reporter who first reported somewhere (to the bot or in a community) since `since`, with their first
        report ever and their latest first report in a community, as brought up to date at most CACHE_SECONDS ago;
        and the wall time of that update, after which a report (a new reporter, or someone's first in a community)
        may be missing from it.

        Read whole once (and when asked for an earlier `since`, or the wall clock stepped back); after that only the
        reporters who wrote a report since the last update are read again, and those who fell out of the range are
        dropped. At 10M reports the whole read was ~26k reporters, 350 ms and a ~20 MiB peak every 5 minutes.
        """
        moment, at = self.app.clock.monotonic(), unix(self.app.clock.now())  # `at` before the read: all before it
        low = since - JOINERS_HEADROOM
        kept = self._joiners
        if kept is None or since < kept.since or at < kept.at:
            rows = await first_seen_store.joined_since(self.app.db, low)
            self._joiners = kept = _Joiners(low, moment, at, {row[0]: (int(row[1]), int(row[2])) for row in rows})
        elif moment - kept.read >= CACHE_SECONDS:
            rows = await first_seen_store.joined_by_reports_since(self.app.db, kept.at - CLOCK_SKEW)
            found = kept.found
            for reporter, first_ever, latest_first in rows:
                if latest_first >= kept.since:
                    found[reporter] = (int(first_ever), int(latest_first))
                else:
                    found.pop(reporter, None)
            if low > kept.since:  # the range moved on: whoever joined before it is not a joiner any more
                for reporter in [r for r, (_first, latest) in found.items() if latest < low]:
                    del found[reporter]
                kept.since = low
            kept.read, kept.at = moment, at
        return kept.found, kept.at

    async def fresh(self, reporters: Sequence[str]) -> dict[str, dict[str | None, int]]:
        """These reporters' first-report times as stored now (no cache)."""
        found: dict[str, dict[str | None, int]] = {}
        for row in await first_seen_store.firsts(self.app.db, reporters):
            found.setdefault(row["reporter"], {})[row["community"]] = int(row["first_at"])
        return found

    def forget(self, reporter: str) -> None:
        """Drop one reporter's cached times (after /forget)."""
        self._firsts.pop(reporter, None)
        if self._joiners is not None:
            self._joiners.found.pop(reporter, None)


async def split_by_platform(
    app: App, items: Sequence[tuple[Any, str, str, str | None, int]],
    firsts: dict[str, dict[str | None, int]] | None = None,
) -> tuple[list[Any], list[tuple[Any, int]]]:
    """For (ref, platform, reporter, community, time) items: (the confirmed refs, the unconfirmed refs with their hold
    times: see hold_times), platform by platform (in order of first appearance), each in time order. Who is new is
    judged from their first reports (`firsts`: already looked up for these reporters) as `is_new` does.

    One lookup of first reports for all items, then one pass grouping them by platform, so the cost grows with the
    number of items, not items times platforms. A hot loop (every status read of a platform with newcomers): plain
    tuples, no call per item.
    """
    seen = app.first_seen
    launched = await seen.launched()
    if firsts is None:
        firsts = await seen.of([reporter for _ref, _platform, reporter, _community, _at in items])
    grace_end = None if launched is None else launched + LAUNCH_GRACE  # before it, nobody is new
    first_ever = {reporter: min(times.values()) for reporter, times in firsts.items() if times}
    per_platform: dict[str, list[tuple[int, bool, str, Any]]] = {}
    for ref, platform, reporter, community, at in items:
        if grace_end is None or at < grace_end:
            new = False
        elif (latest := first_ever.get(reporter)) is None:
            new = True  # no first report on record: new everywhere
        else:
            here = None if community is None else firsts[reporter].get(community)
            new = at - (latest if here is None or here < latest else here) < NEW_FOR
        group = per_platform.get(platform)
        if group is None:
            group = per_platform[platform] = []
        group.append((at, new, reporter, ref))
    confirmed: list[Any] = []
    unconfirmed: list[tuple[Any, int]] = []
    for group in per_platform.values():
        group.sort(key=itemgetter(0))  # by time (stable: ties keep their order)
        holds = iter(hold_times([(at, reporter) for at, new, reporter, _ref in group if new]))
        for _at, new, _reporter, ref in group:
            hold = next(holds) if new else None
            if hold is None:
                confirmed.append(ref)
            else:
                unconfirmed.append((ref, hold))
    return confirmed, unconfirmed


async def split_rows(app: App, rows: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    """(confirmed, unconfirmed) report rows (with reporter, community, updated_at), platform by platform."""
    ok, flagged = await split_by_platform(
        app, [(r, r["platform"], r["reporter"], r["community"], r["updated_at"]) for r in rows])
    return ok, [ref for ref, _hold in flagged]


async def split_opinions(app: App, opinions: Sequence[Any]) -> tuple[list[Any], list[tuple[Any, int]]]:
    """Availability's per-reporter opinions, tuples (platform, project, reporter, kind, last_at, first_at), split by
    the guard: (confirmed, unconfirmed with their hold times: see burst_holds). Fast path: without BURST_SIZE
    possible newcomers on a platform nothing is looked up.
    """
    everyone: tuple[list[Any], list[tuple[Any, int]]] = list(opinions), []
    if not opinions:
        return everyone
    seen = app.first_seen
    launched = await seen.launched()
    if launched is None or max(o[LAST_AT] for o in opinions) - launched < LAUNCH_GRACE:
        return everyone
    # Only a reporter with a first report somewhere within NEW_FOR can be new: those come from the joiners read
    # (one range, shared by every platform's split for a while), and anyone who reported after that read is
    # looked up as stored now (a newcomer, or a first report in a community, may be missing from it).
    joiners, read_at = await seen.joiners(min(o[LAST_AT] for o in opinions) - NEW_FOR)
    late = {o[REPORTER] for o in opinions if o[LAST_AT] >= read_at - CLOCK_SKEW}
    firsts = await seen.fresh(list(late)) if late else {}
    joined = {r: joiners[r] for r in {o[REPORTER] for o in opinions} - late if r in joiners}  # first ever, latest first
    joined.update((r, (min(t.values()), max(t.values()))) for r, t in firsts.items() if t)
    # A reporter may be new if they are new to the bot or joined some community recently; the others are not new
    # anywhere, so never set aside: only the suspects are judged.
    suspects: list[Any] = []
    settled: list[Any] = []
    for o in opinions:
        (suspects if o[LAST_AT] - joined.get(o[REPORTER], (0, 0))[1] < NEW_FOR else settled).append(o)
    per_platform = Counter(p for p, _r in {(o[PLATFORM], o[REPORTER]) for o in suspects})
    if not per_platform or max(per_platform.values()) < BURST_SIZE:
        return everyone
    community: dict[tuple, str | None] = {}
    # Some suspects may be old hands who recently joined a community: which community is each of their opinions from?
    old_hands = sorted({o[REPORTER] for o in suspects if o[LAST_AT] - joined[o[REPORTER]][0] >= NEW_FOR})
    if old_hands:
        platforms = {o[PLATFORM] for o in suspects}
        community = {
            (r["platform"], r["project"], r["reporter"], r["updated_at"]): r["community"]
            for r in await store.recent_availability(
                app.db, AVAILABILITY_KINDS, min(o[LAST_AT] for o in opinions),
                next(iter(platforms)) if len(platforms) == 1 else None, old_hands)
        }
    # Whether a suspect is new where they reported turns on that community's first report only for an old hand (a
    # newcomer to the bot is new everywhere): theirs are looked up, the others' first report ever stands for all.
    firsts.update(await seen.fresh(sorted(set(old_hands) - late)) if old_hands else {})
    for reporter in {o[REPORTER] for o in suspects} - firsts.keys():
        firsts[reporter] = {None: joined[reporter][0]}
    ok, flagged = await split_by_platform(app, [
        (o, o[PLATFORM], o[REPORTER], community.get((o[PLATFORM], o[PROJECT], o[REPORTER], o[LAST_AT])),
         o[LAST_AT])
        for o in suspects
    ], firsts)
    return [*settled, *ok], flagged


async def forget_first_seen(app: App, person: Person) -> list[tuple[str, int]]:
    """Delete the person's first-report times, stored and cached (the reports go with the reports hook)."""
    app.first_seen.forget(person.key)
    return [(N_("first-report times"), await first_seen_store.delete_reporter(app.db, person.key))]
