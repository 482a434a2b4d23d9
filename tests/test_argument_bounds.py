"""Numeric parameters at and beyond their bounds, and how much of a member's input an error repeats."""

from __future__ import annotations

import math

import pytest

from bot.core import arguments
from bot.core.declarations import Command, Param, ParamKind
from bot.core.errors import ECHO_LIMIT, BadArgument, quoted
from bot.wiring import load_registry

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
ISSUE_LINES = [  # issue 12: each raised a TypeError or an OverflowError and answered with an error id
    "/payrate outlier 0 USD",
    "/payrate outlier -5",
    "/retract 0",
    "/mod_hide 0 spam",
    "/retract 99999999999999999999",
]


async def _noop(inv, **params):  # pragma: no cover - never run
    raise AssertionError


def _bounded(kind: ParamKind, low: float | None, high: float | None) -> tuple[Command, Param]:
    param = Param("value", "A value", kind=kind, min_value=low, max_value=high)
    return Command("bounds", "Bounds", _noop, params=(param,)), param


BOUNDS = [(None, None), (1, None), (None, 50), (1, 50)]  # none, min only, max only, both


def _refusal(command: Command, param: Param, raw: object) -> str:
    with pytest.raises(BadArgument) as caught:
        arguments.convert(command, param, raw)
    return caught.value.message


@pytest.mark.parametrize("line", ISSUE_LINES)
async def test_the_issue_lines_get_a_clear_reply(app, moderator, group, line) -> None:
    reply = await app.dispatcher.dispatch_line(line, moderator, group)
    text = reply.plain_text()
    assert reply.is_error and reply.title == "Check the command", text
    assert "error id" not in text
    assert ("too small" in text) != ("too large" in text), text


@pytest.mark.parametrize("kind", [ParamKind.INTEGER, ParamKind.NUMBER])
@pytest.mark.parametrize("low, high", BOUNDS)
def test_every_bound_combination_refuses_with_the_range(kind, low, high) -> None:
    command, param = _bounded(kind, low, high)
    if low is not None:
        message = _refusal(command, param, str(low - 1))
        assert "too small" in message and f"{low}" in message
        assert arguments.convert(command, param, str(low)) == low
    if high is not None:
        message = _refusal(command, param, str(high + 1))
        assert "too large" in message and f"{high}" in message
        assert arguments.convert(command, param, str(high)) == high
    if (low, high) == (None, None):
        assert arguments.convert(command, param, "-7") == -7


@pytest.mark.parametrize("low, high", BOUNDS)
def test_whole_numbers_stay_within_what_storage_holds(low, high) -> None:
    command, param = _bounded(ParamKind.INTEGER, low, high)
    if high is None:
        assert arguments.convert(command, param, str(INT64_MAX)) == INT64_MAX
    for raw in (str(INT64_MAX + 1), "99999999999999999999", "9" * 5000, INT64_MAX + 1):
        message = _refusal(command, param, raw)
        assert "too large" in message, message
        assert len(message) < 200
    for raw in (str(INT64_MIN - 1), "-" + "9" * 5000):
        assert "too small" in _refusal(command, param, raw)
    if low is None:
        assert arguments.convert(command, param, str(INT64_MIN)) == INT64_MIN


@pytest.mark.parametrize("low, high", BOUNDS)
@pytest.mark.parametrize("raw, word", [("nan", "not a number"), ("NaN", "not a number"), ("inf", "too large"),
                                       ("-inf", "too small"), ("Infinity", "too large"), ("1e309", "too large"),
                                       ("-1e309", "too small"), (math.nan, "not a number"), (math.inf, "too large")])
def test_numbers_refuse_nan_and_infinity(low, high, raw, word) -> None:
    command, param = _bounded(ParamKind.NUMBER, low, high)
    message = _refusal(command, param, raw)
    assert word in message, message


def test_every_numeric_parameter_of_the_registry_refuses_out_of_range_values() -> None:
    checked = 0
    for command in load_registry():
        for param in command.params:
            if param.kind not in (ParamKind.INTEGER, ParamKind.NUMBER):
                continue
            beyond = ["99999999999999999999", "-99999999999999999999", "1e309", "nan", "9" * 5000]
            if param.min_value is not None:
                beyond.append(str(param.min_value - 1))
            if param.max_value is not None:
                beyond.append(str(param.max_value + 1))
            for raw in beyond:
                try:
                    value = arguments.convert(command, param, raw)
                except BadArgument as exc:
                    assert len(exc.message) < 300
                else:  # accepted: then it is finite and storable
                    assert math.isfinite(value), (command.name, raw)
                    assert param.kind is ParamKind.NUMBER or INT64_MIN <= value <= INT64_MAX, (command.name, raw)
            checked += 1
    assert checked >= 8  # retract, mod_*, payrate, onboarding, mod_log, mod_bar ...


def test_quoted_keeps_at_most_the_echo_limit_of_the_input() -> None:
    assert quoted("outlier") == "“outlier”"
    long = quoted("x" * 5000)
    assert long.count("x") <= ECHO_LIMIT and long.endswith("…”")
    assert "\u202e" not in quoted("abc\u202edef")  # a bidi override would flip the rest of the reply


@pytest.mark.parametrize("raw", ["x" * 5000, "9" * 5000, "1" * 150 + "abc", "nope " * 1000])
def test_refusals_never_echo_more_than_the_limit(raw) -> None:
    command, integer = _bounded(ParamKind.INTEGER, 1, None)
    for param in (integer, Param("ratio", "A number", kind=ParamKind.NUMBER),
                  Param("flag", "Yes or no", kind=ParamKind.BOOLEAN)):
        message = _refusal(command, param, raw)
        assert raw[:ECHO_LIMIT + 1] not in message


def test_too_many_arguments_echoes_at_most_the_limit() -> None:
    command = next(c for c in load_registry() if c.name == "retract")
    with pytest.raises(BadArgument) as caught:
        arguments.parse_line(command, "12 " + "extra " * 1000)
    assert ("extra " * 20)[: ECHO_LIMIT + 1] not in caught.value.message
    assert "Too many arguments" in caught.value.message


async def test_an_unknown_command_echoes_at_most_the_limit(app, member, group) -> None:
    reply = await app.dispatcher.dispatch_line("/" + "z" * 5000, member, group)
    assert reply.is_error and "z" * (ECHO_LIMIT + 1) not in reply.plain_text()
