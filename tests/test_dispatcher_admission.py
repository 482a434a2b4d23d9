"""The per-person limit comes first: no moderator look-up before it, and a "slow down" said once per streak."""

from __future__ import annotations

import pytest

from bot.core.dispatcher import COMMANDS_PER_MINUTE
from bot.core.model import Actor, Platform
from bot.wiring import build_app
from tests.support.sample_commands import sample_registry


@pytest.fixture
async def sample_app(settings, clock):
    app = await build_app(settings, clock=clock, registry=sample_registry())
    yield app
    await app.db.close()


class Lookup:
    """A lazy moderator check that counts how often it is asked."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked = 0

    async def __call__(self) -> bool:
        self.asked += 1
        return self.answer


async def test_the_moderator_check_is_asked_only_for_moderator_commands(sample_app, group) -> None:
    """A member command never asks the platform who moderates; a moderator command asks once and obeys."""
    lookup = Lookup(answer=True)
    actor = Actor(Platform.TELEGRAM, "7", "Ann", moderator_check=lookup)
    await sample_app.dispatcher.dispatch_line("/about", actor, group)
    await sample_app.dispatcher.dispatch_line("/status outlier", actor, group)
    assert lookup.asked == 0
    reply = await sample_app.dispatcher.dispatch_line("/sample_mod hello", actor, group)
    assert lookup.asked == 1 and reply.title == "Noted"
    refused = await sample_app.dispatcher.dispatch_line(
        "/sample_mod hello", Actor(Platform.TELEGRAM, "8", "Bob", moderator_check=Lookup(answer=False)), group)
    assert "for moderators" in refused.plain_text()


async def test_the_limit_is_checked_before_the_moderator_check(sample_app, group) -> None:
    """Once over the limit, even a moderator command costs no look-up."""
    lookup = Lookup(answer=True)
    actor = Actor(Platform.TELEGRAM, "7", "Ann", moderator_check=lookup)
    for _ in range(COMMANDS_PER_MINUTE):
        await sample_app.dispatcher.dispatch_line("/about", actor, group)
    reply = await sample_app.dispatcher.dispatch_line("/sample_mod hello", actor, group)
    assert reply.title == "Slow down" and lookup.asked == 0


async def test_slow_down_is_said_once_until_the_person_is_admitted_again(sample_app, clock, member, group) -> None:
    """The first refusal is a normal reply; the repeats are marked, so a front end may leave them out."""
    for _ in range(COMMANDS_PER_MINUTE):
        await sample_app.dispatcher.dispatch_line("/about", member, group)
    refusals = [await sample_app.dispatcher.dispatch_line("/about", member, group) for _ in range(5)]
    asked = await sample_app.dispatcher.ask("is outlier legit?", member, group)
    assert [r.title for r in refusals] == ["Slow down"] * 5 and asked.title == "Slow down"
    assert [r.repeat_notice for r in [*refusals, asked]] == [False, True, True, True, True, True]
    clock.advance(minutes=1, seconds=1)
    assert (await sample_app.dispatcher.dispatch_line("/about", member, group)).title != "Slow down"
    for _ in range(COMMANDS_PER_MINUTE - 1):
        await sample_app.dispatcher.dispatch_line("/about", member, group)
    again = await sample_app.dispatcher.dispatch_line("/about", member, group)
    assert again.title == "Slow down" and not again.repeat_notice  # a new streak is told again
