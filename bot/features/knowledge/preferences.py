"""A member's country and display currency for an answer: what they typed, else what they saved."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.core.feature import Person
from bot.core.i18n import N_
from bot.core.model import Invocation
from bot.features import languages
from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.money import KNOWN_CURRENCIES
from bot.features.knowledge.wages import find_country
from storage import member_settings
from storage.member_settings import MemberSettings

DEFAULT_CURRENCY = "USD"
DATA_KEPT = ((N_("settings"),
              N_("your saved country, display currency and language (/settings), under a keyed hash")),)
__all__ = ["DATA_KEPT", "MemberSettings", "country_and_currency", "forget_settings", "save", "saved"]

if TYPE_CHECKING:
    from bot.wiring import App


def person(inv: Invocation) -> str:
    """The keyed hash settings are stored under."""
    return inv.app.person_key(str(inv.actor.platform), inv.actor.user_id)


async def saved(inv: Invocation) -> MemberSettings:
    """The member's saved settings."""
    return await member_settings.load(inv.app.db, person(inv))


async def country_and_currency(inv: Invocation, country_text: str | None = None) -> tuple[str | None, str]:
    """(country code or None, display currency): typed values first, then saved ones, then USD."""
    stored = await saved(inv)
    country = find_country(country_text).code if country_text else stored.country
    currency = stored.currency
    if currency is None and country is not None:
        local = knowledge_base().countries[country].currency
        currency = local if local in KNOWN_CURRENCIES else None
    return country, currency or DEFAULT_CURRENCY


async def save(inv: Invocation, now: int, **changes: Any) -> MemberSettings:
    """Change the given settings of the member (None clears one); returns the settings now saved."""
    saved = await member_settings.save(inv.app.db, person(inv), now, **changes)
    languages.member_changed(inv.app, person(inv))
    return saved


async def forget_settings(app: App, who: Person) -> list[tuple[str, int]]:
    """Delete a member's saved settings (/forget)."""
    forgotten = await member_settings.forget(app.db, who.key)
    languages.member_changed(app, who.key)
    return [(N_("saved settings"), forgotten)]
