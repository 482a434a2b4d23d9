"""Splitting the console's input into lines, whatever the line endings and however the input arrives."""

from __future__ import annotations

import os

from bot.adapters.console.lines import MAX_LINE, TooLong, read_lines


class Pieces:
    """A text stream that hands out the given pieces one read at a time (no file descriptor)."""

    def __init__(self, *pieces: str) -> None:
        self._pieces = list(pieces)

    def read(self, size: int = -1) -> str:
        """The next piece, or '' at the end."""
        return self._pieces.pop(0) if self._pieces else ""


def test_cr_lf_and_crlf_each_end_one_line_even_split_across_reads() -> None:
    assert list(read_lines(Pieces("a\r", "\nb\rc\n", "d\r\n", "e"))) == ["a", "b", "c", "d", "e"]


def test_blank_lines_are_kept_as_empty_lines() -> None:
    assert list(read_lines(Pieces("a\n\n\rb"))) == ["a", "", "", "b"]


def test_an_over_long_line_is_skipped_with_its_length_and_the_next_line_still_read() -> None:
    lines = list(read_lines(Pieces("x" * 3000, "x" * 3000, "\nnext\n", "y" * (MAX_LINE + 1))))
    assert lines == [TooLong(6000), "next", TooLong(MAX_LINE + 1)]
    assert "6000 characters" in lines[0].refusal()


def test_a_line_of_exactly_the_limit_is_kept() -> None:
    assert list(read_lines(Pieces("z" * MAX_LINE + "\n"))) == ["z" * MAX_LINE]


def test_bytes_from_a_descriptor_are_decoded_and_bad_ones_replaced() -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, "café\r".encode() + b"\xff\n")
    os.close(write_end)
    with os.fdopen(read_end, encoding="utf-8") as stream:
        assert list(read_lines(stream)) == ["café", "\ufffd"]
