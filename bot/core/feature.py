"""The manifest each feature declares once: its commands, what it keeps about people and how it forgets them,
and the background services it runs. `bot/wiring.py` reads the list of manifests; nothing registers itself."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.core.declarations import Command


@dataclass(frozen=True)
class Person:
    """Who is to be forgotten: the keyed hash used in reports and the raw platform identity."""

    key: str
    platform: str
    user_id: str


# A forget hook gets the app and the person and returns what it deleted as (label, count) pairs.
ForgetHook = Callable[[Any, Person], Awaitable[list[tuple[str, int]]]]


class Service(Protocol):
    """A background service started and stopped by the runner beside the adapters."""

    name: str

    async def start(self) -> None:
        """Begin work in the background; return at once."""
        ...

    async def stop(self) -> None:
        """Stop cleanly."""
        ...


@dataclass(frozen=True)
class Feature:
    """One feature's manifest."""

    name: str
    commands: tuple[Command, ...] = ()
    # What the feature keeps about a member, for /about and /forget: (label, description) pairs.
    data_kept: tuple[tuple[str, str], ...] = ()
    forget: ForgetHook | None = None
    # The tables whose rows about a person `forget` deletes or scrubs (checked against the schema by a test).
    personal_tables: tuple[str, ...] = ()
    # Outbox origin kinds this feature sends as, each with what to do when a destination can never be reached.
    give_up: tuple[tuple[str, Callable[..., Awaitable[None]]], ...] = ()
    # Background services, each built from the app (run by the worker role).
    services: tuple[Callable[[Any], Service], ...] = ()
