"""The opinion book (bot/features/availability/book.py) kept up to date as reports, retractions, hides, bars and
time go by gives the tallies a book reading everything afresh gives, on both backends."""

from __future__ import annotations

import asyncio
import random

import pytest

from bot.core.clock import unix
from bot.core.model import Place, Platform
from bot.features.availability.book import OpinionBook
from bot.features.availability.brigading import LAUNCH_GRACE
from bot.features.availability.status import HALF_LIFE, LOOKBACK
from bot.features.reports.recording import window_start
from storage import moderation as moderation_store
from storage import reports as store
from tests.reports_helpers import members, report

pytestmark = pytest.mark.usefixtures("backend")

PLATFORMS = ("outlier", "appen", "toloka")
COMMUNITIES = [Place(Platform.CONSOLE, f"community{i}", "general", is_private=False) for i in range(3)]


def snapshot(tallies) -> dict:
    """Tallies and set-aside counts in a comparable form (weights to 9 places: they are sums of floats)."""
    found, unconfirmed = tallies
    return {
        "tallies": {key: (round(t.drought, 9), round(t.flowing, 9), list(t.drought_firsts), t.flowing_n, t.last_at)
                    for key, t in found.items()},
        "unconfirmed": dict(unconfirmed),
    }


async def write_elsewhere(app, rng: random.Random, at: int) -> None:
    """A report written straight to the database, as another process would: nothing in this one is told."""
    kind = rng.choice(("drought", "tasks_back"))
    await store.upsert_report(app.db, store.NewReport(
        f"elsewhere{rng.randrange(20)}", rng.choice(PLATFORMS), kind, rng.choice(("", "", "p1")),
        window_start(kind, at), at, community=rng.choice(COMMUNITIES).community_key))


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_kept_book_equals_a_fresh_one_after_random_changes(app, clock, seed):
    rng = random.Random(seed)
    start = unix(clock.now())
    # The bot has run for longer than its launch grace, so bursts of newcomers are set aside.
    await store.upsert_report(app.db, store.NewReport("founder", "outlier", "drought", "",
                                                      window_start("drought", start - LAUNCH_GRACE - 86400),
                                                      start - LAUNCH_GRACE - 86400))
    veterans = members(6, start=100)
    for actor in veterans:  # established reporters: first reported long before
        await store.upsert_report(app.db, store.NewReport(
            app.person_key("console", actor.user_id), "appen", "payrate", "", 0, start - 30 * 86400,
            community=COMMUNITIES[0].community_key, hourly_usd=20.0))
    newcomers = members(12)
    book = app.availability.book
    bursts = 0
    for _step in range(70):
        at = unix(clock.now())
        action = rng.random()
        if action < 0.45:
            actor = rng.choice(newcomers + veterans)
            await report(app, actor, rng.choice(COMMUNITIES), rng.choice(PLATFORMS),
                         rng.choice(("drought", "drought", "tasks_back")),
                         **({"project": "p1"} if rng.random() < 0.2 else {}))
        elif action < 0.55:
            await write_elsewhere(app, rng, at)
        elif action < 0.62:
            row = await app.db.fetchone("SELECT id, reporter FROM reports WHERE kind IN ('drought', 'tasks_back') "
                                        "ORDER BY id DESC LIMIT 1 OFFSET ?", (rng.randrange(5),))
            if row is not None:
                await store.delete_report(app.db, row["id"], row["reporter"])  # a retraction
        elif action < 0.68:
            row = await app.db.fetchone("SELECT id FROM reports ORDER BY id DESC LIMIT 1 OFFSET ?",
                                        (rng.randrange(8),))
            if row is not None:
                await moderation_store.set_hidden(app.db, row["id"], rng.random() < 0.7, "test")
        elif action < 0.72:  # a burst of brand-new members on one platform: the guard sets them aside
            platform, arrived = rng.choice(PLATFORMS), len(newcomers)
            newcomers += members(6, start=1000 + arrived)
            for actor in newcomers[arrived:]:
                await report(app, actor, rng.choice(COMMUNITIES), platform, "drought")
        elif action < 0.76:
            actor = rng.choice(newcomers + veterans)
            await moderation_store.put_bar(app.db, app.person_key("console", actor.user_id), "community0", 1,
                                           at + rng.choice((300, 3600)), "test", at)
        else:
            clock.advance(seconds=rng.choice((30, 600, 1800, 3600, 2 * 3600)))
        at = unix(clock.now())
        kept = snapshot(await book.tallies(at))
        fresh = snapshot(await OpinionBook(app, LOOKBACK, HALF_LIFE).tallies(at))
        assert kept == fresh
        bursts += bool(kept["unconfirmed"])
        one = rng.choice(PLATFORMS)
        assert snapshot(await book.tallies(at, one)) == snapshot(
            await OpinionBook(app, LOOKBACK, HALF_LIFE).tallies(at, one))
    assert bursts  # the sequence did set reports aside (so their expiry was compared too)


async def test_a_write_from_another_process_is_seen_at_the_next_read(app, clock):
    at = unix(clock.now())
    group = COMMUNITIES[0]
    for actor in members(3):
        await report(app, actor, group, "outlier", "drought")
    before, _ = await app.availability.book.tallies(at, "outlier")
    await store.upsert_report(app.db, store.NewReport("someone-else", "outlier", "tasks_back", "",
                                                      window_start("tasks_back", at), at))
    after, _ = await app.availability.book.tallies(at, "outlier")
    assert before[("outlier", "")].flowing_n == 0 and after[("outlier", "")].flowing_n == 1


async def test_an_unchanged_platform_is_not_read_again(app, clock, monkeypatch):
    group = COMMUNITIES[0]
    for actor in members(3):
        await report(app, actor, group, "outlier", "drought")
    book = app.availability.book
    await book.tallies(unix(clock.now()))
    reads = []
    real = store.latest_opinions

    async def counting(*args, **kwargs):
        reads.append(args[2])
        return await real(*args, **kwargs)

    monkeypatch.setattr(store, "latest_opinions", counting)
    clock.advance(seconds=600)
    await book.tallies(unix(clock.now()))
    assert reads == []  # time passed, nothing was written: the opinions in memory serve
    await report(app, members(1, start=50)[0], group, "appen", "drought")
    await book.tallies(unix(clock.now()))
    assert reads == ["appen"]  # only the platform written to is read again


async def test_reads_at_once_with_writes_between_leave_the_book_as_a_fresh_one(app, clock):
    rng = random.Random(5)
    at = unix(clock.now())
    for actor in members(8):
        await report(app, actor, rng.choice(COMMUNITIES), rng.choice(PLATFORMS), "drought")
    book = app.availability.book

    async def write_then_read() -> None:
        await write_elsewhere(app, rng, at)
        await book.tallies(at)

    await asyncio.gather(*(book.tallies(at) for _ in range(4)), *(write_then_read() for _ in range(4)),
                         *(book.tallies(at, rng.choice(PLATFORMS)) for _ in range(4)))
    assert snapshot(await book.tallies(at)) == snapshot(await OpinionBook(app, LOOKBACK, HALF_LIFE).tallies(at))


async def test_a_status_reads_the_data_versions_once_and_still_shows_a_project_report_from_elsewhere(
        app, clock, monkeypatch):
    from bot.features.availability.reply import platform_status
    from storage import versions as versions_store

    group = COMMUNITIES[0]
    for actor in members(3):
        await report(app, actor, group, "outlier", "drought")
    await platform_status(app, "outlier", "Outlier", clock.now())
    reads = []
    real = versions_store.current

    async def counting(*args, **kwargs):
        reads.append(args[2:])
        return await real(*args, **kwargs)

    monkeypatch.setattr(versions_store, "current", counting)
    clock.advance(seconds=5)
    at = unix(clock.now())
    await store.upsert_report(app.db, store.NewReport("someone-else", "outlier", "project_paused", "atlas",
                                                      window_start("project_paused", at), at))
    reply = await platform_status(app, "outlier", "Outlier", clock.now())
    assert len(reads) == 1  # the status's own read serves its project list
    assert "atlas" in reply.plain_text().lower()  # written by another process just before: shown
