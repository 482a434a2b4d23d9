"""Reporter trust: how much one person's availability reports weigh. Every rule and constant lives here.

The rules, in plain words:
- A reporter with no track record weighs NEW_WEIGHT (a quarter of an established reporter), so a crowd of
  newcomers cannot outweigh a handful of people who have been right before.
- Once a report is old enough to judge (SETTLE_AFTER), it is compared with the status the bot published
  from everyone's reports during the following SETTLE_AFTER: a drought report agrees when "drought
  likely" was in force, a tasks-back report agrees when "tasks flowing" was in force; the opposite state
  (and only it) is a contradiction; "mixed" or "no recent reports" decides nothing.
- At most one verdict per reporter, platform and day (a day with any contradiction counts as one
  contradiction, otherwise one agreement), so trust grows with days of being right, not report volume.
  Days are UTC days, settled whole and once: a day is judged when its last report is SETTLE_AFTER old, and a
  watermark in the meta table remembers the last day settled, so a restart judges only the days since.
- weight = NEW_WEIGHT + AGREEMENT_GAIN * agreements - CONTRADICTION_LOSS * contradictions, kept between
  MIN_WEIGHT and MAX_WEIGHT. A wrong day costs a bit more than a right day earns, so a reporter gains
  weight only when right on clearly more than half of the judged days (break-even at 60 %).
- Contradictions never reach zero weight: queues really differ between workers, so an honest minority
  report still counts a little. Only a moderator's bar sets the weight to 0 (BARRED_WEIGHT).
- /forget deletes the record, but cannot launder it: a reporter below NEW_WEIGHT keeps the shortfall as a
  penalty subtracted from their weight (so they come back where they were, and can earn their way up). It is
  kept under PENALTY_PURPOSE's keyed hash of their reporter hash, with nothing else: it joins no other table,
  and only the bot, holding the key, finds it when that reporter reports again.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.core.background import Every
from bot.core.clock import Clock, unix
from bot.core.expiring import ExpiringCache
from bot.core.feature import Person
from bot.core.i18n import N_
from storage import meta
from storage import moderation as bars_store
from storage import trust as store

if TYPE_CHECKING:
    from bot.wiring import App

log = logging.getLogger(__name__)

NEW_WEIGHT = 0.25  # a reporter with no judged days: four newcomers weigh as much as one proven reporter
AGREEMENT_GAIN = 0.1  # each judged day that agreed: full weight after about 8 agreeing days
CONTRADICTION_LOSS = 0.15  # each judged day that contradicted: 1.5x the gain, so break-even is 60 % right
MIN_WEIGHT = 0.1  # the floor for honest reporters who are often in the minority
MAX_WEIGHT = 1.0
BARRED_WEIGHT = 0.0
SETTLE_AFTER = 12 * 3600  # judge a report against the status in force during the 12 hours after it
SETTLE_EVERY = 3600  # trust_weights looks for newly judgeable days at most once an hour (monotonic clock)
SETTLE_CHECK_SECONDS = 60.0  # how often the trust service asks whether a settle is due
FIRST_SETTLE_LOOKBACK = 30 * 86400  # on the very first settle, judge at most the last 30 days
SETTLE_WRITE_BATCH = 5_000  # reporters written per transaction: each holds the write lock for ~40 ms at most
CACHE_SECONDS = 300  # a weight is reused for 5 minutes (monotonic clock; bars and settling clear it)
WEIGHT_CACHE_SIZE = 100_000  # reporters whose weight is kept in memory at most (as brigading.FIRST_SEEN_CACHE_SIZE)
DAY = 86400

# What each kind of report claims about the platform's state (other kinds are not judged).
CLAIMS = {"drought": "drought", "tasks_back": "flowing"}
OPPOSITE = {"drought": "flowing", "flowing": "drought"}
SETTLED_META_KEY = "trust_settled_until"
PENALTY_PURPOSE = "trust-penalty"

DATA_KEPT = ((
    N_("Reporter trust"),
    N_("how many days your availability reports agreed or disagreed with the status that followed, "
       "under your keyed hash (it sets how much your reports weigh); if it was below a newcomer's when you used "
       "/forget, only that shortfall, linked to nothing else"),
),)


def weight_for(agreements: int, contradictions: int, barred: bool = False, penalty: float = 0.0) -> float:
    """The weight of a reporter's reports from their judged days and any penalty kept by /forget (0 when barred)."""
    if barred:
        return BARRED_WEIGHT
    raw = NEW_WEIGHT + AGREEMENT_GAIN * agreements - CONTRADICTION_LOSS * contradictions - penalty
    return round(min(MAX_WEIGHT, max(MIN_WEIGHT, raw)), 3)


class TrustCache:
    """Per-reporter weights, expiring after CACHE_SECONDS on the monotonic clock and at most WEIGHT_CACHE_SIZE of
    them (the least recently used go first), and the monotonic time trust was last settled."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.weights: ExpiringCache[str, float] = ExpiringCache(WEIGHT_CACHE_SIZE, CACHE_SECONDS, clock.monotonic)
        self.last_settle: float | None = None


def forget_cached(app: App, reporters: Sequence[str] | None = None) -> None:
    """Drop cached weights (all, or these reporters'), e.g. after a bar or a settle."""
    cache = app.trust
    if reporters is None:
        cache.weights.clear()
    else:
        for reporter in reporters:
            cache.weights.pop(reporter, None)


async def trust_weights(app: App, reporters: Sequence[str],
                        settled: dict[str, tuple[int | None, int | None]] | None = None) -> dict[str, float]:
    """The weight of each reporter's reports as stored (batched and cached). It never settles: a read does not wait
    for judging; the trust service settles (settle_if_due) and clears the cache. `settled`: (agreements,
    contradictions) of some reporters (None: none settled) as just read with their reports, so not looked up."""
    cache = app.trust
    result: dict[str, float] = {}
    missing: list[str] = []
    moment = cache.clock.monotonic()
    for reporter in dict.fromkeys(reporters):
        cached = cache.weights.get(reporter, moment)
        if cached is not None:
            result[reporter] = cached
        else:
            missing.append(reporter)
    if missing:
        now = unix(app.clock.now())
        given = settled or {}
        rows = await store.trust_rows(app.db, [reporter for reporter in missing if reporter not in given])
        totals = {reporter: (row["agreements"], row["contradictions"]) for reporter, row in rows.items()}
        totals.update(given)
        bars = await bars_store.active_bars(app.db, missing, now)
        penalties = await _penalties_of(app, missing)
        for reporter in missing:
            agreements, contradictions = totals.get(reporter, (None, None))
            weight = weight_for(agreements or 0, contradictions or 0, reporter in bars, penalties.get(reporter, 0.0))
            cache.weights[reporter] = result[reporter] = weight
    return result


async def settle_if_due(app: App) -> int:
    """Settle the days that became judgeable, at most once every SETTLE_EVERY (the trust service calls it in the
    background); returns the judged days. A failure is logged and retried next time."""
    cache = app.trust
    if cache.last_settle is not None and cache.clock.monotonic() - cache.last_settle < SETTLE_EVERY:
        return 0
    try:
        return await settle_trust(app)
    except Exception:  # trust must never stop the refresh; the next one retries
        log.exception("settling reporter trust failed")
        return 0


def trust_service(app: App) -> Every:
    """The runner service that settles trust in the background: it looks each minute and settles at most once every
    SETTLE_EVERY, apart from the availability refresh, so no status waits for a settle (the first after a start
    included)."""
    return Every("trust", SETTLE_CHECK_SECONDS, lambda: settle_round(app))


async def settle_round(app: App) -> int:
    """The trust service's round: settle if due, and when that judged anything, refresh the statuses at once, so
    the book weighs its reporters again here rather than in the next member's /status; returns the judged days."""
    judged = await settle_if_due(app)
    if judged:
        await app.availability.refresh_all()
    return judged


def settle_bounds(now: int, stored: str | None) -> tuple[int, int, bool]:
    """(since, until, watermark moved back) of the next settle: whole UTC days, each judged once.

    `until` is the start of the day after the last day whose every report is SETTLE_AFTER old; `since` is
    the stored watermark, or FIRST_SETTLE_LOOKBACK before `until` on the very first settle. A watermark later
    than `until` was stored by a clock that ran ahead: it is brought back to `until`, or the days the
    clock skipped would wait until the real time caught up with it, and then never be judged.
    """
    until = (now - SETTLE_AFTER) // DAY * DAY
    if stored is None:
        return until - FIRST_SETTLE_LOOKBACK, until, False
    since = int(stored)
    return (until, until, True) if since > until else (since, until, False)


async def settle_trust(app: App) -> int:
    """Judge the reports of every whole day that became judgeable since the last settle; returns the judged days.

    Everything is read and computed first. Then the totals are written in short transactions of
    SETTLE_WRITE_BATCH reporters, one executemany each, awaiting nothing else while one is open; between them
    other writers (a /report) get the lock. Each record carries the watermark it was settled to, so a settle
    interrupted part-way adds the rest on retry and counts nobody twice; the watermark itself moves last.
    """
    app.trust.last_settle = app.trust.clock.monotonic()
    since, until, moved_back = settle_bounds(unix(app.clock.now()), await app.db.get_meta(SETTLED_META_KEY))
    if moved_back:
        log.warning("the trust watermark was later than now (the clock ran ahead); brought back to %s", until)
        async with app.db.transaction() as tx:
            await store.bring_back_settled(tx, until)
            await meta.put(tx, SETTLED_META_KEY, str(until))
    if until <= since:
        return 0
    totals, first = await judge_days(app, since, until)
    now = unix(app.clock.now())
    rows = [(reporter, first[reporter], agreements, contradictions, now, until)
            for reporter, (agreements, contradictions) in totals.items()]
    for start in range(0, len(rows), SETTLE_WRITE_BATCH):
        async with app.db.transaction() as tx:
            await store.add_settled(tx, rows[start:start + SETTLE_WRITE_BATCH])
    await app.db.set_meta(SETTLED_META_KEY, str(until))
    forget_cached(app, list(totals))
    return sum(a + c for a, c in totals.values())


async def judge_days(app: App, since: int, until: int) -> tuple[dict[str, list[int]], dict[str, int]]:
    """Per reporter: [agreements, contradictions] of their judged days in [since, until), and their first report.

    The rules of `judge` and `states_during`, one verdict per reporter, platform and day, applied by SQL over the
    reports and status events (storage/trust.py day_verdicts): one row per judged reporter reaches Python, so a
    day of a busy instance's reports is settled in a fraction of a second (tests keep it equal to the rules here).
    """
    claims = {kind: (state, OPPOSITE[state]) for kind, state in CLAIMS.items()}
    rows = await store.day_verdicts(app.db, claims, since, until, SETTLE_AFTER, DAY)
    totals = {row["reporter"]: [int(row["agreements"]), int(row["contradictions"])] for row in rows}
    return totals, {row["reporter"]: int(row["first_seen"]) for row in rows}


def verdicts_by_rule(rows: Sequence, timelines: dict[str, Timeline]) -> tuple[dict[str, list[int]], dict[str, int]]:
    """The same verdicts computed here from (reporter, platform, kind, updated_at) rows and each platform's timeline:
    the reference the SQL is tested against."""
    # (reporter, platform, day) -> verdicts; one verdict per day, a contradiction outweighs agreements.
    days: dict[tuple[str, str, int], set[str]] = defaultdict(set)
    first: dict[str, int] = {}
    for reporter, platform, kind, at in rows:
        verdict = judge(CLAIMS[kind], states_during(timelines[platform], at, at + SETTLE_AFTER))
        first[reporter] = min(first.get(reporter, at), at)
        if verdict:
            days[(reporter, platform, at // DAY)].add(verdict)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (reporter, _platform, _day), verdicts in days.items():
        totals[reporter][1 if "contradiction" in verdicts else 0] += 1
    return dict(totals), {reporter: first[reporter] for reporter in totals}


async def platform_timeline(app: App, platform: str, start: int, end: int) -> Timeline:
    """A platform's status events: the one in force at `start`, then those up to `end`, oldest first."""
    rows = await store.platform_states(app.db, platform, start, end)
    return Timeline([r["at"] for r in rows], [r["new_state"] for r in rows])


class Timeline:
    """(time, new state) status events sorted by time, searched by bisection."""

    __slots__ = ("states", "times")

    def __init__(self, times: list[int], states: list[str]) -> None:
        self.times = times
        self.states = states


def states_during(timeline: Timeline | list[tuple[int, str]], start: int, end: int) -> set[str]:
    """Every state in force at some moment of [start, end], from a sorted (time, state) timeline.

    O(log n + k) for k events inside the span: the state in force at `start` is the last event at or
    before it, found by bisection, and the span's events follow it.
    """
    if not isinstance(timeline, Timeline):
        timeline = Timeline([at for at, _state in timeline], [state for _at, state in timeline])
    first = bisect_right(timeline.times, start)
    last = bisect_right(timeline.times, end, lo=first)
    return set(timeline.states[max(0, first - 1):last])


def judge(claim: str, states: set[str]) -> str | None:
    """'agreement' when the claimed state was in force, 'contradiction' when only its opposite was, else None."""
    if claim in states:
        return "agreement"
    if OPPOSITE[claim] in states:
        return "contradiction"
    return None


async def _penalties_of(app: App, reporters: Sequence[str]) -> dict[str, float]:
    """The penalty of each of these reporters that has one; their keys are worked out only when any is kept."""
    if not await store.any_penalty(app.db):
        return {}
    keys = {reporter: _penalty_key(app, reporter) for reporter in reporters}
    found = await store.penalties(app.db, list(keys.values()))
    return {reporter: found[key] for reporter, key in keys.items() if key in found}


def _penalty_key(app: App, reporter: str) -> str:
    return app.unlinked_key(PENALTY_PURPOSE, reporter)


async def forget_trust(app: App, person: Person) -> list[tuple[str, int]]:
    """Delete a person's trust record, keeping only how far below a newcomer's their weight was, if it was."""
    key = _penalty_key(app, person.key)
    row = (await store.trust_rows(app.db, [person.key])).get(person.key)
    penalty = (await store.penalties(app.db, [key])).get(key, 0.0)
    weight = weight_for(row["agreements"] if row else 0, row["contradictions"] if row else 0, penalty=penalty)
    async with app.db.transaction() as tx:
        deleted = await store.delete_trust(tx, person.key)
        if weight < NEW_WEIGHT:
            await store.put_penalty(tx, key, round(NEW_WEIGHT - weight, 3))
        else:
            await store.delete_penalty(tx, key)
    forget_cached(app, [person.key])
    return [(N_("reporter trust record"), deleted)]
