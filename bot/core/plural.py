"""Counting words: "1 person", "2 people". One function, so a translation layer (ngettext) can replace it."""

from __future__ import annotations


def plural(n: int, one: str, many: str | None = None) -> str:
    """The count and the word in the right number: plural(1, "person", "people") -> "1 person"."""
    word = one if n == 1 else (many if many is not None else one + "s")
    return f"{n:,} {word}"
