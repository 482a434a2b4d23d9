"""Starts the adapters and services of this process's roles in one event loop and shuts them down cleanly on a
signal.

Roles (`queuewatch run --roles`): `discord` and `telegram` receive from their platform (they queue what they send
later into the outbox like everything else); `worker` runs the outbox, delivering through every platform whose
token is set (a sending-only adapter where this process does not receive from it), and the background services;
`web` runs the web server (the status page, and the Telegram webhook receiver when this process also receives
from Telegram). With SQLite one process runs them all (a second is refused); with PostgreSQL any number
of processes may run any roles: the outbox runs in every worker, and each other service in one worker at a time.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Callable, Iterable

from bot.adapters.base import Adapter
from bot.core import memory
from bot.core.background import Every, PeriodicService
from bot.features.knowledge.fx import FxRefreshService, fx_reload_service
from bot.outbox.outbox import OutboxService
from bot.settings import Settings
from bot.wiring import App, build_app
from storage import process_lock
from storage.coordination import OUTBOX_CHANNEL, Coordination
from storage.database import is_postgres, sqlite_path

log = logging.getLogger(__name__)

AdapterFactory = Callable[[App, asyncio.Event], Adapter]
ROLES = ("discord", "telegram", "worker", "web")
ALL_ROLES = frozenset(ROLES)
# Services every worker runs (the outbox shares its queue; each process keeps its own exchange-rate table in
# memory); every other service runs in one process at a time.
EVERY_WORKER = (OutboxService, FxRefreshService)
Announce = Callable[[str], None]


class RolesError(ValueError):
    """--roles names a role that does not exist; the message says which ones do."""


def parse_roles(text: str) -> frozenset[str]:
    """The roles in a comma-separated list such as "discord,worker"."""
    roles = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [role for role in roles if role not in ALL_ROLES]
    if unknown or not roles:
        raise RolesError(f"--roles: {unknown[0] if unknown else 'nothing'} is not a role; use a comma-separated "
                         f"list of {', '.join(ROLES)} (default: all of them)")
    return frozenset(roles)


def platform_adapters(settings: Settings, roles: Iterable[str] = ALL_ROLES) -> list[AdapterFactory]:
    """Factories for the adapters whose tokens are set: receiving ones for the platforms among `roles`, and for a
    worker sending-only ones for the others (the outbox delivers through every platform)."""
    roles = frozenset(roles)
    factories: list[AdapterFactory] = []
    if settings.telegram_token is not None and roles & {"telegram", "worker"}:
        from bot.adapters.telegram import TelegramAdapter

        receive = "telegram" in roles
        factories.append(lambda app, stop: TelegramAdapter(app, receive=receive))
    if settings.discord_token is not None and roles & {"discord", "worker"}:
        from bot.adapters.discord import DiscordAdapter

        receive_discord = "discord" in roles
        factories.append(lambda app, stop: DiscordAdapter(app, receive=receive_discord))
    return factories


def web_service(app: App, watched: list[Adapter]) -> Adapter | None:
    """The web server (status page, API, /healthz, /metrics) watching these adapters; None when
    QUEUEWATCH_HTTP_PORT turns it off."""
    if app.settings.queuewatch_http_port is None:
        return None
    from bot.adapters.web import WebAdapter

    return WebAdapter(app, lambda: watched)


async def run(settings: Settings, factories: list[AdapterFactory], roles: Iterable[str] = ALL_ROLES,
              announce: Announce | None = None) -> None:
    """Run the adapters (and, for a worker, the services; for the web role, the web server) until SIGINT/SIGTERM
    (or until one asks to stop), then close everything; `announce` is told the web server's address once it
    listens."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    # One process per SQLite file; PostgreSQL is shared by any number of processes.
    lock = None if is_postgres(settings.database_url) else process_lock.hold(sqlite_path(settings.database_url))
    try:
        await _run(settings, factories, stop, frozenset(roles), announce)
    finally:
        if lock is not None:
            lock.release()


def services_for(app: App, roles: frozenset[str]) -> list[Adapter]:
    """A worker's services: the outbox in every worker, each other one led by one process at a time. A process
    without the worker role only takes up the exchange rates the workers fetch."""
    if "worker" not in roles:
        return [fx_reload_service(app)]
    retry = app.settings.queuewatch_leader_retry_seconds
    return [service if isinstance(service, EVERY_WORKER) else LeaderOnly(service, app.coordination, retry)
            for service in app.background_services()]


async def _run(settings: Settings, factories: list[AdapterFactory], stop: asyncio.Event,
               roles: frozenset[str], announce: Announce | None) -> None:
    memory.limit_heaps()  # before the database's threads start
    app = await build_app(settings)
    memory.freeze_start()
    app.outbox.lease_seconds = settings.queuewatch_outbox_lease_seconds
    # A send must time out (and be recorded uncertain) before its lease runs out and another worker takes it up.
    app.outbox.send_timeout = min(app.outbox.send_timeout, app.outbox.lease_seconds / 2)
    app.outbox.shared_limits = app.coordination.shared
    started: list[Adapter] = []
    try:
        if "worker" in roles:
            await app.coordination.listen(OUTBOX_CHANNEL, app.outbox.wake)
        platforms = [factory(app, stop) for factory in factories]
        # The web server first: a port already taken stops the start before any platform is joined.
        server = web_service(app, platforms) if "web" in roles else None
        if server is not None:
            for adapter in platforms:  # a Telegram webhook receiver is served by the web server, not one of its own
                mount = getattr(adapter, "mount_webhook", None)
                if mount is not None:
                    mount(server.web_app)  # type: ignore[attr-defined]
        every_process = [Every("memory", memory.TRIM_SECONDS, memory.give_back_round)]
        for adapter in [*([server] if server else []), *platforms, *services_for(app, roles), *every_process]:
            await adapter.start()
            started.append(adapter)
            log.info("%s adapter started", adapter.name)
        if server is not None and announce is not None:
            announce(server.address)  # type: ignore[attr-defined]  # once everything runs: a refused start says one line
        # What the start loaded (~110k objects) is kept for good: a full garbage collection then looks at what came
        # after it only, instead of halting the process ~130 ms to look at everything (a send paced to 1/30 s is
        # then late: the outbox books it anew, and a web request waits).
        gc.freeze()
        await stop.wait()
        log.info("shutting down")
    finally:
        for adapter in reversed(started):
            try:
                await adapter.stop()
            except Exception:
                log.exception("error while stopping the %s adapter", adapter.name)
        await app.coordination.close()
        await app.db.close()


class LeaderOnly(PeriodicService):
    """Runs a periodic service's rounds only while this process leads its job (holds its lock); the others try
    every `retry` seconds, so one takes over within that long of the leader's end."""

    def __init__(self, inner: PeriodicService, coordination: Coordination, retry: float) -> None:
        super().__init__()
        self.inner = inner
        self.name = inner.name
        self.retry_seconds = retry
        self._coordination = coordination

    async def run_once(self) -> float:
        """One round of the inner service if this process leads its job; else the pause before trying again."""
        if not await self._coordination.lead(self.name):
            return self.retry_seconds
        return await self.inner.run_once()

    async def pause(self, seconds: float) -> None:
        """The inner service's pause."""
        await self.inner.pause(seconds)

    async def stop(self) -> None:
        """Stop, and let another process take the job at once."""
        await super().stop()
        await self._coordination.resign(self.name)
