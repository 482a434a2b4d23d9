"""Argument parsing and conversion, shared by the console and Telegram."""

from __future__ import annotations

import pytest

from bot.core import arguments
from bot.core.errors import BadArgument
from tests.support.sample_commands import SAMPLE_COMMANDS

ECHO = SAMPLE_COMMANDS[0]


def test_words_map_onto_params_in_order_and_the_last_text_takes_the_rest() -> None:
    raw = arguments.parse_line(ECHO, 'hi 3 red 1.5 yes "#general" the rest of the line')
    assert raw == {"word": "hi", "number": "3", "colour": "red", "ratio": "1.5", "flag": "yes",
                   "where": "#general", "rest": "the rest of the line"}


def test_quoted_values_keep_their_spaces() -> None:
    raw = arguments.parse_line(ECHO, '"two words" 3 blue')
    assert raw == {"word": "two words", "number": "3", "colour": "blue"}


def test_too_many_arguments_is_refused_with_usage() -> None:
    command = SAMPLE_COMMANDS[3]  # sample_mod: one free-text param takes everything
    assert arguments.parse_line(command, "a b c") == {"note": "a b c"}
    with pytest.raises(BadArgument) as caught:
        arguments.parse_line(SAMPLE_COMMANDS[1], "extra words")
    assert "Too many arguments" in caught.value.message
    assert "Usage: /sample_buttons" in caught.value.hint


@pytest.mark.parametrize(
    "param, raw, expected",
    [("number", "7", 7), ("ratio", "2,5", 2.5), ("flag", "no", False), ("colour", "RED", "red")],
)
def test_values_are_converted_to_their_type(param: str, raw: str, expected: object) -> None:
    assert arguments.convert(ECHO, ECHO.param(param), raw) == expected


@pytest.mark.parametrize(
    "param, raw, message",
    [
        ("number", "seven", "not a whole number"),
        ("number", "11", "too large; use a whole number from 1 to 10"),
        ("ratio", "nan", "not a number"),
        ("flag", "maybe", "not yes or no"),
        ("colour", "purple", "not one of: red, green, blue"),
    ],
)
def test_bad_values_say_what_is_wrong(param: str, raw: str, message: str) -> None:
    with pytest.raises(BadArgument) as caught:
        arguments.convert(ECHO, ECHO.param(param), raw)
    assert message in caught.value.message
    assert "Example: /sample_echo hi 3 red" in caught.value.hint


def test_usage_marks_optional_params() -> None:
    assert arguments.usage(ECHO) == "/sample_echo <word> <number> <colour> [ratio] [flag] [where] [rest]"
