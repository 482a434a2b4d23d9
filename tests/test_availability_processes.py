"""Several processes on one database each keep a copy of the current states: a state change is stored once,
by whichever process sees it first, and the others learn it from the store instead of recording it again
(a second record would be a second alert)."""

from __future__ import annotations

import pytest

from bot.features.availability.status import HALF_LIFE, MIN_DURATION, Availability
from tests.reports_helpers import events, members, report

pytestmark = pytest.mark.usefixtures("backend")  # on SQLite and PostgreSQL


async def platform_state(availability: Availability, now, platform: str = "outlier") -> str:
    statuses = await availability.statuses(now, platform)
    return next(s for s in statuses if s.project == "").state


async def test_a_state_change_seen_by_two_processes_is_stored_once(app, clock, group) -> None:
    worker, webhook = app.availability, Availability(app)  # two processes' copies of the current states
    assert await platform_state(webhook, clock.now()) == "none"  # the webhook process has loaded its copy
    droughters = members(5)
    for actor in droughters:
        await report(app, actor, group, "outlier", "drought")
    clock.advance(seconds=MIN_DURATION)
    assert await platform_state(worker, clock.now()) == "drought"
    assert await platform_state(webhook, clock.now()) == "drought"
    assert await events(app, "outlier") == [("none", "drought")]

    clock.advance(seconds=2 * HALF_LIFE)
    for actor in members(3, start=100):
        await report(app, actor, group, "outlier", "tasks_back")
    assert await platform_state(webhook, clock.now()) == "flowing"
    assert await platform_state(worker, clock.now()) == "flowing"
    assert await events(app, "outlier") == [("none", "drought"), ("drought", "flowing")]
    since = [s.since for s in (*await worker.statuses(clock.now(), "outlier"),
                               *await webhook.statuses(clock.now(), "outlier")) if s.project == ""]
    assert since[0] == since[1] is not None  # both tell the time the stored change gives
