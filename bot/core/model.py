"""The neutral model every adapter speaks: who asked, where, what, and the reply."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Platform(StrEnum):
    """The front ends the bot serves."""

    DISCORD = "discord"
    TELEGRAM = "telegram"
    CONSOLE = "console"


@dataclass(frozen=True)
class Actor:
    """The person who invoked a command."""

    platform: Platform
    user_id: str
    display_name: str
    is_moderator: bool = False
    # False only for the operator's own piped console input: a script on their machine is not a flood.
    rate_limited: bool = True
    # One of QUEUEWATCH_OPERATORS (set by the dispatcher from the list; adapters never set it).
    is_operator: bool = False
    # The language the person's app is set to (Discord interaction.locale, Telegram from.language_code), if known.
    locale: str | None = None
    # Where finding out costs a platform call (Telegram's getChatMember), the adapter gives this instead of
    # is_moderator, and it is awaited only for a command that needs a moderator.
    moderator_check: Callable[[], Awaitable[bool]] | None = field(default=None, compare=False, repr=False)

    async def moderates(self) -> bool:
        """Whether the person moderates the community they asked in (asking the platform now, if it must)."""
        if self.is_moderator or self.moderator_check is None:
            return self.is_moderator
        return await self.moderator_check()


@dataclass(frozen=True)
class Place:
    """Where a command was invoked: a community (server or group) and a channel, or a private chat."""

    platform: Platform
    community_id: str | None
    channel_id: str | None
    is_private: bool

    @property
    def community_key(self) -> str | None:
        """A key unique across platforms for the community, or None in a private chat."""
        return None if self.community_id is None else f"{self.platform}:{self.community_id}"


@dataclass
class Invocation:
    """One command call: the command, its parsed params, who, where and when."""

    command: str
    params: dict[str, Any]
    actor: Actor
    place: Place
    now: datetime
    app: Any  # the App built by bot/wiring.py: the one way a handler reaches settings, data and services


@dataclass(frozen=True)
class Field:
    """A name/value pair shown as an embed field or a labelled line."""

    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True)
class Button:
    """A button that invokes a command with arguments when pressed."""

    label: str
    command: str
    args: dict[str, str] = field(default_factory=dict)
    style: str = "secondary"  # "primary", "secondary", "danger"
    # It repeats what the member typed (a note, a reason): only the person it was shown to may press it.
    personal: bool = False


@dataclass(frozen=True)
class Image:
    """An image attached to a reply (PNG bytes) with alt text for screen readers."""

    data: bytes
    alt_text: str
    filename: str = "image.png"


@dataclass
class Reply:
    """What a handler answers; every adapter renders it in its own way."""

    title: str | None = None
    blocks: list[str] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    image: Image | None = None
    footer: str | None = None
    ephemeral: bool = False
    # Personal: where a platform has no ephemeral replies (Telegram), send it to the person's private chat
    # rather than into the group. Implies ephemeral.
    private: bool = False
    is_error: bool = False
    # The person was already told this in the current window (a second "slow down"): a front end where the
    # answer would be posted for everyone to see may leave it out.
    repeat_notice: bool = False

    def __post_init__(self) -> None:
        self.ephemeral = self.ephemeral or self.private

    def plain_text(self) -> str:
        """The whole reply as plain text (console, logs, tests)."""
        parts: list[str] = []
        if self.title:
            parts.append(self.title)
        parts.extend(block for block in self.blocks if block)
        if self.fields:
            parts.append("\n".join(f"{f.name}: {f.value}" for f in self.fields))
        if self.image:
            parts.append(f"[image: {self.image.alt_text}]")
        if self.footer:
            parts.append(self.footer)
        return "\n\n".join(parts)
