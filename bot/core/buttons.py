"""Encoding a button's command and arguments into a platform's short callback field, and back.

Two forms:
- inline: the command and arguments themselves, when they fit and carry only the bot's own values (a platform
  id, a choice). Nothing is stored; anyone who sees the button may press it ("Me too" under a public /status),
  which is safe because pressing runs the command as the presser, with nothing of anyone else's.
- stored: a random token for a payload kept in a payload store (the database, wired in bot/wiring.py), so it
  survives a restart. Used when the payload is too long, and always for a personal button (one that repeats
  what a member typed, e.g. a note): that payload is bound to the keyed hash of the person it was shown to,
  and anyone else's press is refused, so nobody can file another member's note as their own. Stored payloads
  expire after PAYLOAD_LIFETIME and are deleted by /forget.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Protocol
from urllib.parse import quote, unquote

from bot.core.clock import unix
from bot.core.errors import NotAllowed
from bot.core.model import Button

INLINE_PREFIX = "q1|"
TOKEN_PREFIX = "q1t|"
PAYLOAD_LIFETIME = 7 * 86400  # seconds a stored payload can be pressed
NOBODY = ""  # the viewer of a personal payload shown to no one in particular: no press matches it


class ButtonNotYours(NotAllowed):
    """A personal button pressed by someone other than the person it was shown to."""

    def __init__(self) -> None:
        super().__init__("This button was for the member who asked: it repeats what they typed. "
                         "To do the same, run the command yourself.")


class PayloadStore(Protocol):
    """Where stored payloads are kept."""

    async def save(self, token: str, command: str, args_json: str, viewer: str | None, created_at: int) -> None:
        """Keep a payload under its token; `viewer` None: anyone may press it."""
        ...

    async def load(self, token: str) -> tuple[str, str, str | None, int] | None:
        """(command, arguments as JSON, viewer, created at) kept under a token, or None."""
        ...


def _inline(command: str, args: dict[str, str]) -> str:
    parts = [command, *(f"{quote(k, safe='')}={quote(str(v), safe='')}" for k, v in sorted(args.items()))]
    return INLINE_PREFIX + "|".join(parts)


async def encode(store: PayloadStore, button: Button, limit: int, now: datetime, viewer: str | None) -> str:
    """A string of at most `limit` bytes that identifies the button; `viewer` is the keyed hash of the person
    the reply is for (None when it is for no one in particular, e.g. a post in a channel)."""
    inline = _inline(button.command, button.args)
    if not button.personal and len(inline.encode()) <= limit:
        return inline
    token = secrets.token_urlsafe(18)  # 24 characters; unguessable, and unrelated to who it is for
    bound = (viewer or NOBODY) if button.personal else None
    await store.save(token, button.command, json.dumps(button.args, sort_keys=True), bound, unix(now))
    return TOKEN_PREFIX + token


async def decode(store: PayloadStore, data: str, presser: str, now: datetime) -> tuple[str, dict[str, str]] | None:
    """The command and arguments behind a pressed button, or None if it is not one of ours or has expired;
    raises ButtonNotYours when `presser` (a keyed hash) is not the person a personal button was shown to."""
    if data.startswith(TOKEN_PREFIX):
        found = await store.load(data[len(TOKEN_PREFIX):])
        if found is None:
            return None
        command, args_json, viewer, created_at = found
        if unix(now) - created_at > PAYLOAD_LIFETIME:
            return None
        if viewer is not None and viewer != presser:
            raise ButtonNotYours()
        return command, json.loads(args_json)
    if data.startswith(INLINE_PREFIX):
        command, *pairs = data[len(INLINE_PREFIX):].split("|")
        args = {}
        for pair in pairs:
            key, _, value = pair.partition("=")
            args[unquote(key)] = unquote(value)
        return command, args
    return None
