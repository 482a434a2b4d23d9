"""The brigading guard's pure rule: bursts of newcomers on one platform are unconfirmed."""

from __future__ import annotations

import pytest

from bot.features.availability.brigading import BURST_SIZE, BURST_WINDOW, NEW_FOR, Arrival, is_new, split_confirmed

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL

DAY = 86400


def arrivals(prefix: str, count: int, start: int, step: int, new: bool) -> list[Arrival]:
    return [Arrival(f"{prefix}{i}", f"{prefix}{i}", start + i * step, new) for i in range(count)]


def test_a_burst_of_newcomers_is_unconfirmed_and_established_reporters_are_not() -> None:
    newcomers = arrivals("n", BURST_SIZE, 1000, 60, new=True)
    established = arrivals("e", 6, 1000, 60, new=False)
    confirmed, unconfirmed = split_confirmed(newcomers + established)
    assert {a.reporter for a in unconfirmed} == {a.reporter for a in newcomers}
    assert {a.reporter for a in confirmed} == {a.reporter for a in established}


def test_fewer_newcomers_than_a_burst_count_as_usual() -> None:
    confirmed, unconfirmed = split_confirmed(arrivals("n", BURST_SIZE - 1, 0, 60, new=True))
    assert unconfirmed == [] and len(confirmed) == BURST_SIZE - 1


def test_newcomers_spread_out_over_time_are_not_a_burst() -> None:
    spread = arrivals("n", 3 * BURST_SIZE, 0, BURST_WINDOW // (BURST_SIZE - 2), new=True)
    confirmed, unconfirmed = split_confirmed(spread)
    assert unconfirmed == [] and len(confirmed) == len(spread)


def test_only_the_burst_part_of_a_stream_is_unconfirmed() -> None:
    early = arrivals("a", 2, 0, 60, new=True)
    burst = arrivals("b", BURST_SIZE, 10 * BURST_WINDOW, 60, new=True)
    late = arrivals("c", 2, 30 * BURST_WINDOW, 60, new=True)
    confirmed, unconfirmed = split_confirmed(late + burst + early)
    assert unconfirmed == burst and confirmed == early + late


def test_one_newcomer_repeating_is_not_a_burst() -> None:
    same = [Arrival(i, "n0", i * 60, True) for i in range(2 * BURST_SIZE)]
    assert split_confirmed(same)[1] == []


def test_new_means_new_to_the_bot_or_to_this_community() -> None:
    now = 100 * DAY
    assert is_new(None, None, now)
    assert is_new(now - DAY, now - DAY, now)
    assert not is_new(now - NEW_FOR, now - NEW_FOR, now)
    assert is_new(now - 60 * DAY, now - DAY, now)  # an old hand who just joined this community
    assert not is_new(now - 60 * DAY, None, now)  # a private report: only the bot-wide age matters


async def test_the_split_by_platform_is_the_rule_applied_to_each_platforms_arrivals(app, monkeypatch) -> None:
    """split_by_platform (the status's hot loop, plain tuples) gives what judging each platform's Arrivals, their
    newness from is_new, gives: the same refs confirmed and held, with the same hold times, in the same order."""
    import random

    from bot.features.availability.brigading import LAUNCH_GRACE, judge, split_by_platform

    held_somewhere = 0
    for seed in range(40):
        rng = random.Random(seed)
        launched = rng.choice([None, 0, 10 * DAY])
        monkeypatch.setattr(app.first_seen, "launched", lambda launched=launched: _value(launched))
        reporters = [f"r{i}" for i in range(rng.randrange(1, 40))]
        communities = [None, "c1", "c2"]
        firsts = {}
        for reporter in reporters:
            if rng.random() < 0.8:
                firsts[reporter] = {c: rng.randrange(0, 30 * DAY) for c in rng.sample(communities, rng.randrange(0, 3))}
        items = [(n, rng.choice(["p1", "p2", "p3"]), rng.choice(reporters), rng.choice(communities),
                  rng.randrange(5 * DAY, 30 * DAY) if rng.random() < 0.3 else 20 * DAY + rng.randrange(6 * 3600))
                 for n in range(rng.randrange(0, 120))]
        confirmed, held = await split_by_platform(app, items, firsts)
        want_confirmed, want_held = [], []
        per_platform: dict[str, list[Arrival]] = {}
        for ref, platform, reporter, community, at in items:
            mine = firsts.get(reporter, {})
            new = is_new(min(mine.values(), default=None), None if community is None else mine.get(community), at)
            in_grace = launched is None or at - launched < LAUNCH_GRACE
            per_platform.setdefault(platform, []).append(Arrival(ref, reporter, at, new and not in_grace))
        for group in per_platform.values():
            ok, flagged = judge(group)
            want_confirmed += [a.ref for a in ok]
            want_held += [(a.ref, hold) for a, hold in flagged]
        assert (confirmed, held) == (want_confirmed, want_held), seed
        held_somewhere += len(held)
    assert held_somewhere  # the random cases hold bursts


async def _value(value):
    return value


async def test_the_joiners_kept_up_to_date_are_the_joiners_read_whole(app, clock, monkeypatch) -> None:
    """FirstSeen.joiners reads the joiners whole once, then only the reporters who wrote since: through reports from
    private chats and two groups (a repeat in a group adds a community with the report's first time), with the
    clock moving on by a minute to a day, what it holds of the range is what a whole read of it gives."""
    import random
    from datetime import timedelta

    from bot.core.clock import unix
    from bot.core.model import Place, Platform
    from bot.features.availability.brigading import CLOCK_SKEW, JOINERS_HEADROOM
    from storage import first_seen as store
    from tests.reports_helpers import members, report

    reads = {"whole": 0, "since": 0}
    for name, function in (("whole", store.joined_since), ("since", store.joined_by_reports_since)):
        async def counted(db, since, name=name, function=function):
            reads[name] += 1
            return await function(db, since)
        monkeypatch.setattr(store, function.__name__, counted)
    rng = random.Random(15)
    places = [Place(Platform.CONSOLE, None, None, is_private=True),
              *(Place(Platform.CONSOLE, group, "general", is_private=False) for group in ("g1", "g2"))]
    people = members(25)
    for step in range(60):
        for _ in range(rng.randrange(0, 6)):
            await report(app, rng.choice(people), rng.choice(places), rng.choice(["outlier", "appen"]),
                         rng.choice(["drought", "tasks_back"]))
        clock.advance(timedelta(seconds=rng.choice([60, 301, 301, 3 * 3600, DAY])))
        since = unix(clock.now()) - NEW_FOR - rng.randrange(0, 6 * 3600)
        kept, read_at = await app.first_seen.joiners(since)
        whole = await store.joined_since(app.db, since - JOINERS_HEADROOM)
        reads["whole"] -= 1
        # Who wrote after the update is looked up afresh by the guard (as `late`): the rest must be as stored.
        late = {row[0] for row in await app.db.fetchall("SELECT reporter FROM reports WHERE updated_at >= ?",
                                                        (read_at - CLOCK_SKEW,))}
        assert {r: times for r, times in kept.items() if times[1] >= since - JOINERS_HEADROOM and r not in late} == {
            row[0]: (int(row[1]), int(row[2])) for row in whole if row[0] not in late}, step
    assert reads["since"] > 20 and reads["whole"] < 10  # mostly brought up to date, seldom read whole
