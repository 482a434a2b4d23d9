"""/forget and /about over every feature: what each keeps about a member, and deleting it all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.feature import Person
from bot.core.i18n import _

if TYPE_CHECKING:
    from bot.wiring import App

__all__ = ["Person", "data_kept", "forget_person"]


def data_kept(app: App) -> list[tuple[str, str]]:
    """(label, description) of everything the features keep about a member, in feature order."""
    return [(_(label), _(what)) for feature in app.features for label, what in feature.data_kept]


async def forget_person(app: App, person: Person) -> list[tuple[str, int]]:
    """Run every feature's forget hook and return everything deleted, (label, count) pairs with count > 0."""
    deleted: list[tuple[str, int]] = []
    for feature in app.features:
        if feature.forget is not None:
            deleted.extend((label, count) for label, count in await feature.forget(app, person) if count)
    return deleted
