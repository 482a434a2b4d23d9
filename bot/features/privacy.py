"""Data-deletion hooks: each feature that keeps data about a person registers one, and /forget runs them all.

A hook gets the app and the person (their keyed hash and their raw platform identity, since a few
features such as alert subscriptions must keep the raw id to deliver) and returns what it deleted as
(label, count) pairs, e.g. [("reports", 3)].
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.wiring import App


@dataclass(frozen=True)
class Person:
    """Who is to be forgotten: the keyed hash used in reports and the raw platform identity."""

    key: str
    platform: str
    user_id: str


ForgetHook = Callable[["App", Person], Awaitable[list[tuple[str, int]]]]
# What each feature keeps about a member, as listed by /about: (feature, description).
DATA_KEPT: list[tuple[str, str]] = []
_HOOKS: list[ForgetHook] = []


def forget_hook(hook: ForgetHook) -> ForgetHook:
    """Register a feature's deletion hook (use as a decorator at module level)."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)
    return hook


def describe_data(feature: str, description: str) -> None:
    """Declare what a feature keeps about a member, for /about."""
    if (feature, description) not in DATA_KEPT:
        DATA_KEPT.append((feature, description))


async def forget_person(app: App, person: Person) -> list[tuple[str, int]]:
    """Run every registered hook and return everything deleted, (label, count) pairs with count > 0."""
    deleted: list[tuple[str, int]] = []
    for hook in _HOOKS:
        deleted.extend((label, count) for label, count in await hook(app, person) if count)
    return deleted
