"""Splitting a typed line into words: quotes as before, in time linear in the line's length."""

from __future__ import annotations

import shlex
import time

import pytest

from bot.core import arguments
from tests.support.sample_commands import SAMPLE_COMMANDS

ECHO = SAMPLE_COMMANDS[0]


@pytest.mark.parametrize(
    "line",
    ['a b c', '"two words" three', "'single quoted' x", 'mid"dle quo"te', r'back\ slash', r'"esc \" q" z',
     r'"keep \n backslash"', '  spaced   out  ', 'a "" b', "tab\tseparated\nlines", "#hash words"],
)
def test_words_split_as_a_shell_would(line) -> None:
    assert arguments.split_words(line) == shlex.split(line)


@pytest.mark.parametrize("line, words", [
    ("don't stop", ["don't", "stop"]),
    ('"open quote', ['"open', "quote"]),
    ('fine "then open', ["fine", '"then', "open"]),
    ("trailing\\", ["trailing\\"]),
])
def test_an_unbalanced_quote_is_taken_literally(line, words) -> None:
    assert arguments.split_words(line) == words


def test_a_hash_is_an_ordinary_character() -> None:
    raw = arguments.parse_line(ECHO, "#hi 3 red")
    assert raw == {"word": "#hi", "number": "3", "colour": "red"}


def test_the_rest_of_the_line_keeps_its_spacing_and_a_single_quoted_value_loses_its_quotes() -> None:
    raw = arguments.parse_line(ECHO, 'hi 3 red 1 yes "#general"   keep   "these" spaces ')
    assert raw["rest"] == 'keep   "these" spaces'
    assert arguments.parse_line(ECHO, 'hi 3 red 1 yes x "only one"')["rest"] == "only one"


@pytest.mark.parametrize("line", ["a" * 2_000_000, '"' + "a" * 2_000_000, "a " * 1_000_000,
                                  "'a' " * 500_000, "\\a" * 1_000_000])
def test_a_two_megabyte_line_is_parsed_in_well_under_a_second(line) -> None:
    started = time.perf_counter()
    try:
        arguments.parse_line(ECHO, line)
    except Exception as exc:  # too many arguments is fine; only the time matters here
        assert type(exc).__name__ == "BadArgument"
    assert time.perf_counter() - started < 1.0
