"""What the runner needs from every adapter."""

from __future__ import annotations

from typing import Protocol

from bot.core.errors import StartupError

__all__ = ["Adapter", "StartupError"]


class Adapter(Protocol):
    """A front end: started and stopped by the runner, all in one event loop."""

    name: str

    async def start(self) -> None:
        """Connect and begin handling events; return once running."""
        ...

    async def stop(self) -> None:
        """Disconnect cleanly."""
        ...
