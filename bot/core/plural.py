"""Counting words: "1 person", "2 people", in the reply's language (ngettext and Babel's number format)."""

from __future__ import annotations

from bot.core.i18n import ngettext, number


def plural(n: int, one: str, many: str | None = None) -> str:
    """The count and the word in the right number: plural(1, "person", "people") -> "1 person".

    Both forms are given so `pybabel extract -k plural:2,3` finds them and each language's plural rule applies."""
    return f"{number(n)} {ngettext(one, many or one + 's', n)}"
