"""Parsing and checking command arguments against a declaration, the same way for every front end."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any, NamedTuple

from bot.core.declarations import Command, Param, ParamKind, choice_key
from bot.core.errors import BadArgument, quoted
from bot.core.i18n import _

TRUE_WORDS = {"yes", "y", "true", "1", "on", "paid"}
FALSE_WORDS = {"no", "n", "false", "0", "off", "unpaid"}


def readable(text: str) -> str:
    """The text with any lone surrogate (from a broken client or undecodable bytes) replaced by U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # rare: only then pay for the round trip
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def usage(command: Command) -> str:
    """The usage line, e.g. `/report <platform> <what> [project]`."""
    parts = [f"/{command.name}"]
    for param in command.params:
        parts.append(f"<{param.name}>" if param.required else f"[{param.name}]")
    return " ".join(parts)


def example(command: Command) -> str:
    """An example call, from the declaration."""
    if command.examples:
        return command.examples[0]
    values = [_example_value(p) for p in command.params if p.required]
    return " ".join([f"/{command.name}", *values])


def _example_value(param: Param) -> str:
    if param.example:
        return param.example
    if param.choices:
        return param.choices[0].value
    return {ParamKind.INTEGER: "3", ParamKind.NUMBER: "12.5", ParamKind.BOOLEAN: "yes"}.get(param.kind, param.name)


def takes_rest_of_line(command: Command, param: Param) -> bool:
    """The last free-text parameter takes the rest of the line, spaces included."""
    return param is command.params[-1] and param.kind is ParamKind.TEXT and not param.choices


# One pass over the line: a double-quoted part (backslash escapes " and \\), a single-quoted part, a run of
# escaped characters, a run of whitespace, or a run of ordinary characters. A quote that never closes matches none.
_TOKEN = re.compile(r'"((?:[^"\\]++|\\.)*+)"|\'([^\']*)\'|((?:\\.)++)|(\s+)|([^\s"\'\\]+)', re.DOTALL)
_DOUBLE_QUOTED_ESCAPE = re.compile(r'\\(["\\])')
_LITERAL_WORD = re.compile(r"\S+")
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1  # what an SQLite INTEGER (and a PostgreSQL BIGINT) holds
MAX_DIGITS = 40  # longer digit strings are out of range whatever the bounds; never handed to int()


class Word(NamedTuple):
    """One word of a typed line, quotes removed, and where it starts in the line."""

    text: str
    start: int


def words(text: str) -> Iterator[Word]:
    """The words of a line as a shell splits them; from an unbalanced quote on, words are taken literally."""
    parts: list[str] = []
    start: int | None = None  # where the word being built starts, None between words
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # an unbalanced quote or a trailing backslash
            position = position if start is None else start
            yield from (Word(m.group(), m.start()) for m in _LITERAL_WORD.finditer(text, position))
            return
        double, single, escaped, space, plain = match.groups()
        if space is not None:
            if start is not None:
                yield Word("".join(parts), start)
                parts, start = [], None
        else:
            start = match.start() if start is None else start
            parts.append(_DOUBLE_QUOTED_ESCAPE.sub(r"\1", double) if double is not None
                         else single if single is not None
                         else escaped[1::2] if escaped is not None else plain)  # "\\a\\b" -> "ab"
        position = match.end()
    if start is not None:
        yield Word("".join(parts), start)


def split_words(text: str) -> list[str]:
    """Split a line into words, honouring quotes; an unbalanced quote is taken literally."""
    return [word.text for word in words(text)]


def _choice_words(param: Param) -> int:
    """The most words any name of the parameter's choices has ("no tasks", "project ended": 2)."""
    return max((len(name.split()) for choice in param.choices for name in choice.names), default=1)


def _choice_span(param: Param, found: list[Word], index: int) -> int:
    """How many words from `index` name one of the parameter's choices together: the longest that does, else 1."""
    for size in range(min(_choice_words(param), len(found) - index), 1, -1):
        span = found[index:index + size]
        if any(not word.text.strip() for word in span):  # "" is a value of its own (an empty project)
            continue
        if any(choice.is_named(" ".join(word.text for word in span)) for choice in param.choices):
            return size
    return 1


def parse_line(command: Command, text: str) -> dict[str, str]:
    """Map the text after a command name onto its parameters, in order; a choice may be several words."""
    # Only as many words as the parameters can take (and one more, to notice extras) are ever split off.
    most = sum(_choice_words(p) if p.choices else 1 for p in command.params)
    found = list(islice(words(text), most + 1))
    raw: dict[str, str] = {}
    index = 0
    for param in command.params:
        if index >= len(found):
            return raw
        if takes_rest_of_line(command, param):
            rest = text[found[index].start:].strip()
            raw[param.name] = found[index].text if len(found) == index + 1 else rest
            return raw
        size = _choice_span(param, found, index) if param.choices else 1
        raw[param.name] = " ".join(word.text for word in found[index:index + size])
        index += size
    if index < len(found):
        rest = text[found[index].start:].strip()
        raise BadArgument(
            _("Too many arguments: I don't know what to do with {rest}.").format(rest=quoted(rest)),
            hint=_hint(command) + "\n" + _("Put a value with spaces in quotes."),
        )
    return raw


def convert(command: Command, param: Param, value: Any) -> Any:
    """Check and convert one raw value to the parameter's type."""
    if isinstance(value, str):
        value = value.strip()

    def bad(what: str) -> BadArgument:
        return BadArgument(f"{param.name}: {what}", hint=_hint(command))

    if param.kind is ParamKind.INTEGER:
        return _in_range(param, _whole_number(value, bad), value, bad)
    if param.kind is ParamKind.NUMBER:
        return _in_range(param, _number(value, bad), value, bad)
    if param.kind is ParamKind.BOOLEAN:
        if isinstance(value, bool):
            return value
        word = str(value).lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise bad(_("{value} is not yes or no.").format(value=quoted(value)))
    text = str(value)
    if not text:
        raise bad(_("is empty."))
    if param.max_length is not None and len(text) > param.max_length:
        raise bad(_("is {length} characters long; at most {limit} are allowed.").format(
            length=len(text), limit=param.max_length))
    if param.choices:
        return _match_choice(param, text, bad)
    return text


def _whole_number(value: Any, bad: Callable[[str], BadArgument]) -> int:
    """An int from a raw value; a digit string too long for any bound is ±infinity, never parsed."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value)
    digits = text.lstrip("+-").replace("_", "")
    if len(digits) > MAX_DIGITS and digits.isdecimal():
        return INT64_MIN - 1 if text.startswith("-") else INT64_MAX + 1
    try:
        return int(text)
    except ValueError:
        raise bad(_("{value} is not a whole number.").format(value=quoted(value))) from None


def _number(value: Any, bad: Callable[[str], BadArgument]) -> float:
    """A float from a raw value (a decimal comma is fine); NaN is refused, infinity is left to the range check."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float
            number = math.inf if value > 0 else -math.inf
    else:
        try:
            number = float(str(value).replace(",", "."))
        except ValueError:
            raise bad(_("{value} is not a number.").format(value=quoted(value))) from None
    if math.isnan(number):
        raise bad(_("{value} is not a number.").format(value=quoted(value)))
    return number


def _in_range(param: Param, number: float, value: Any, bad: Callable[[str], BadArgument]) -> Any:
    low, high = bounds(param)
    if number < low or number == -math.inf:
        raise bad(_("{value} is too small; {instead}.").format(value=quoted(value), instead=_range(param, "low")))
    if number > high or number == math.inf:
        raise bad(_("{value} is too large; {instead}.").format(value=quoted(value), instead=_range(param, "high")))
    return number


def bounds(param: Param) -> tuple[float, float]:
    """The smallest and largest value a numeric parameter takes: its declared bounds, within what is stored."""
    if param.kind is ParamKind.INTEGER:
        low = INT64_MIN if param.min_value is None else max(INT64_MIN, math.ceil(param.min_value))
        high = INT64_MAX if param.max_value is None else min(INT64_MAX, math.floor(param.max_value))
        return low, high
    low = -math.inf if param.min_value is None else param.min_value
    high = math.inf if param.max_value is None else param.max_value
    return low, high


def _range(param: Param, broken: str) -> str:
    """What to use instead, e.g. "use a whole number from 1 to 50" or "use a number of at least 0.01".

    A bound is shown when it is declared, or when it is the storage limit of a whole number that was broken.
    """
    low, high = bounds(param)
    integer = param.kind is ParamKind.INTEGER
    show_low = param.min_value is not None or (integer and broken == "low")
    show_high = param.max_value is not None or (integer and broken == "high")
    if show_low and show_high:
        text = _("use a whole number from {low} to {high}") if integer else _("use a number from {low} to {high}")
    elif show_low:
        text = _("use a whole number of at least {low}") if integer else _("use a number of at least {low}")
    elif show_high:
        text = _("use a whole number of at most {high}") if integer else _("use a number of at most {high}")
    else:
        return _("use an ordinary number, e.g. {example}").format(example=_example_value(param))
    return text.format(low=_shown(low), high=_shown(high))


def _shown(number: float) -> str:
    return str(number) if isinstance(number, int) else f"{number:g}"


def _match_choice(param: Param, text: str, bad) -> str:
    key = choice_key(text)  # once, not once per choice: every /report pays for this
    for choice in param.choices:
        if key in choice.names:
            return choice.value
    options = ", ".join(choice.value for choice in param.choices)
    raise bad(_("{value} is not one of: {options}.").format(value=quoted(text), options=options))


def _hint(command: Command) -> str:
    """The usage line and an example, said in the reply's language."""
    return _("Usage: {usage}").format(usage=usage(command)) + "\n" + _("Example: {example}").format(
        example=example(command))
