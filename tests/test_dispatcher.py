"""The dispatcher: access, rate limits, choice prompts, and one friendly reply for every error."""

from __future__ import annotations

import logging

import pytest

from bot.core.dispatcher import COMMANDS_PER_MINUTE
from bot.wiring import build_app
from tests.support.sample_commands import sample_registry


@pytest.fixture
async def sample_app(settings, clock):
    app = await build_app(settings, clock=clock, registry=sample_registry())
    yield app
    await app.db.close()


async def test_a_command_runs_with_converted_params(sample_app, member, group) -> None:
    reply = await sample_app.dispatcher.dispatch_line("/sample_echo hi 3 red 0.5 yes", member, group)
    assert "number=3 (int)" in reply.blocks
    assert "flag=True (bool)" in reply.blocks
    assert "ratio=0.5 (float)" in reply.blocks


async def test_unknown_command_suggests_the_closest(sample_app, member, group) -> None:
    reply = await sample_app.dispatcher.dispatch_line("/hlep", member, group)
    assert reply.is_error
    assert "Did you mean /help" in reply.plain_text()
    assert reply.buttons[0].command == "help"


async def test_a_missing_choice_is_offered_as_buttons(sample_app, member, group) -> None:
    reply = await sample_app.dispatcher.dispatch_line("/sample_echo hi 3", member, group)
    assert [b.label for b in reply.buttons] == ["red", "green", "blue"]
    pressed = reply.buttons[1]
    again = await sample_app.dispatcher.dispatch(pressed.command, pressed.args, member, group)
    assert "colour='green' (str)" in again.blocks


async def test_a_missing_required_value_gets_usage_and_example(sample_app, member, group) -> None:
    reply = await sample_app.dispatcher.dispatch_line("/sample_echo", member, group)
    text = reply.plain_text()
    assert reply.is_error and "needs word" in text and "Example: /sample_echo hi 3 red" in text


async def test_members_are_refused_moderator_commands(sample_app, member, moderator, group) -> None:
    refused = await sample_app.dispatcher.dispatch_line("/sample_mod hello", member, group)
    assert refused.is_error and "for moderators" in refused.plain_text()
    allowed = await sample_app.dispatcher.dispatch_line("/sample_mod hello", moderator, group)
    assert allowed.blocks == ["hello"]


async def test_community_commands_are_refused_in_private(sample_app, moderator, private) -> None:
    reply = await sample_app.dispatcher.dispatch_line("/sample_mod hello", moderator, private)
    assert reply.is_error and "not in a private chat" in reply.plain_text()


async def test_an_unexpected_error_gives_an_id_and_no_traceback(sample_app, member, group, caplog) -> None:
    with caplog.at_level(logging.ERROR):
        reply = await sample_app.dispatcher.dispatch_line("/sample_boom", member, group)
    text = reply.plain_text()
    assert reply.is_error and "error id" in text
    assert "Traceback" not in text and "kaboom" not in text
    error_id = text.split("error id ")[1].split(")")[0]
    assert error_id in caplog.text and "kaboom" in caplog.text


async def test_a_person_is_rate_limited_then_allowed_again(sample_app, clock, member, group) -> None:
    for _ in range(COMMANDS_PER_MINUTE):
        assert not (await sample_app.dispatcher.dispatch_line("/about", member, group)).is_error
    limited = await sample_app.dispatcher.dispatch_line("/about", member, group)
    assert limited.is_error and "Try again in" in limited.plain_text()
    clock.advance(seconds=61)
    assert not (await sample_app.dispatcher.dispatch_line("/about", member, group)).is_error


async def test_help_lists_commands_and_explains_one(sample_app, member, group) -> None:
    overview = await sample_app.dispatcher.dispatch_line("/help", member, group)
    assert "/about — What this bot does" in overview.plain_text()
    detail = await sample_app.dispatcher.dispatch_line("/help sample_echo", member, group)
    text = detail.plain_text()
    assert "Usage: /sample_echo <word> <number> <colour>" in text and "One of: red, green, blue" in text
    missing = await sample_app.dispatcher.dispatch_line("/help abot", member, group)
    assert missing.is_error and "Did you mean /about" in missing.plain_text()
