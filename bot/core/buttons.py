"""Encoding a button's command and arguments into a platform's short callback field, and back.

Short payloads are encoded inline (so they survive a restart with no storage); longer ones are
kept in the database under a token, so the button still works after a restart.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from urllib.parse import quote, unquote

from bot.core.model import Button
from storage.database import Database

INLINE_PREFIX = "q1|"
TOKEN_PREFIX = "q1t|"


def _inline(command: str, args: dict[str, str]) -> str:
    parts = [command, *(f"{quote(k, safe='')}={quote(str(v), safe='')}" for k, v in sorted(args.items()))]
    return INLINE_PREFIX + "|".join(parts)


async def encode(db: Database, button: Button, limit: int, now: datetime) -> str:
    """A string of at most `limit` bytes that identifies the button's command and arguments."""
    inline = _inline(button.command, button.args)
    if len(inline.encode()) <= limit:
        return inline
    args_json = json.dumps(button.args, sort_keys=True)
    token = hashlib.sha256(f"{button.command}\n{args_json}".encode()).hexdigest()[:24]
    await db.execute(
        "INSERT INTO button_payloads (token, command, args_json, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (token) DO NOTHING",
        (token, button.command, args_json, now.isoformat()),
    )
    return TOKEN_PREFIX + token


async def decode(db: Database, data: str) -> tuple[str, dict[str, str]] | None:
    """The command and arguments behind an encoded button, or None if it is not one of ours."""
    if data.startswith(TOKEN_PREFIX):
        row = await db.fetchone(
            "SELECT command, args_json FROM button_payloads WHERE token = ?", (data[len(TOKEN_PREFIX):],)
        )
        return None if row is None else (row["command"], json.loads(row["args_json"]))
    if data.startswith(INLINE_PREFIX):
        command, *pairs = data[len(INLINE_PREFIX):].split("|")
        args = {}
        for pair in pairs:
            key, _, value = pair.partition("=")
            args[unquote(key)] = unquote(value)
        return command, args
    return None
