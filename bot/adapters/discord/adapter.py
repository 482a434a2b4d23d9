"""The Discord adapter: a discord.py client in the shared event loop, and a Sender for the outbox."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp
import discord

from bot.adapters.base import StartupError
from bot.adapters.discord.interactions import InteractionHandler
from bot.adapters.discord.render import render
from bot.adapters.discord.shards import new_client, sync_once
from bot.core.delivery import (
    Destination,
    PartSent,
    PermanentDeliveryError,
    RetryableDeliveryError,
    UncertainDeliveryError,
)
from bot.core.model import Reply
from bot.wiring import App

log = logging.getLogger(__name__)

CANNOT_DM_USER = 50007


def _may_have_arrived(exc: BaseException) -> bool:
    """Whether a failed post may have reached Discord: it went out, but no answer came back (a connection that
    was never made, or an error raised before sending, means it did not)."""
    if isinstance(exc, aiohttp.ClientConnectorError | aiohttp.InvalidURL):
        return False
    return isinstance(exc, TimeoutError | aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError
                      | aiohttp.ClientOSError)


def needed_intents() -> discord.Intents:
    """Only the guilds intent (server and channel cache); no privileged intents, no message content."""
    return discord.Intents(guilds=True)


class DiscordAdapter:
    """Connects to Discord, serves the registry's commands as slash commands, delivers outbox messages."""

    name = "discord"

    def __init__(self, app: App, *, ready_timeout: float = 60.0, guild_ready_timeout: float = 2.0,
                 receive: bool = True) -> None:
        self.app = app
        # receive=False: only deliver the outbox (a worker process): log in for the REST API, no gateway.
        self.receive = receive
        self.ready_timeout = ready_timeout
        self.guild_ready_timeout = guild_ready_timeout
        self.client: discord.Client | None = None
        self.handler = InteractionHandler(app)
        self._task: asyncio.Task | None = None
        self._gateway_up = False  # between READY (or RESUMED) and a disconnect

    @property
    def connected(self) -> bool:
        """True while the gateway connection is up (for /healthz and /metrics)."""
        return self._gateway_up and self.client is not None and not self.client.is_closed()

    async def start(self) -> None:
        """Log in, sync the commands if they changed, connect to the gateway and wait until ready."""
        token = self.app.settings.discord_token
        if token is None:
            raise StartupError("DISCORD_TOKEN is not set.")
        client = self.client = self._new_client()
        try:
            await client.login(token.get_secret_value())
        except discord.LoginFailure:
            await self.stop()
            raise StartupError(
                "Discord rejected DISCORD_TOKEN; copy the bot token again from the Developer Portal (Bot tab)."
            ) from None
        except (discord.DiscordException, aiohttp.ClientError, OSError) as exc:
            await self.stop()
            raise StartupError(f"Could not reach Discord ({type(exc).__name__}); check the network.") from None
        if not self.receive:
            self.app.senders[self.name] = self
            log.info("delivering to Discord as %s (receiving is another process's role)", client.user.name)
            return
        try:
            await sync_once(self.app, client.http, client.application_id or client.user.id)
        except discord.HTTPException as exc:
            await self.stop()
            raise StartupError(f"Discord refused the slash commands ({exc.status}): {exc.text}") from None
        self._task = asyncio.create_task(client.connect(), name="discord-gateway")
        try:
            await self._wait_until_ready(client)
        except (discord.DiscordException, aiohttp.ClientError, OSError) as exc:
            await self.stop()
            raise StartupError(f"Could not connect to the Discord gateway ({type(exc).__name__}).") from None
        self.app.senders[self.name] = self
        self.app.bot_usernames[self.name] = client.user.name
        log.info("connected to Discord as %s", client.user.name)

    async def stop(self) -> None:
        """Disconnect and stop delivering."""
        if self.app.senders.get(self.name) is self:
            del self.app.senders[self.name]
        if self.client is not None:
            await self.client.close()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._task, timeout=5)
            self._task = None

    async def send(self, destination: Destination, reply: Reply, first_part: int = 0,
                   part_sent: PartSent | None = None) -> None:
        """Post a reply (one message: one part) to a channel or as a direct message; raise a Retryable-,
        Uncertain- or PermanentDeliveryError."""
        if first_part > 0:
            return  # an earlier attempt posted it
        client = self.client
        if client is None or client.is_closed():
            raise RetryableDeliveryError("the Discord client is not connected")
        try:
            target_id = int(destination.id)
        except ValueError:
            raise PermanentDeliveryError(f"not a Discord id: {destination.id!r}") from None
        message = await render(self.app, reply)
        posting = False
        try:
            if destination.kind == "user":
                channel: discord.abc.Messageable = await client.create_dm(discord.Object(target_id))
            else:
                channel = client.get_partial_messageable(target_id)
            posting = True
            await channel.send(**message.send_kwargs())
        except discord.RateLimited as exc:
            raise RetryableDeliveryError("Discord rate limit", retry_after=exc.retry_after) from None
        except discord.Forbidden as exc:
            reason = "the member does not accept direct messages" if exc.code == CANNOT_DM_USER else exc.text
            raise PermanentDeliveryError(f"forbidden: {reason} (code {exc.code})") from None
        except discord.NotFound as exc:
            raise PermanentDeliveryError(f"not found: {exc.text} (code {exc.code})") from None
        except discord.HTTPException as exc:
            if exc.status == 429 or exc.status >= 500:
                raise RetryableDeliveryError(f"Discord answered {exc.status}") from None
            raise PermanentDeliveryError(f"Discord refused the message: {exc.status} {exc.text}") from None
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            if posting and _may_have_arrived(exc):
                raise UncertainDeliveryError(f"Discord did not answer ({type(exc).__name__})") from None
            raise RetryableDeliveryError(f"network error: {type(exc).__name__}") from None
        if part_sent is not None:
            await part_sent(1)

    def _new_client(self) -> discord.Client:
        # The bot never joins voice, so discord.py's "voice will NOT be supported" warnings are noise.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        client = new_client(self.app.settings, intents=needed_intents(),
                            allowed_mentions=discord.AllowedMentions.none(), max_ratelimit_timeout=30.0,
                            guild_ready_timeout=self.guild_ready_timeout)

        @client.event
        async def on_interaction(interaction: discord.Interaction) -> None:
            await self.handler.handle(interaction)

        @client.event
        async def on_ready() -> None:
            self._gateway_up = True

        @client.event
        async def on_resumed() -> None:
            self._gateway_up = True

        @client.event
        async def on_disconnect() -> None:
            self._gateway_up = False

        return client

    async def _wait_until_ready(self, client: discord.Client) -> None:
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait({ready, self._task}, timeout=self.ready_timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        if ready in done:
            return
        ready.cancel()
        if self._task in done and self._task.exception() is not None:
            raise self._task.exception()
        await self.stop()
        raise StartupError(f"Discord did not become ready within {self.ready_timeout:.0f} seconds.")
