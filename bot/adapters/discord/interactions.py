"""Every interaction the bot receives: slash commands, autocomplete and button clicks, each answered once."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

import discord

from bot.adapters.discord.components import decode_click
from bot.adapters.discord.identity import actor_of, place_of
from bot.adapters.discord.render import NO_MENTIONS, render
from bot.adapters.discord.tree import focused_option, raw_options
from bot.core.buttons import ButtonNotYours
from bot.core.declarations import Choice, choice_key
from bot.core.errors import classify
from bot.core.i18n import N_, _, use_locale
from bot.core.model import Actor, Platform, Reply
from bot.wiring import App

log = logging.getLogger(__name__)

DEFER_AFTER = 1.0  # seconds; Discord wants an answer within 3, so anything slower is deferred first
ANSWER_WITHIN = 2.5  # seconds after receipt for the first answer or defer: Discord's 3, less the request itself
FOLLOW_UP_WITHIN = 14 * 60.0  # an interaction's token takes follow-ups for 15 minutes
RATE_LIMIT_RETRIES = 3
DEFAULT_RETRY_AFTER = 1.0
MAX_AUTOCOMPLETE = 25
UNKNOWN_INTERACTION = 10062
def _expired_button() -> Reply:
    """The reply to a button the bot no longer knows, in the language in use."""
    return Reply(
        title=_("This button has expired"),
        blocks=[_("I no longer know what this button was for. Run the command again, e.g. /help.")],
        ephemeral=True,
        is_error=True,
    )
APOLOGY = N_("Sorry, something went wrong while answering. Please try again in a moment.")


class InteractionHandler:
    """Routes interactions to the dispatcher and sends the rendered replies."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def handle(self, interaction: discord.Interaction) -> None:
        """Answer one interaction; failures are logged and never reach discord.py's event loop."""
        received = asyncio.get_running_loop().time()
        try:
            if interaction.type is discord.InteractionType.application_command:
                await self._command(interaction, received)
            elif interaction.type is discord.InteractionType.autocomplete:
                await self._autocomplete(interaction, received)
            elif interaction.type is discord.InteractionType.component:
                await self._click(interaction, received)
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

    async def _command(self, interaction: discord.Interaction, received: float) -> None:
        data = interaction.data or {}
        name = str(data.get("name", ""))
        command = self.app.registry.get(name)
        work = self.app.dispatcher.dispatch(name, raw_options(data), self._actor(interaction), place_of(interaction))
        await respond(self.app, interaction, work, slow=command is not None and command.slow,
                      private=command is not None and command.replies_privately, received=received)

    async def _click(self, interaction: discord.Interaction, received: float) -> None:
        custom_id = str((interaction.data or {}).get("custom_id", ""))
        try:
            decoded = await decode_click(self.app, custom_id, viewer_of(self.app, interaction))
        except ButtonNotYours as exc:
            await respond(self.app, interaction, _ready(classify(exc)), slow=False, received=received)
            return
        if decoded is None:
            with use_locale(str(interaction.locale)):  # no dispatch ran: Discord's locale
                expired = _expired_button()
            await respond(self.app, interaction, _ready(expired), slow=False, received=received)
            return
        name, args = decoded
        command = self.app.registry.get(name)
        work = self.app.dispatcher.dispatch(name, args, self._actor(interaction), place_of(interaction))
        await respond(self.app, interaction, work, slow=command is not None and command.slow,
                      private=command is not None and command.replies_privately, received=received)

    async def _autocomplete(self, interaction: discord.Interaction, received: float) -> None:
        data = interaction.data or {}
        choices = await self.suggestions(str(data.get("name", "")), focused_option(data))
        await rate_limited(lambda: interaction.response.autocomplete(
            [discord.app_commands.Choice(name=c.display[:100], value=c.value[:100]) for c in choices]
        ), received + ANSWER_WITHIN)

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
        wanted = choice_key(typed)
        return [c for c in param.choices if any(wanted in name for name in c.names)][:MAX_AUTOCOMPLETE]

    def _actor(self, interaction: discord.Interaction) -> Actor:
        return actor_of(interaction, self.app.settings.discord_mod_role_ids)

    async def _apologise(self, interaction: discord.Interaction) -> None:
        try:
            if interaction.type is discord.InteractionType.autocomplete:
                return
            with use_locale(str(interaction.locale)):  # the dispatch may not have got as far as choosing one
                apology = _(APOLOGY)
            if interaction.response.is_done():
                await interaction.followup.send(apology, ephemeral=True, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.response.send_message(apology, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except Exception as exc:  # the interaction may be gone; nothing more to do
            log.warning("could not apologise for interaction %s: %s", interaction.id, exc)


async def respond(app: App, interaction: discord.Interaction, work: Awaitable[Reply], slow: bool,
                  private: bool = False, received: float | None = None) -> None:
    """Answer directly when the reply is ready within a second; otherwise defer first and follow up.

    `private`: the command's replies are declared private, so even the "thinking" message is ephemeral.
    A 429 is waited out and retried while the wait fits Discord's deadline (3 s from `received` for the first
    answer, 15 minutes for follow-ups); an answer that cannot wait that long is deferred and sent as a follow-up.
    """
    loop = asyncio.get_running_loop()
    received = loop.time() if received is None else received
    answer_by, follow_up_by = received + ANSWER_WITHIN, received + FOLLOW_UP_WITHIN
    task = asyncio.ensure_future(work)
    if not slow:
        await asyncio.wait({task}, timeout=DEFER_AFTER)
    viewer = viewer_of(app, interaction)
    if task.done():
        reply = task.result()

        async def answer() -> None:
            message = await render(app, reply, viewer)  # a fresh message per attempt: a discord.File is single-use
            await interaction.response.send_message(**message.send_kwargs(), ephemeral=message.ephemeral)

        try:
            await rate_limited(answer, answer_by)
            return
        except discord.HTTPException as exc:
            if exc.status != 429:
                raise
            log.info("the answer to interaction %s is rate limited past Discord's deadline; deferring it",
                     interaction.id)
        await rate_limited(lambda: interaction.response.defer(thinking=True, ephemeral=reply.ephemeral), answer_by)
        await _follow_up(app, interaction, reply, viewer, follow_up_by, private_defer=reply.ephemeral)
        return
    await rate_limited(lambda: interaction.response.defer(thinking=True, ephemeral=private), answer_by)
    await _follow_up(app, interaction, await task, viewer, follow_up_by, private_defer=private)


async def _follow_up(app: App, interaction: discord.Interaction, reply: Reply, viewer: str, by: float,
                     private_defer: bool) -> None:
    """Put the reply in place of a deferred answer."""
    if reply.ephemeral and not private_defer:
        # The first follow-up takes the (public) defer's visibility, so replace it with a private one.
        await rate_limited(interaction.delete_original_response, by)

        async def private() -> None:
            message = await render(app, reply, viewer)
            await interaction.followup.send(**message.send_kwargs(), ephemeral=True)

        await rate_limited(private, by)
        return

    async def edit() -> None:
        message = await render(app, reply, viewer)
        await interaction.edit_original_response(**message.edit_kwargs())

    await rate_limited(edit, by)


async def rate_limited(request: Callable[[], Awaitable[object]], by: float) -> None:
    """Make a request to Discord; after a 429 wait its retry_after and try again, while that fits before `by`
    (event-loop time). discord.py retries a 429 itself only when it carries Discord's Via header."""
    loop = asyncio.get_running_loop()
    for attempt in range(RATE_LIMIT_RETRIES + 1):
        try:
            await request()
            return
        except discord.HTTPException as exc:
            if exc.status != 429 or attempt == RATE_LIMIT_RETRIES:
                raise
            wait = retry_after(exc)
            if loop.time() + wait > by:
                raise
            log.info("Discord answered 429 to an interaction request; retrying in %.2f s", wait)
            await asyncio.sleep(wait)


def retry_after(exc: discord.HTTPException) -> float:
    """The seconds a 429 asks to wait: the JSON body's retry_after, else the Retry-After header, else 1."""
    response = exc.response
    try:
        # discord.py read the body and released the response; aiohttp keeps the bytes but will not re-read them.
        return max(0.0, float(json.loads(response._body)["retry_after"]))
    except Exception:  # no body kept, not JSON, no retry_after: fall back to the headers
        pass
    for header in ("Retry-After", "X-RateLimit-Reset-After"):
        try:
            return max(0.0, float(response.headers[header]))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return DEFAULT_RETRY_AFTER


def viewer_of(app: App, interaction: discord.Interaction) -> str:
    """The keyed hash of the person who interacted: the one a reply's personal buttons are bound to."""
    return app.person_key(str(Platform.DISCORD), str(interaction.user.id))


async def _ready(reply: Reply) -> Reply:
    return reply
