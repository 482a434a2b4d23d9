"""Core services that run beside the adapters: one round of work, a pause, again, until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class PeriodicService:
    """A runner service: calls `run_once()` in a background task until stopped; a failed round is logged
    and retried after `retry_seconds`, never ending the loop."""

    name = "periodic"
    retry_seconds = 30.0

    def __init__(self) -> None:
        self._task: asyncio.Task | None = None

    async def run_once(self) -> float:
        """Do one round of work; returns the seconds to pause before the next."""
        raise NotImplementedError

    async def pause(self, seconds: float) -> None:
        """Wait before the next round (a service may wake early when new work arrives)."""
        await asyncio.sleep(seconds)

    async def start(self) -> None:
        """Begin the rounds in the background."""
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        """Stop after cancelling the round under way; nothing durable is lost (work lives in the database)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                pause = await self.run_once()
            except Exception:
                log.exception("%s round failed; trying again in %.0f s", self.name, self.retry_seconds)
                pause = self.retry_seconds
            await self.pause(pause)


class Every(PeriodicService):
    """A runner service that awaits `work()` every `seconds` (and `seconds` after a failed round)."""

    def __init__(self, name: str, seconds: float, work: Callable[[], Awaitable[object]]) -> None:
        super().__init__()
        self.name = name
        self.seconds = self.retry_seconds = seconds
        self._work = work

    async def run_once(self) -> float:
        """Do the work once."""
        await self._work()
        return self.seconds
