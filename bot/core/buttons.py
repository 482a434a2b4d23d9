"""Encoding a button's command and arguments into a platform's short callback field, and back.

Short payloads are encoded inline (so they survive a restart with no storage); longer ones are
kept in a payload store (the database, wired in bot/wiring.py) under a token, so the button still works
after a restart.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Protocol
from urllib.parse import quote, unquote

from bot.core.model import Button

INLINE_PREFIX = "q1|"
TOKEN_PREFIX = "q1t|"


class PayloadStore(Protocol):
    """Where payloads too long for the callback field are kept."""

    async def save(self, token: str, command: str, args_json: str, created_at: str) -> None:
        """Keep a payload under its token."""
        ...

    async def load(self, token: str) -> tuple[str, str] | None:
        """(command, arguments as JSON) kept under a token, or None."""
        ...


def _inline(command: str, args: dict[str, str]) -> str:
    parts = [command, *(f"{quote(k, safe='')}={quote(str(v), safe='')}" for k, v in sorted(args.items()))]
    return INLINE_PREFIX + "|".join(parts)


async def encode(store: PayloadStore, button: Button, limit: int, now: datetime) -> str:
    """A string of at most `limit` bytes that identifies the button's command and arguments."""
    inline = _inline(button.command, button.args)
    if len(inline.encode()) <= limit:
        return inline
    args_json = json.dumps(button.args, sort_keys=True)
    token = hashlib.sha256(f"{button.command}\n{args_json}".encode()).hexdigest()[:24]
    await store.save(token, button.command, args_json, now.isoformat())
    return TOKEN_PREFIX + token


async def decode(store: PayloadStore, data: str) -> tuple[str, dict[str, str]] | None:
    """The command and arguments behind an encoded button, or None if it is not one of ours."""
    if data.startswith(TOKEN_PREFIX):
        found = await store.load(data[len(TOKEN_PREFIX):])
        return None if found is None else (found[0], json.loads(found[1]))
    if data.startswith(INLINE_PREFIX):
        command, *pairs = data[len(INLINE_PREFIX):].split("|")
        args = {}
        for pair in pairs:
            key, _, value = pair.partition("=")
            args[unquote(key)] = unquote(value)
        return command, args
    return None
