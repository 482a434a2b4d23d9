"""Helpers shared by the CLI subcommands: settings with friendly errors, and running a coroutine."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable

from bot.core.errors import StartupError, StorageUnavailable
from bot.logs import setup_logging
from bot.settings import Settings, SettingsError, load_settings

EXIT_CONFIG = 2


def fail(message: str, status: int = EXIT_CONFIG) -> int:
    """Print one line to stderr and return the exit status."""
    print(f"queuewatch: {message}", file=sys.stderr)
    return status


def with_settings(body: Callable[[Settings], Awaitable[int | None]]) -> int:
    """Load settings and logging, run `body` in a fresh event loop, and map start-up errors to exit 2."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        return fail(str(exc))
    setup_logging(settings.log_level_number, settings.secrets())
    try:
        return int(asyncio.run(body(settings)) or 0)
    except StartupError as exc:
        return fail(str(exc))
    except StorageUnavailable as exc:  # e.g. another program held the database's write lock past the retries
        return fail(f"DATABASE_URL: {exc}; try again in a minute")


def quiet_logs(settings: Settings) -> None:
    """Keep routine INFO lines off a chat in the terminal, unless LOG_LEVEL asked for them."""
    if "log_level" not in settings.model_fields_set:
        logging.getLogger().setLevel(max(settings.log_level_number, logging.WARNING))
