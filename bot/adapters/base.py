"""What the runner needs from every adapter."""

from __future__ import annotations

from typing import Protocol


class StartupError(Exception):
    """An adapter could not start for a reason the operator must fix (e.g. a rejected token)."""


class Adapter(Protocol):
    """A front end: started and stopped by the runner, all in one event loop."""

    name: str

    async def start(self) -> None:
        """Connect and begin handling events; return once running."""
        ...

    async def stop(self) -> None:
        """Disconnect cleanly."""
        ...
