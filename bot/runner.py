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
from storage.database import is_postgres, sqlite_path

log = logging.getLogger(__name__)

AdapterFactory = Callable[[App, asyncio.Event], Adapter]


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


async def run(settings: Settings, factories: list[AdapterFactory]) -> None:
    """Run the adapters until SIGINT/SIGTERM (or until one asks to stop), then close everything."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    # One process per SQLite file; PostgreSQL is shared by any number of processes.
    lock = None if is_postgres(settings.database_url) else process_lock.hold(sqlite_path(settings.database_url))
    try:
        await _run(settings, factories, stop)
    finally:
        if lock is not None:
            lock.release()


async def _run(settings: Settings, factories: list[AdapterFactory], stop: asyncio.Event) -> None:
    app = await build_app(settings)
    started: list[Adapter] = []
    try:
        for adapter in [*(factory(app, stop) for factory in factories), *app.background_services()]:
            await adapter.start()
            started.append(adapter)
            log.info("%s adapter started", adapter.name)
        await stop.wait()
        log.info("shutting down")
    finally:
        for adapter in reversed(started):
            try:
                await adapter.stop()
            except Exception:
                log.exception("error while stopping the %s adapter", adapter.name)
        await app.db.close()

