"""The first refresh after a start splits every platform at once (brigading.split_groups, OpinionBook._prepare): the
same verdicts, tallies and set-aside counts as each platform split and derived on its own, on both backends."""

from __future__ import annotations

import pytest

from bot.core.clock import unix
from bot.core.model import Place, Platform
from bot.features.availability import brigading
from bot.features.availability.book import OpinionBook
from bot.features.availability.brigading import BURST_SIZE, LAUNCH_GRACE
from bot.features.availability.status import HALF_LIFE, LOOKBACK
from bot.features.reports.kinds import AVAILABILITY_KINDS
from bot.features.reports.recording import window_start
from storage import reports as store
from tests.reports_helpers import members, report
from tests.test_opinion_book import snapshot

pytestmark = pytest.mark.usefixtures("backend")

OLD_HOME, NEW_HOME = (Place(Platform.CONSOLE, f"community{i}", "general", is_private=False) for i in range(2))


async def a_busy_window(app, clock) -> None:
    """Bursts on two platforms, of brand-new members and of old hands new to the community they report in; a
    platform with a few newcomers; veterans reporting at home."""
    start = unix(clock.now())
    long_ago = start - LAUNCH_GRACE - 30 * 86400
    await store.upsert_report(app.db, store.NewReport("founder", "outlier", "drought", "",
                                                      window_start("drought", long_ago), long_ago))
    veterans = members(2 * BURST_SIZE, start=100)
    for actor in veterans:
        await store.upsert_report(app.db, store.NewReport(
            app.person_key("console", actor.user_id), "appen", "payrate", "", 0, long_ago,
            community=OLD_HOME.community_key, hourly_usd=20.0))
    for actor in members(BURST_SIZE + 2):
        await report(app, actor, NEW_HOME, "outlier", "drought")
    for actor in veterans[:BURST_SIZE]:  # old hands, new to this community
        await report(app, actor, NEW_HOME, "toloka", "tasks_back", project="p1")
        await report(app, actor, NEW_HOME, "toloka", "drought")
    clock.advance(seconds=600)
    for actor in veterans[BURST_SIZE:]:
        await report(app, actor, OLD_HOME, "outlier", "tasks_back")
    for actor in members(2, start=50):
        await report(app, actor, NEW_HOME, "appen", "drought")
    clock.advance(seconds=600)


async def test_every_platform_split_at_once_is_each_platform_split_alone(app, clock):
    await a_busy_window(app, clock)
    at = unix(clock.now())
    groups: dict[str, list] = {}
    for row in await store.latest_opinions(app.db, AVAILABILITY_KINDS, None, at - LOOKBACK):
        groups.setdefault(row[0], []).append(tuple(row))
    together = await brigading.split_groups(app, groups)
    alone = {p: await brigading.split_opinions(app, opinions) for p, opinions in groups.items()}
    assert together == alone
    held = {p: {o[2] for o, _hold in flagged} for p, (_ok, flagged) in together.items()}
    assert len(held["outlier"]) == BURST_SIZE + 2 and len(held["toloka"]) == BURST_SIZE  # newcomers; old hands
    assert not held["appen"]


async def test_a_book_of_every_platform_equals_a_book_per_platform(app, clock):
    await a_busy_window(app, clock)
    at = unix(clock.now())
    every = snapshot(await OpinionBook(app, LOOKBACK, HALF_LIFE).tallies(at))
    each: dict = {"tallies": {}, "unconfirmed": {}}
    for platform in ("outlier", "toloka", "appen"):
        one = snapshot(await OpinionBook(app, LOOKBACK, HALF_LIFE).tallies(at, platform))
        each["tallies"].update(one["tallies"])
        each["unconfirmed"].update(one["unconfirmed"])
    assert every == each and every["unconfirmed"]
