"""Parsing and checking command arguments against a declaration, the same way for every front end."""

from __future__ import annotations

import shlex
from typing import Any

from bot.core.declarations import Command, Param, ParamKind
from bot.core.errors import BadArgument

TRUE_WORDS = {"yes", "y", "true", "1", "on", "paid"}
FALSE_WORDS = {"no", "n", "false", "0", "off", "unpaid"}


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


def split_words(text: str) -> list[str]:
    """Split a line into words, honouring quotes; an unbalanced quote is taken literally."""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def parse_line(command: Command, text: str) -> dict[str, str]:
    """Map the text after a command name onto its parameters, in order."""
    raw: dict[str, str] = {}
    rest = text.strip()
    for param in command.params:
        if not rest:
            break
        if takes_rest_of_line(command, param):
            words = split_words(rest)
            raw[param.name] = words[0] if len(words) == 1 else rest
            rest = ""
            break
        word, rest = _first_word(rest)
        raw[param.name] = word
    if rest:
        raise BadArgument(
            f"Too many arguments: I don't know what to do with “{rest}”.",
            hint=f"Usage: {usage(command)}\nExample: {example(command)}\n"
            "Put a value with spaces in quotes.",
        )
    return raw


def _first_word(text: str) -> tuple[str, str]:
    """The first (possibly quoted) word and what follows it."""
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace_split = True
    try:
        word = lexer.get_token() or ""
    except ValueError:
        word = text.split()[0]
        return word, text[len(word):].strip()
    remainder = lexer.instream.read() if hasattr(lexer.instream, "read") else ""
    return word, remainder.strip()


def convert(command: Command, param: Param, value: Any) -> Any:
    """Check and convert one raw value to the parameter's type."""
    if isinstance(value, str):
        value = value.strip()
    def bad(what: str) -> BadArgument:
        return BadArgument(f"{param.name}: {what}", hint=f"Usage: {usage(command)}\nExample: {example(command)}")

    if param.kind is ParamKind.INTEGER:
        try:
            number: Any = int(str(value))
        except ValueError:
            raise bad(f"“{value}” is not a whole number.") from None
    elif param.kind is ParamKind.NUMBER:
        try:
            number = float(str(value).replace(",", "."))
        except ValueError:
            raise bad(f"“{value}” is not a number.") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise bad(f"“{value}” is not a number.")
    elif param.kind is ParamKind.BOOLEAN:
        if isinstance(value, bool):
            return value
        word = str(value).lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise bad(f"“{value}” is not yes or no.")
    else:
        text = str(value)
        if not text:
            raise bad("is empty.")
        if param.max_length is not None and len(text) > param.max_length:
            raise bad(f"is {len(text)} characters long; at most {param.max_length} are allowed.")
        if param.choices:
            return _match_choice(param, text, bad)
        return text
    if param.min_value is not None and number < param.min_value:
        raise bad(f"{value} is too small; use a value from {_range(param)}.")
    if param.max_value is not None and number > param.max_value:
        raise bad(f"{value} is too large; use a value from {_range(param)}.")
    return number


def _range(param: Param) -> str:
    return f"{param.min_value:g} to {param.max_value:g}"


def _match_choice(param: Param, text: str, bad) -> str:
    wanted = text.lower().replace("-", "_").replace(" ", "_")
    for choice in param.choices:
        if wanted in (choice.value.lower(), choice.display.lower().replace(" ", "_")):
            return choice.value
    options = ", ".join(choice.value for choice in param.choices)
    raise bad(f"“{text}” is not one of: {options}.")
