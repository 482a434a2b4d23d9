"""Stored button payloads as kept data: what /about says, what /forget deletes, and their expiry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.background import Every
from bot.core.buttons import PAYLOAD_LIFETIME
from bot.core.clock import unix
from bot.core.feature import Person
from bot.core.i18n import N_

if TYPE_CHECKING:
    from bot.wiring import App

EXPIRY_EVERY = 3600  # seconds between sweeps of expired payloads

DATA_KEPT = ((
    N_("Buttons"),
    N_("for 7 days, what a button shown to you repeats of what you typed (e.g. a report with your note under "
       "\"Did you mean\"), under your keyed hash, so only you can press it"),
),)


async def forget_button_payloads(app: App, person: Person) -> list[tuple[str, int]]:
    """Delete every stored payload of a button shown to the person."""
    return [(N_("stored buttons shown to you"), await app.button_payloads.forget(person.key))]


async def expire_button_payloads(app: App) -> int:
    """Delete payloads older than their lifetime (they can no longer be pressed); returns how many."""
    return await app.button_payloads.purge(unix(app.clock.now()) - PAYLOAD_LIFETIME)


def button_expiry_service(app: App) -> Every:
    """The background sweep of expired button payloads."""
    return Every("button-expiry", EXPIRY_EVERY, lambda: expire_button_payloads(app))
