"""The recent opinions behind the availability status, kept in memory per platform and brought up to date as
they change, so a read costs the platforms it shows, not the reports behind them (one book per app).

A platform's opinions (each reporter's latest drought or tasks-back report within the lookback, as
storage.reports.latest_opinions gives them) are read again only when the platform's data version moves
(storage/versions.py: every write to its reports moves it, in any process). From them a *view* is derived: the
brigading guard's split, each confirmed opinion weighed by trust and by its age at the view's reference time, and
per project a Tally. Every opinion's weight halves at the same rate, so a tally at a later time is the same tally
times 0.5 ** (elapsed / half-life), with no opinion touched. Opinions that fall out of the lookback are taken out
of their tally one by one, and an opinion the guard set aside is counted once the first report of the burst that
holds it falls out (brigading.burst_holds: a burst is made of later reports only, so this is the guard's own
verdict on what remains). A view is derived again (from memory; trust and first reports from their caches) only
when trust changes (its version, or an active bar ends) and some reporter of its weighs differently, when the clock
steps back, or while an opinion is stamped later than now.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, insort
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.features.availability import brigading, trust
from bot.features.availability.brigading import LAST_AT, REPORTER
from bot.features.reports.kinds import AVAILABILITY_KINDS
from storage import reports as store
from storage import versions as versions_store

if TYPE_CHECKING:
    from bot.wiring import App

READ_EACH_UP_TO = 8  # platforms to read again one by one; more than this are read in one statement for all


@dataclass
class Tally:
    """Weighed opinions of one platform (project '') or project: the sums the state is decided from."""

    drought: float = 0.0
    flowing: float = 0.0
    drought_firsts: list[int] = field(default_factory=list)  # when each drought reporter first reported, sorted
    flowing_n: int = 0
    last_at: int = 0

    def scaled(self, factor: float) -> Tally:
        """The same opinions with every weight times `factor` (their decay since the view's reference time)."""
        return Tally(self.drought * factor, self.flowing * factor, self.drought_firsts, self.flowing_n, self.last_at)


# One opinion: (last_at, project, kind, first_at, weight at the view's reference time, hold): hold is None for an
# opinion counted in its tally from the start, else the time until which the guard set it aside. A tuple of plain
# values, as the rows are: the cyclic garbage collector stops tracking them, so a book of tens of thousands of
# opinions adds nothing to its full collections (which took ~160 ms at 10M reports while they were lists and Rows).
Entry = tuple


@dataclass
class _View:
    version: int | None  # the platform's opinions version the rows were read at
    since: int  # the rows hold every opinion with last_at >= since
    rows: list[Any]
    read_trust: Any = None  # the trust version the rows (with their reporters' settled trust) were read under
    derived: bool = False
    ref: int = 0
    trust: Any = None
    future: bool = False  # some opinion is stamped later than ref: derive again at any other time
    entries: deque[Entry] = field(default_factory=deque)  # by last_at
    tallies: dict[str, Tally] = field(default_factory=dict)
    unconfirmed: Counter[str] = field(default_factory=Counter)
    held: list[tuple[int, int, Entry]] = field(default_factory=list)  # a heap of (hold, n, entry) set aside
    weights: dict[str, float] = field(default_factory=dict)  # each reporter's trust, as weighed


async def read_by_platform(platforms: Collection[str], read: Callable[[str | None], Awaitable[Sequence[Any]]],
                           each_up_to: int) -> dict[str, list[Any]]:
    """Each platform's rows: read one platform at a time for up to `each_up_to` of them, else once for every platform
    (`read(None)`) and shared out by their first column, the platform."""
    if len(platforms) <= each_up_to:
        return {p: list(await read(p)) for p in platforms}
    found: dict[str, list[Any]] = {p: [] for p in platforms}
    for row in await read(None):
        if row[0] in found:
            found[row[0]].append(row)
    return found


class OpinionBook:
    """The recent opinions of every platform, in memory, with their tallies (one per app)."""

    def __init__(self, app: App, lookback: int, half_life: float) -> None:
        self.app = app
        self.lookback = lookback
        self.half_life = half_life
        self._views: dict[str, _View] = {}
        self._trust: Any = None
        # The versions last read, for which platform (None: all) and when (monotonic): see `recent_versions`.
        self._versions: tuple[versions_store.Versions, str | None, float] | None = None

    def recent_versions(self, platform: str, within: float) -> versions_store.Versions | None:
        """The versions this book read for `platform` (or for every platform) at most `within` seconds ago, else
        None: a command that has just read them for its status need not read them again for its project list."""
        if self._versions is None:
            return None
        versions, scope, read_at = self._versions
        fresh = self.app.clock.monotonic() - read_at <= within
        return versions if fresh and scope in (None, platform) else None

    async def tallies(self, at: int, platform: str | None = None, projects: bool = True
                      ) -> tuple[dict[tuple[str, str], Tally], Counter[tuple[str, str]]]:
        """At `at`, per (platform, project): the tally of the confirmed opinions, and how many were set aside
        (for one platform, or every platform with reports; platform-wide only unless `projects`)."""
        versions = await versions_store.current(self.app.db, at, platform)
        self._versions = (versions, platform, self.app.clock.monotonic())
        if versions.trust != self._trust:
            if self._trust is not None:
                await self._weigh_again(versions.trust)
            self._trust = versions.trust
        scope = [platform] if platform is not None else list(versions.opinions)
        await self._read(scope, versions.opinions, at)
        for p in [p for p in scope if not self._expire(self._views[p], at)]:
            await self._derive(p, at)  # one platform at a time: between them the event loop serves others
        for p in [p for p in scope if not self._views[p].derived]:
            await self._derive(p, at)  # read again by a concurrent read while this one derived the old view
        found: dict[tuple[str, str], Tally] = {}
        unconfirmed: Counter[tuple[str, str]] = Counter()
        for p in scope:
            view = self._views[p]
            factor = 0.5 ** ((at - view.ref) / self.half_life)
            if projects:
                for project, tally in view.tallies.items():
                    found[(p, project)] = tally.scaled(factor)
                for project, n in view.unconfirmed.items():
                    unconfirmed[(p, project)] = n
            else:
                if (tally := view.tallies.get("")) is not None:
                    found[(p, "")] = tally.scaled(factor)
                if n := view.unconfirmed.get(""):
                    unconfirmed[(p, "")] = n
        return found, unconfirmed

    async def _read(self, scope: list[str], versions: dict[str, int], at: int) -> None:
        """Read again the opinions of the platforms whose version moved (or that were never read)."""
        since = at - self.lookback
        todo = [p for p in scope if (view := self._views.get(p)) is None or view.version != versions.get(p)
                or since < view.since]
        if not todo:
            return
        read = await read_by_platform(
            todo, lambda p: store.latest_opinions(self.app.db, AVAILABILITY_KINDS, p, since), READ_EACH_UP_TO)
        # Kept as plain tuples (platform, project, reporter, kind, last_at, first_at, agreements, contradictions), not
        # the driver's rows: see Entry.
        per_platform = {p: [tuple(row) for row in rows] for p, rows in read.items()}
        for p, rows in per_platform.items():
            self._views[p] = _View(versions.get(p), since, rows, read_trust=self._trust)

    async def _weigh_again(self, trust_key: Any) -> None:
        """Trust changed (in any process, or an active bar ended): weigh every reporter in the book again, and keep
        the views none of whose reporters' weights moved (a bar touches a few platforms; a settle, most)."""
        trust.forget_cached(self.app)
        views = [view for view in self._views.values() if view.derived]
        weights = await trust.trust_weights(self.app, [r for view in views for r in view.weights])
        for view in views:
            if view.trust == self._trust and all(weights[r] == w for r, w in view.weights.items()):
                view.trust = trust_key
            else:
                view.derived = False

    def _expire(self, view: _View, at: int) -> bool:
        """Count the opinions set aside whose burst fell out of the lookback, and take the opinions that fell out
        out of their tallies; False when the view must be derived again instead."""
        if not view.derived or view.trust != self._trust or at < view.ref or (view.future and at != view.ref):
            return False
        edge = at - self.lookback
        held = view.held
        while held and held[0][0] < edge:
            entry = heapq.heappop(held)[2]
            last_at, project, kind, first_at, weight, _hold = entry
            view.unconfirmed[project] -= 1
            if not view.unconfirmed[project]:
                del view.unconfirmed[project]
            tally = view.tallies.get(project)
            if tally is None:
                tally = view.tallies[project] = Tally()
            if kind == "drought":
                tally.drought += weight
                insort(tally.drought_firsts, first_at)
            else:
                tally.flowing += weight
                tally.flowing_n += 1
            tally.last_at = max(tally.last_at, last_at)
        entries = view.entries
        while entries and entries[0][0] < edge:  # each was counted: a hold is never later than its opinion
            _last_at, project, kind, first_at, weight, _hold = entries.popleft()
            tally = view.tallies[project]
            if kind == "drought":
                del tally.drought_firsts[bisect_left(tally.drought_firsts, first_at)]
                tally.drought = tally.drought - weight if tally.drought_firsts else 0.0
            else:
                tally.flowing_n -= 1
                tally.flowing = tally.flowing - weight if tally.flowing_n else 0.0
            if not tally.drought_firsts and not tally.flowing_n:
                del view.tallies[project]
        return True

    async def _derive(self, platform: str, at: int) -> None:
        """Derive a platform's view at `at` from its opinions: split, weighed, tallied. Built apart and put in place
        after the last await, so two reads deriving the same view at once cannot mix their halves (a view replaced
        meanwhile keeps its own rows, still to be derived). Hot loop: kept free of calls."""
        view = self._views[platform]
        edge, trust_key = at - self.lookback, self._trust
        rows = [row for row in view.rows if row[LAST_AT] >= edge]
        confirmed, flagged = await brigading.split_opinions(self.app, rows)
        # The rows carry their reporters' settled trust, as current as the trust version they were read under.
        settled = {row[REPORTER]: row[6:8] for row in rows} if view.read_trust == trust_key else None
        weights = await trust.trust_weights(self.app, [row[REPORTER] for row in rows], settled)
        half_life = self.half_life
        entries: list[Entry] = []
        tallies: dict[str, Tally] = {}
        unconfirmed: Counter[str] = Counter()
        held: list[tuple[int, int, Entry]] = []
        future = False
        for row, hold in [*((row, None) for row in confirmed), *flagged]:
            _platform, project, reporter, kind, last_at, first_at, _agreements, _contradictions = row
            if last_at > at:  # stamped by a clock that ran ahead (until the refresh puts it right): it is news now
                last_at, first_at, future = at, min(first_at, at), True
            weight = (0.5 ** ((at - last_at) / half_life) if last_at < at else 1.0) * weights.get(reporter, 1.0)
            entry = (last_at, project, kind, first_at, weight, hold)
            entries.append(entry)
            if hold is not None:
                unconfirmed[project] += 1
                heapq.heappush(held, (hold, len(held), entry))
                continue
            tally = tallies.get(project)
            if tally is None:
                tally = tallies[project] = Tally()
            if kind == "drought":
                tally.drought += weight
                tally.drought_firsts.append(first_at)
            else:
                tally.flowing += weight
                tally.flowing_n += 1
            if last_at > tally.last_at:
                tally.last_at = last_at
        for tally in tallies.values():
            tally.drought_firsts.sort()
        view.rows, view.entries, view.tallies, view.unconfirmed, view.held, view.weights = (
            rows, deque(sorted(entries, key=lambda entry: entry[0])), tallies, unconfirmed, held, weights)
        view.derived, view.ref, view.trust, view.future = True, at, trust_key, future
