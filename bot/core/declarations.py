"""How a command is declared, once, for every front end."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.core.model import Actor, Place, Reply

NAME_PATTERN = re.compile(r"^[a-z0-9_]{1,32}$")
MAX_DESCRIPTION = 100
MAX_CHOICES = 25


class ParamKind(StrEnum):
    """The type of a parameter; each adapter maps it to its own option type."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    CHANNEL = "channel"  # Discord: a channel picker (value: channel id); elsewhere: text, often ignored


class Access(StrEnum):
    """Who may run a command."""

    MEMBER = "member"
    MODERATOR = "moderator"


def choice_key(text: str) -> str:
    """A typed choice compared loosely: case, hyphens, underscores and runs of spaces do not matter."""
    return " ".join(text.lower().replace("-", " ").replace("_", " ").split())


@dataclass(frozen=True)
class Choice:
    """One allowed value of a parameter, with the label people see and other words that mean it."""

    value: str
    label: str = ""
    aliases: tuple[str, ...] = ()  # what members also type for it ("EQ", "dry" for a drought)

    @property
    def display(self) -> str:
        """The label, or the value when there is no label."""
        return self.label or self.value

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Every way of typing it: value, label and aliases, compared loosely (choice_key)."""
        return tuple(dict.fromkeys(choice_key(name) for name in (self.value, self.display, *self.aliases)))

    def is_named(self, text: str) -> bool:
        """True when the text is one of its names."""
        return choice_key(text) in self.names


# (the app, what the member typed so far) -> suggestions
Autocomplete = Callable[[Any, str], Awaitable[list[Choice]]]
Handler = Callable[..., Awaitable["Reply"]]


@dataclass(frozen=True)
class Param:
    """A typed parameter of a command."""

    name: str
    description: str
    kind: ParamKind = ParamKind.TEXT
    required: bool = True
    choices: tuple[Choice, ...] = ()
    autocomplete: Autocomplete | None = None
    min_value: float | None = None
    max_value: float | None = None
    max_length: int | None = None
    example: str = ""


@dataclass(frozen=True)
class Command:
    """A command: its name, description, parameters, who may run it and its handler."""

    name: str
    description: str
    handler: Handler
    params: tuple[Param, ...] = ()
    access: Access = Access.MEMBER
    community_only: bool = False
    examples: tuple[str, ...] = ()
    help: str = ""
    slow: bool = False
    hidden: bool = False
    # Operators (QUEUEWATCH_OPERATORS) may also run it from a private chat with the bot, on every report.
    operators: bool = False

    @property
    def is_moderator_only(self) -> bool:
        """True when only moderators may run it."""
        return self.access is Access.MODERATOR

    def lets_operator(self, actor: Actor, place: Place) -> bool:
        """True when an operator runs this operator command from a private chat."""
        return self.operators and actor.is_operator and place.is_private

    @property
    def replies_privately(self) -> bool:
        """True when every reply is for the asker alone: moderator replies carry members' notes, reporter
        trust and hide reasons, so they never go to a public chat (the dispatcher marks them private)."""
        return self.is_moderator_only

    @property
    def needs_community(self) -> bool:
        """True when it only works in a community: declared so, or for moderators (who moderate a community)."""
        return self.community_only or self.is_moderator_only

    def param(self, name: str) -> Param:
        """The parameter with this name."""
        for param in self.params:
            if param.name == name:
                return param
        raise KeyError(name)


def check_command(command: Command) -> list[str]:
    """List what is wrong with a declaration (names, lengths, choices, parameter order)."""
    problems = []
    if not NAME_PATTERN.match(command.name):
        problems.append(f"/{command.name}: name must match {NAME_PATTERN.pattern}")
    if not 0 < len(command.description) <= MAX_DESCRIPTION:
        problems.append(f"/{command.name}: description must be 1-{MAX_DESCRIPTION} characters")
    seen_optional = False
    names = set()
    for param in command.params:
        if not NAME_PATTERN.match(param.name):
            problems.append(f"/{command.name} {param.name}: name must match {NAME_PATTERN.pattern}")
        if param.name in names:
            problems.append(f"/{command.name} {param.name}: duplicate parameter")
        names.add(param.name)
        if not 0 < len(param.description) <= MAX_DESCRIPTION:
            problems.append(f"/{command.name} {param.name}: description must be 1-{MAX_DESCRIPTION} characters")
        if "optional" in param.description.lower():
            problems.append(f"/{command.name} {param.name}: the front ends and /help say a parameter is optional; "
                            "its description should not")
        if len(param.choices) > MAX_CHOICES:
            problems.append(f"/{command.name} {param.name}: more than {MAX_CHOICES} choices")
        if param.required and seen_optional:
            problems.append(f"/{command.name} {param.name}: required parameter after an optional one")
        seen_optional = seen_optional or not param.required
    return problems
