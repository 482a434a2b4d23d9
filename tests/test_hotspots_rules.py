"""Issue 15's hot spots in the rules: the brigading window, whole-day trust settles written in one statement,
and caches bounded in size and expiring on the monotonic clock."""

from __future__ import annotations

import random
from contextlib import asynccontextmanager

import pytest
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from bot.core.clock import unix
from bot.core.expiring import ExpiringCache
from bot.features.availability import brigading, trust
from bot.features.availability.brigading import BURST_WINDOW, Arrival, split_confirmed
from bot.features.availability.trust import DAY, SETTLED_META_KEY, settle_bounds, settle_trust
from bot.features.moderation.actions import BARS_CACHE_SECONDS
from bot.settings import load_settings
from bot.wiring import build_app
from storage import moderation as bars_store
from storage import trust as trust_store
from tests.support.hotspots_reference import split_confirmed_quadratic
from tests.test_trust import insert_event, insert_report

HOUR = 3600

# -- the brigading window ------------------------------------------------------------------------------------

# Arrival times cluster in bursts (a few minutes apart) separated by gaps around the window's length, so the
# windows' edges (exactly BURST_WINDOW apart, just inside, just outside) are met often.
steps = st.one_of(st.integers(0, 600), st.sampled_from([BURST_WINDOW - 1, BURST_WINDOW, BURST_WINDOW + 1]),
                  st.integers(BURST_WINDOW // 2, 3 * BURST_WINDOW))
arrival_lists = st.lists(st.tuples(steps, st.integers(0, 9), st.booleans()), max_size=80)


@examples(max_examples=300, deadline=None)
@given(arrival_lists, st.randoms(use_true_random=False))
def test_the_sliding_window_splits_exactly_as_the_quadratic_rule(spec, rng) -> None:
    at = 0
    arrivals = []
    for ref, (step, reporter, new) in enumerate(spec):
        at += step
        arrivals.append(Arrival(ref, f"r{reporter}", at, new))
    rng.shuffle(arrivals)  # callers pass reports in any order
    arrivals.extend(arrivals[: len(arrivals) // 10])  # the same report twice: flagged together or not at all
    assert split_confirmed(arrivals) == split_confirmed_quadratic(arrivals)


def test_a_burst_of_a_thousand_newcomers_is_split_as_the_quadratic_rule_did() -> None:
    """A burst of 1,000 newcomers (the quadratic rule counted 1,000 windows of up to 1,000 reports)."""
    rng = random.Random(15)
    arrivals = [Arrival(i, f"n{i % 900}", rng.randrange(2 * BURST_WINDOW), True) for i in range(1000)]
    confirmed, unconfirmed = split_confirmed(arrivals)
    assert confirmed == [] and len(unconfirmed) == 1000
    assert (confirmed, unconfirmed) == split_confirmed_quadratic(arrivals)


async def test_opinions_on_interleaved_platforms_are_split_platform_by_platform(app, clock, monkeypatch) -> None:
    """split_rows groups by platform once; the result is each platform's own split, platforms in first order."""
    monkeypatch.setattr(app.first_seen, "launched", _long_ago(clock))
    now = unix(clock.now())
    rows = [{"id": i, "platform": ("a", "b", "c")[i % 3], "reporter": f"n{i}", "community": None,
             "updated_at": now - (i * 7) % 3600} for i in range(60)]
    confirmed, unconfirmed = await brigading.split_rows(app, rows)
    expected_ok, expected_flagged = [], []
    for name in ("a", "b", "c"):
        mine = [Arrival(r, r["reporter"], r["updated_at"], True) for r in rows if r["platform"] == name]
        ok, flagged = split_confirmed_quadratic(mine)
        expected_ok += [a.ref for a in ok]
        expected_flagged += [a.ref for a in flagged]
    assert (confirmed, unconfirmed) == (expected_ok, expected_flagged)
    assert len(unconfirmed) == 60  # 20 brand-new reporters within minutes on each platform


def _long_ago(clock):
    async def launched() -> int:
        return unix(clock.now()) - 365 * DAY
    return launched


# -- trust: whole days, settled once, written in one statement ----------------------------------------------------


async def _random_history(app, start: int, days: int, seed: int) -> None:
    rng = random.Random(seed)
    for hour in range(0, days * 24, 3):
        await insert_event(app, rng.choice(("drought", "flowing", "mixed")), start + hour * HOUR + rng.randrange(HOUR))
    for _ in range(300):
        at = start + rng.randrange(days * DAY)
        await insert_report(app, f"r{rng.randrange(12)}", rng.choice(("drought", "tasks_back")), at)


async def _trust_records(app) -> dict[str, tuple]:
    rows = await app.db.fetchall("SELECT reporter, first_seen, agreements, contradictions FROM reporter_trust")
    return {r["reporter"]: tuple(r)[1:] for r in rows}


async def test_settling_every_hour_judges_each_day_once_as_one_settle_would(settings, clock) -> None:
    """Before issue 15 an hourly settle judged each hour's reports apart, so a reporter right at 9:00 and at 14:00
    earned two agreements for one day. Now each whole day is judged once, however often settle runs."""
    hourly = await build_app(settings, clock=clock)
    start = unix(clock.now()) // DAY * DAY
    await _random_history(hourly, start, 5, seed=1)
    once_clock = type(clock)(clock.now())
    once = await build_app(settings, clock=once_clock)
    await _random_history(once, start, 5, seed=1)
    try:
        for _hour in range(6 * 24 + 12):
            clock.advance(hours=1)
            await settle_trust(hourly)
        once_clock.set(clock.now())
        await settle_trust(once)
        records = await _trust_records(once)
        assert await _trust_records(hourly) == records
        days = await _claim_days(once)
        assert records and all(a + c <= days[reporter] for reporter, (_first, a, c) in records.items())
    finally:
        await hourly.db.close()
        await once.db.close()


async def _claim_days(app) -> dict[str, int]:
    """Per reporter: the (platform, day) pairs they made a claim on; at most one verdict each."""
    rows = await app.db.fetchall(
        "SELECT reporter, count(DISTINCT platform || ':' || (updated_at / 86400)) FROM reports "
        "WHERE kind IN ('drought', 'tasks_back') GROUP BY reporter")
    return {row[0]: row[1] for row in rows}


async def test_a_restart_settles_only_the_days_since_the_last_settle(tmp_path, clock) -> None:
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'q.db'}", queuewatch_secret="s" * 24)
    app = await build_app(settings, clock=clock)
    start = unix(clock.now()) // DAY * DAY
    await _random_history(app, start, 3, seed=2)
    clock.advance(days=4)
    assert await settle_trust(app) > 0
    before = await _trust_records(app)
    await app.db.close()
    app = await build_app(settings, clock=clock)  # a restart: nothing to judge again
    try:
        assert await settle_trust(app) == 0
        assert await _trust_records(app) == before
    finally:
        await app.db.close()


async def test_a_watermark_stored_by_a_clock_that_ran_ahead_is_brought_back(app, clock) -> None:
    now = unix(clock.now())
    await app.db.set_meta(SETTLED_META_KEY, str(now + 30 * DAY))  # the clock was a month ahead
    await app.db.execute("INSERT INTO reporter_trust VALUES ('member', 0, 2, 0, 0, ?)", (now + 30 * DAY,))
    await settle_trust(app)
    _since, until, _moved = settle_bounds(now, None)
    assert int(await app.db.get_meta(SETTLED_META_KEY)) == until
    await insert_event(app, "drought", now - HOUR)
    await insert_report(app, "member", "drought", now)
    clock.advance(days=2)
    assert await settle_trust(app) == 1  # judged now, not a month from now (and then never)
    assert (await trust_store.trust_rows(app.db, ["member"]))["member"]["agreements"] == 3
    assert settle_bounds(now, str(now + DAY)) == (until, until, True)


async def test_the_settle_writes_in_short_transactions_and_awaits_nothing_else_inside(app, clock,
                                                                                    monkeypatch) -> None:
    start = unix(clock.now()) // DAY * DAY
    await _random_history(app, start, 2, seed=3)
    clock.advance(days=3)
    monkeypatch.setattr(trust, "SETTLE_WRITE_BATCH", 4)
    transactions: list[list[str]] = []
    real = app.db.transaction

    class Recording:
        def __init__(self, tx) -> None:
            self.tx = tx
            self.dialect = tx.dialect  # which SQL to send: not a call on the transaction

        def __getattr__(self, name):
            transactions[-1].append(name)
            return getattr(self.tx, name)

    @asynccontextmanager
    async def recorded():
        transactions.append([])
        async with real() as tx:
            yield Recording(tx)

    monkeypatch.setattr(app.db, "transaction", recorded)
    assert await settle_trust(app) > 0
    reporters = await trust_store.trust_rows(app.db, [f"r{i}" for i in range(12)])
    assert len(transactions) == -(-len(reporters) // 4) > 1
    assert all(calls == ["executemany"] for calls in transactions)  # one statement each, nothing else awaited


async def test_a_settle_interrupted_between_transactions_is_finished_not_counted_twice(settings, clock,
                                                                                       monkeypatch) -> None:
    interrupted, clean = await build_app(settings, clock=clock), await build_app(settings, clock=clock)
    start = unix(clock.now()) // DAY * DAY
    for app in (interrupted, clean):
        await _random_history(app, start, 3, seed=4)
    clock.advance(days=4)
    monkeypatch.setattr(trust, "SETTLE_WRITE_BATCH", 3)
    real, written = trust_store.add_settled, []

    async def failing_second(tx, rows):
        written.append(rows)
        if len(written) == 2:
            raise RuntimeError("the process was stopped")
        await real(tx, rows)

    try:
        monkeypatch.setattr(trust_store, "add_settled", failing_second)
        with pytest.raises(RuntimeError):
            await settle_trust(interrupted)
        monkeypatch.setattr(trust_store, "add_settled", real)
        assert len(await _trust_records(interrupted)) == len(written[0]) == 3  # the first batch only
        await settle_trust(interrupted)  # the retry (next hour, or after a restart)
        await settle_trust(clean)
        assert await _trust_records(interrupted) == await _trust_records(clean)
    finally:
        await interrupted.db.close()
        await clean.db.close()


# -- caches: bounded, and timed by the monotonic clock ----------------------------------------------------------


async def test_the_weight_cache_is_bounded_and_a_clock_stepped_back_does_not_keep_it(app, clock, monkeypatch) -> None:
    monkeypatch.setattr(trust, "WEIGHT_CACHE_SIZE", 50)
    app.trust = trust.TrustCache(clock)
    await trust.trust_weights(app, [f"r{i}" for i in range(500)])
    assert len(app.trust.weights) == 50
    await trust_store.add_trust(app.db, "r499", 0, 20, 0, 0)  # written by another process
    clock.jump(hours=-2)  # the wall clock is stepped back
    assert (await trust.trust_weights(app, ["r499"]))["r499"] == trust.NEW_WEIGHT  # cached a moment more
    clock.advance(seconds=trust.CACHE_SECONDS)
    assert (await trust.trust_weights(app, ["r499"]))["r499"] == trust.MAX_WEIGHT
    clock.advance(seconds=trust.CACHE_SECONDS)
    await trust.trust_weights(app, ["newcomer"])
    assert len(app.trust.weights) == 1  # storing one drops the expired ones


async def test_first_seen_cache_is_bounded_and_expires_on_the_monotonic_clock(app, clock, monkeypatch) -> None:
    monkeypatch.setattr(brigading, "FIRST_SEEN_CACHE_SIZE", 40)
    app.first_seen = brigading.FirstSeen(app)
    await app.db.execute("INSERT INTO reporter_first_seen VALUES ('r1', '', 100)")
    found = await app.first_seen.of([f"r{i}" for i in range(200)])
    assert len(found) == 200 and found["r1"] == {None: 100}  # a request larger than the cache is answered whole
    assert len(app.first_seen._firsts) == 40
    firsts = await app.first_seen.of(["r199"])
    assert firsts == {"r199": {}}
    await app.db.execute("INSERT INTO reporter_first_seen VALUES ('r199', 'telegram:-1', 50)")
    clock.jump(hours=-3)
    clock.advance(seconds=brigading.CACHE_SECONDS)
    assert (await app.first_seen.of(["r199"]))["r199"] == {"telegram:-1": 50}


async def test_bars_are_reloaded_on_the_monotonic_clock(app, clock) -> None:
    now = unix(clock.now())
    assert await app.bars.get("someone", now) is None
    await bars_store.put_bar(app.db, "someone", "console:local", 1, now + DAY, "spam", now)  # another process
    clock.jump(hours=-5)
    clock.advance(seconds=BARS_CACHE_SECONDS)
    assert await app.bars.get("someone", unix(clock.now())) is not None


def test_the_expiring_cache_drops_expired_and_oldest_entries_as_new_ones_arrive(clock) -> None:
    cache: ExpiringCache[str, int] = ExpiringCache(3, 60, clock.monotonic)
    for i in range(5):
        cache[f"k{i}"] = i
    assert len(cache) == 3 and cache.get("k0") is None and cache.get("k4") == 4  # the oldest went
    clock.jump(hours=-1)  # the wall clock: nothing changes
    assert cache.get("k2") == 2
    clock.advance(seconds=59)
    cache["k2"] = 20  # stored again: kept for another minute
    clock.advance(seconds=1)
    assert cache.get("k3") is None and cache.get("k2") == 20
    cache["k5"] = 5
    assert len(cache) == 2  # k3 and k4 had expired
    assert cache.pop("k2") == 20 and cache.pop("k2", -1) == -1
