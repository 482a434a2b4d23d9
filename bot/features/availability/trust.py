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
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.core.clock import unix
from bot.core.feature import Person
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
SETTLE_EVERY = 3600  # trust_weights settles newly judgeable reports at most once an hour
FIRST_SETTLE_LOOKBACK = 30 * 86400  # on the very first settle, judge at most the last 30 days
CACHE_SECONDS = 300  # a weight is reused for 5 minutes of clock time (bars and settling clear it)
DAY = 86400

# What each kind of report claims about the platform's state (other kinds are not judged).
CLAIMS = {"drought": "drought", "tasks_back": "flowing"}
OPPOSITE = {"drought": "flowing", "flowing": "drought"}
SETTLED_META_KEY = "trust_settled_until"
PENALTY_PURPOSE = "trust-penalty"

DATA_KEPT = ((
    "Reporter trust",
    "how many days your availability reports agreed or disagreed with the status that followed, "
    "under your keyed hash (it sets how much your reports weigh); if it was below a newcomer's when you used "
    "/forget, only that shortfall, linked to nothing else",
),)


def weight_for(agreements: int, contradictions: int, barred: bool = False, penalty: float = 0.0) -> float:
    """The weight of a reporter's reports from their judged days and any penalty kept by /forget (0 when barred)."""
    if barred:
        return BARRED_WEIGHT
    raw = NEW_WEIGHT + AGREEMENT_GAIN * agreements - CONTRADICTION_LOSS * contradictions - penalty
    return round(min(MAX_WEIGHT, max(MIN_WEIGHT, raw)), 3)


class TrustCache:
    """Per-reporter weights with the clock time they were computed, and when trust was last settled."""

    def __init__(self) -> None:
        self.weights: dict[str, tuple[float, int]] = {}
        self.last_settle: int | None = None


def forget_cached(app: App, reporters: Sequence[str] | None = None) -> None:
    """Drop cached weights (all, or these reporters'), e.g. after a bar or a settle."""
    cache = app.trust
    if reporters is None:
        cache.weights.clear()
    else:
        for reporter in reporters:
            cache.weights.pop(reporter, None)


async def trust_weights(app: App, reporters: Sequence[str]) -> dict[str, float]:
    """The weight of each reporter's reports (batched and cached; settles judgeable reports hourly)."""
    now = unix(app.clock.now())
    cache = app.trust
    if cache.last_settle is None or now - cache.last_settle >= SETTLE_EVERY:
        try:
            await settle_trust(app)
        except Exception:  # trust must never break /status; the next call retries
            log.exception("settling reporter trust failed")
    result: dict[str, float] = {}
    missing: list[str] = []
    for reporter in dict.fromkeys(reporters):
        cached = cache.weights.get(reporter)
        if cached is not None and now - cached[1] < CACHE_SECONDS:
            result[reporter] = cached[0]
        else:
            missing.append(reporter)
    if missing:
        rows = await store.trust_rows(app.db, missing)
        bars = await bars_store.active_bars(app.db, missing, now)
        penalty_keys = {reporter: _penalty_key(app, reporter) for reporter in missing}
        penalties = await store.penalties(app.db, list(penalty_keys.values()))
        for reporter in missing:
            row = rows.get(reporter)
            weight = weight_for(
                row["agreements"] if row else 0, row["contradictions"] if row else 0, reporter in bars,
                penalties.get(penalty_keys[reporter], 0.0),
            )
            cache.weights[reporter] = (weight, now)
            result[reporter] = weight
    return result


async def settle_trust(app: App) -> int:
    """Judge every report that became judgeable since the last settle; returns the judged days recorded."""
    now = unix(app.clock.now())
    cache = app.trust
    cache.last_settle = now
    until = now - SETTLE_AFTER
    stored = await app.db.get_meta(SETTLED_META_KEY)
    since = int(stored) if stored else until - FIRST_SETTLE_LOOKBACK
    if until <= since:
        return 0
    kinds = tuple(CLAIMS)
    rows = await store.judgeable_reports(app.db, kinds, since, until)
    timelines = {p: await _timeline(app, p, since, until + SETTLE_AFTER) for p in {r["platform"] for r in rows}}
    # (reporter, platform, day) -> verdicts; one verdict per day, a contradiction outweighs agreements.
    days: dict[tuple[str, str, int], set[str]] = defaultdict(set)
    first: dict[str, int] = {}
    for row in rows:
        at = row["updated_at"]
        verdict = judge(CLAIMS[row["kind"]], states_during(timelines[row["platform"]], at, at + SETTLE_AFTER))
        first[row["reporter"]] = min(first.get(row["reporter"], at), at)
        if verdict:
            days[(row["reporter"], row["platform"], at // DAY)].add(verdict)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (reporter, _platform, _day), verdicts in days.items():
        totals[reporter][1 if "contradiction" in verdicts else 0] += 1
    async with app.db.transaction() as tx:
        for reporter, (agreements, contradictions) in totals.items():
            await store.add_trust(tx, reporter, first[reporter], agreements, contradictions, now)
        await meta.put(tx, SETTLED_META_KEY, str(until))
    forget_cached(app, list(totals))
    return sum(a + c for a, c in totals.values())


async def _timeline(app: App, platform: str, start: int, end: int) -> list[tuple[int, str]]:
    """(time, new state) of a platform's status events: the one in force at `start`, then those up to `end`."""
    return [(r["at"], r["new_state"]) for r in await store.platform_states(app.db, platform, start, end)]


def states_during(timeline: list[tuple[int, str]], start: int, end: int) -> set[str]:
    """Every state in force at some moment of [start, end], from a sorted (time, state) timeline."""
    states: set[str] = set()
    current: str | None = None
    for at, state in timeline:
        if at <= start:
            current = state
        elif at <= end:
            states.add(state)
    if current is not None:
        states.add(current)
    return states


def judge(claim: str, states: set[str]) -> str | None:
    """'agreement' when the claimed state was in force, 'contradiction' when only its opposite was, else None."""
    if claim in states:
        return "agreement"
    if OPPOSITE[claim] in states:
        return "contradiction"
    return None


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
    return [("reporter trust record", deleted)]
