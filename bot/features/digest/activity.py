"""Keeping who took part up to date: new reports and repeats are taken in batches, off the path of a report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.background import Every
from bot.core.clock import unix
from storage import activity

if TYPE_CHECKING:
    from bot.wiring import App

CATCH_UP_SECONDS = 60  # a digest built between two rounds takes the rest itself


async def catch_up(app: App, batches: int | None = None) -> int:
    """Take the reports written since the last batch into who took part (at most `batches` transactions; a long
    backlog, after an upgrade, is the worker's); returns how many latest times moved."""
    return await activity.catch_up(app.db, unix(app.clock.now()), batches)


def activity_service(app: App) -> Every:
    """The runner service that takes new reports into who took part, about each minute."""
    return Every("activity", CATCH_UP_SECONDS, lambda: catch_up(app))
