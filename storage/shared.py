"""What both backends share and neither owns: the retry window, the refusal of an unusable database, the
numbered migrations (with each dialect's own forms) and the retry of a busy statement."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any, TypeVar

from bot.core.errors import StartupError, StorageUnavailable

T = TypeVar("T")
MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

# A write waits at most this long for a lock held elsewhere, so a command still answers within the
# platforms' reply deadline (Discord: 3 s) and can say truthfully that nothing was saved.
RETRY_SECONDS = 2.0
BUSY_TIMEOUT_MS = 50  # SQLite's own wait per attempt; the retry loop does the rest


class DatabaseUnusable(StartupError):
    """The database DATABASE_URL names (a file or a server) cannot serve as the bot's; the message says why."""


async def retrying(attempt: Callable[[], Awaitable[T]], deadline: float) -> T:
    """Run `attempt`, again with backoff while the database is busy, until the deadline; then give up."""
    delay = 0.01
    while True:
        try:
            return await attempt()
        except StorageUnavailable as exc:
            if exc.reason != "busy" or time.monotonic() + delay + BUSY_TIMEOUT_MS / 1000 > deadline:
                raise
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.1)


def available_migrations(dialect: str = "sqlite") -> list[tuple[int, str, str]]:
    """(number, file name, SQL) of every migration shipped with the package, in order: the shared files of
    storage/migrations/, each replaced by the file of the same number in storage/migrations/<dialect>/ if any."""
    found = _numbered(resources.files("storage.migrations"))
    folder = resources.files("storage.migrations").joinpath(dialect)
    if folder.is_dir():
        found.update(_numbered(folder))
    return [found[number] for number in sorted(found)]


def _numbered(folder: Any) -> dict[int, tuple[int, str, str]]:
    """The migrations in one folder, by number (two with one number: an error)."""
    found: dict[int, tuple[int, str, str]] = {}
    for entry in folder.iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            number = int(match.group(1))
            if number in found:
                raise RuntimeError(f"two migrations share a number: {found[number][1]} and {entry.name}")
            found[number] = (number, entry.name, entry.read_text(encoding="utf-8"))
    return found


def is_postgres(url: str) -> bool:
    """True for a postgresql:// (or postgres://) DATABASE_URL."""
    return url.startswith(("postgresql://", "postgres://"))
