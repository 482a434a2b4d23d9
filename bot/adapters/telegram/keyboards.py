"""Reply buttons as an inline keyboard, and a pressed button back to its command."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core import buttons
from bot.core.model import Button
from bot.wiring import App

CALLBACK_DATA_LIMIT = 64  # bytes, per the Bot API
BUTTON_TEXT_LIMIT = 64
SHORT_LABEL = 16
PER_ROW_SHORT = 3


async def keyboard(app: App, items: list[Button], viewer: str | None) -> InlineKeyboardMarkup | None:
    """An inline keyboard for the buttons shown to `viewer` (a keyed hash, None: no one in particular): short
    labels three to a row, long ones one per row."""
    if not items:
        return None
    now = app.clock.now()
    keys = [
        InlineKeyboardButton(b.label[:BUTTON_TEXT_LIMIT], callback_data=await buttons.encode(
            app.button_payloads, b, CALLBACK_DATA_LIMIT, now, viewer))
        for b in items
    ]
    per_row = PER_ROW_SHORT if all(len(b.label) <= SHORT_LABEL for b in items) else 1
    return InlineKeyboardMarkup([keys[i:i + per_row] for i in range(0, len(keys), per_row)])


async def pressed(app: App, data: str | None, presser: str) -> tuple[str, dict[str, str]] | None:
    """The command and arguments behind a button pressed by `presser` (a keyed hash), or None if it is unknown
    or expired; raises ButtonNotYours for someone else's personal button."""
    if not data:
        return None
    return await buttons.decode(app.button_payloads, data, presser, app.clock.now())
