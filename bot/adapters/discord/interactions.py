"""Every interaction the bot receives: slash commands, autocomplete and button clicks, each answered once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

import discord

from bot.adapters.discord.components import decode_click
from bot.adapters.discord.identity import actor_of, place_of
from bot.adapters.discord.render import NO_MENTIONS, render
from bot.adapters.discord.tree import focused_option, raw_options
from bot.core.buttons import ButtonNotYours
from bot.core.declarations import Choice
from bot.core.errors import classify
from bot.core.model import Actor, Platform, Reply
from bot.wiring import App

log = logging.getLogger(__name__)

DEFER_AFTER = 1.0  # seconds; Discord wants an answer within 3, so anything slower is deferred first
MAX_AUTOCOMPLETE = 25
UNKNOWN_INTERACTION = 10062
EXPIRED_BUTTON = Reply(
    title="This button has expired",
    blocks=["I no longer know what this button was for. Run the command again, e.g. /help."],
    ephemeral=True,
    is_error=True,
)
APOLOGY = "Sorry, something went wrong while answering. Please try again in a moment."


class InteractionHandler:
    """Routes interactions to the dispatcher and sends the rendered replies."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def handle(self, interaction: discord.Interaction) -> None:
        """Answer one interaction; failures are logged and never reach discord.py's event loop."""
        try:
            if interaction.type is discord.InteractionType.application_command:
                await self._command(interaction)
            elif interaction.type is discord.InteractionType.autocomplete:
                await self._autocomplete(interaction)
            elif interaction.type is discord.InteractionType.component:
                await self._click(interaction)
        except discord.NotFound as exc:
            reason = "it expired before we answered" if exc.code == UNKNOWN_INTERACTION else exc.text
            log.warning("could not answer interaction %s: %s (code %s)", interaction.id, reason, exc.code)
        except discord.Forbidden as exc:
            log.warning("missing permissions answering interaction %s: %s (code %s)", interaction.id, exc.text,
                        exc.code)
        except discord.HTTPException as exc:
            log.warning("Discord refused the answer to interaction %s: %s %s", interaction.id, exc.status, exc.text)
        except Exception:
            log.exception("unexpected error while answering interaction %s", interaction.id)
            await self._apologise(interaction)

    async def _command(self, interaction: discord.Interaction) -> None:
        data = interaction.data or {}
        name = str(data.get("name", ""))
        command = self.app.registry.get(name)
        work = self.app.dispatcher.dispatch(name, raw_options(data), self._actor(interaction), place_of(interaction))
        await respond(self.app, interaction, work, slow=command is not None and command.slow,
                      private=command is not None and command.replies_privately)

    async def _click(self, interaction: discord.Interaction) -> None:
        custom_id = str((interaction.data or {}).get("custom_id", ""))
        try:
            decoded = await decode_click(self.app, custom_id, viewer_of(self.app, interaction))
        except ButtonNotYours as exc:
            await respond(self.app, interaction, _ready(classify(exc)), slow=False)
            return
        if decoded is None:
            await respond(self.app, interaction, _ready(EXPIRED_BUTTON), slow=False)
            return
        name, args = decoded
        command = self.app.registry.get(name)
        work = self.app.dispatcher.dispatch(name, args, self._actor(interaction), place_of(interaction))
        await respond(self.app, interaction, work, slow=command is not None and command.slow,
                      private=command is not None and command.replies_privately)

    async def _autocomplete(self, interaction: discord.Interaction) -> None:
        data = interaction.data or {}
        choices = await self.suggestions(str(data.get("name", "")), focused_option(data))
        await interaction.response.autocomplete(
            [discord.app_commands.Choice(name=c.display[:100], value=c.value[:100]) for c in choices]
        )

    async def suggestions(self, command_name: str, focus: tuple[str, str] | None) -> list[Choice]:
        """At most 25 choices for the parameter being typed: its autocomplete source or its fixed choices."""
        command = self.app.registry.get(command_name)
        if command is None or focus is None:
            return []
        name, typed = focus
        try:
            param = command.param(name)
        except KeyError:
            return []
        if param.autocomplete is not None:
            try:
                return list(await param.autocomplete(self.app, typed))[:MAX_AUTOCOMPLETE]
            except Exception:
                log.exception("autocomplete for /%s %s failed", command_name, name)
                return []
        wanted = typed.lower()
        return [c for c in param.choices if wanted in c.display.lower()][:MAX_AUTOCOMPLETE]

    def _actor(self, interaction: discord.Interaction) -> Actor:
        return actor_of(interaction, self.app.settings.discord_mod_role_ids)

    async def _apologise(self, interaction: discord.Interaction) -> None:
        try:
            if interaction.type is discord.InteractionType.autocomplete:
                return
            if interaction.response.is_done():
                await interaction.followup.send(APOLOGY, ephemeral=True, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.response.send_message(APOLOGY, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except Exception as exc:  # the interaction may be gone; nothing more to do
            log.warning("could not apologise for interaction %s: %s", interaction.id, exc)


async def respond(app: App, interaction: discord.Interaction, work: Awaitable[Reply], slow: bool,
                  private: bool = False) -> None:
    """Answer directly when the reply is ready within a second; otherwise defer first and follow up.

    `private`: the command's replies are declared private, so even the "thinking" message is ephemeral."""
    task = asyncio.ensure_future(work)
    if not slow:
        await asyncio.wait({task}, timeout=DEFER_AFTER)
    viewer = viewer_of(app, interaction)
    if task.done():
        message = await render(app, task.result(), viewer)
        await interaction.response.send_message(**message.send_kwargs(), ephemeral=message.ephemeral)
        return
    await interaction.response.defer(thinking=True, ephemeral=private)
    message = await render(app, await task, viewer)
    if message.ephemeral and not private:
        # The first follow-up takes the (public) defer's visibility, so replace it with a private one.
        await interaction.delete_original_response()
        await interaction.followup.send(**message.send_kwargs(), ephemeral=True)
    else:
        await interaction.edit_original_response(**message.edit_kwargs())


def viewer_of(app: App, interaction: discord.Interaction) -> str:
    """The keyed hash of the person who interacted: the one a reply's personal buttons are bound to."""
    return app.person_key(str(Platform.DISCORD), str(interaction.user.id))


async def _ready(reply: Reply) -> Reply:
    return reply
