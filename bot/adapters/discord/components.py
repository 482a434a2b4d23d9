"""Reply buttons as persistent Discord components, and clicks on them turned back into commands."""

from __future__ import annotations

import discord

from bot.core import buttons as button_codec
from bot.core.model import Button
from bot.wiring import App

CUSTOM_ID_LIMIT = 100
MAX_BUTTONS = 25  # 5 rows of 5
LABEL_LIMIT = 80
STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "danger": discord.ButtonStyle.danger,
}


async def build_view(app: App, buttons: list[Button], viewer: str | None) -> discord.ui.View:
    """A view whose buttons carry their command and arguments in custom_id (long or personal ones via the DB,
    bound to `viewer`, the keyed hash of the person shown them; None: no one in particular)."""
    view = discord.ui.View(timeout=None)
    now = app.clock.now()
    for button in buttons[:MAX_BUTTONS]:
        custom_id = await button_codec.encode(app.button_payloads, button, CUSTOM_ID_LIMIT, now, viewer)
        label = button.label[:LABEL_LIMIT] or button.command
        style = STYLES.get(button.style, discord.ButtonStyle.secondary)
        view.add_item(discord.ui.Button(label=label, custom_id=custom_id, style=style))
    # A stopped view is sent as plain components and never kept in discord.py's in-memory view store:
    # clicks are decoded from custom_id in on_interaction, so they work after a restart too.
    view.stop()
    return view


async def decode_click(app: App, custom_id: str, presser: str) -> tuple[str, dict[str, str]] | None:
    """The command and arguments behind a button clicked by `presser` (a keyed hash), or None if it is not one
    of ours or has expired; raises ButtonNotYours for someone else's personal button."""
    return await button_codec.decode(app.button_payloads, custom_id, presser, app.clock.now())
