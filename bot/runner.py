"""Starts every configured adapter in one event loop and shuts them down cleanly on a signal."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

from bot.adapters.base import Adapter
from bot.settings import Settings
from bot.wiring import App, build_app
from storage import process_lock
from storage.database import sqlite_path

log = logging.getLogger(__name__)

AdapterFactory = Callable[[App, asyncio.Event], Adapter]
Announce = Callable[[str], None]


def platform_adapters(settings: Settings) -> list[AdapterFactory]:
    """Factories for the adapters whose tokens are set."""
    factories: list[AdapterFactory] = []
    if settings.telegram_token is not None:
        from bot.adapters.telegram import TelegramAdapter

        factories.append(lambda app, stop: TelegramAdapter(app))
    if settings.discord_token is not None:
        from bot.adapters.discord import DiscordAdapter

        factories.append(lambda app, stop: DiscordAdapter(app))
    return factories


def web_service(app: App, watched: list[Adapter]) -> Adapter | None:
    """The web server (status page, API, /healthz, /metrics) watching these adapters; None when
    QUEUEWATCH_HTTP_PORT turns it off."""
    if app.settings.queuewatch_http_port is None:
        return None
    from bot.adapters.web import WebAdapter

    return WebAdapter(app, lambda: watched)


async def run(settings: Settings, factories: list[AdapterFactory], web: bool = False,
              announce: Announce | None = None) -> None:
    """Run the adapters (and with `web`, the web server) until SIGINT/SIGTERM (or until one asks to stop), then
    close everything; `announce` is told the web server's address once it listens."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    lock = process_lock.hold(sqlite_path(settings.database_url))
    try:
        await _run(settings, factories, stop, web, announce)
    finally:
        if lock is not None:
            lock.release()


async def _run(settings: Settings, factories: list[AdapterFactory], stop: asyncio.Event, web: bool,
               announce: Announce | None) -> None:
    app = await build_app(settings)
    started: list[Adapter] = []
    try:
        platforms = [factory(app, stop) for factory in factories]
        # The web server first: a port already taken stops the start before any platform is joined.
        server = web_service(app, platforms) if web else None
        for adapter in [*([server] if server else []), *platforms, *app.background_services()]:
            await adapter.start()
            started.append(adapter)
            log.info("%s adapter started", adapter.name)
        if server is not None and announce is not None:
            announce(server.address)  # type: ignore[attr-defined]  # once everything runs: a refused start says one line
        await stop.wait()
        log.info("shutting down")
    finally:
        for adapter in reversed(started):
            try:
                await adapter.stop()
            except Exception:
                log.exception("error while stopping the %s adapter", adapter.name)
        await app.db.close()

