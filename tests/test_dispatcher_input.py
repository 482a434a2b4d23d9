"""What the dispatcher makes of odd input: blank values, broken characters, odd spacing, and who is limited."""

from __future__ import annotations

from dataclasses import replace

from bot.core.dispatcher import COMMANDS_PER_MINUTE


async def test_only_actors_that_opt_out_skip_the_per_person_limit(app, member, group) -> None:
    script = replace(member, user_id="script", rate_limited=False)
    for _ in range(COMMANDS_PER_MINUTE + 5):
        assert not (await app.dispatcher.dispatch_line("/about", script, group)).is_error
    replies = [await app.dispatcher.dispatch_line("/about", member, group) for _ in range(COMMANDS_PER_MINUTE + 1)]
    assert replies[-1].title == "Slow down" and not any(r.is_error for r in replies[:-1])


async def test_a_blank_value_counts_as_missing(app, member, group) -> None:
    reply = await app.dispatcher.dispatch("legit", {"platform": "   "}, member, group)
    assert reply.is_error and "needs platform" in reply.plain_text()


async def test_a_lone_surrogate_becomes_a_replacement_character(app, member, group) -> None:
    reply = await app.dispatcher.dispatch_line("/legit qq\ud800qq", member, group)
    text = reply.plain_text()
    text.encode("utf-8")
    assert "“qq\ufffdqq”" in text


async def test_any_whitespace_separates_the_command_name(app, member, group) -> None:
    reply = await app.dispatcher.dispatch_line("/legit\ttoloka", member, group)
    assert not reply.is_error and "Toloka" in reply.plain_text()
    assert (await app.dispatcher.dispatch_line("/", member, group)).title == "Unknown command"


async def test_unknown_option_names_are_echoed_short(app, member, group) -> None:
    reply = await app.dispatcher.dispatch("legit", {"platform": "toloka", "x" * 5000: "1"}, member, group)
    assert reply.is_error and "has no parameter" in reply.plain_text() and "x" * 101 not in reply.plain_text()
