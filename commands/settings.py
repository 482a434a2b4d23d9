"""/settings [country] [currency]: a member's saved country (for minimum wages) and display currency."""

from __future__ import annotations

from bot.core.clock import unix
from bot.core.declarations import Command, Param
from bot.core.errors import BadArgument
from bot.core.model import Field, Invocation, Reply
from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.money import parse_currency
from bot.features.knowledge.preferences import MemberSettings, save, saved
from bot.features.knowledge.wages import country_named, find_country

CLEAR_WORDS = {"clear", "none", "reset", "-"}

def _is_currency(text: str) -> bool:
    try:
        parse_currency(text)
    except BadArgument:
        return False
    return True


def _is_country_or_clear(text: str) -> bool:
    return text.lower() in CLEAR_WORDS or country_named(text) is not None


def split_country_and_currency(country: str | None, currency: str | None) -> tuple[str | None, str | None]:
    """Sort the words into (country, currency): "united kingdom", "germany EUR", "EUR", "clear clear".

    A typed line splits at spaces and slash-command front ends give two fields, so the words are read together:
    all of them naming a country, else the last one is the currency and the others the country."""
    words = " ".join(part for part in (country, currency) if part).split()
    whole = " ".join(words)
    if not words:
        return None, None
    head, last = " ".join(words[:-1]), words[-1]
    if head and _is_country_or_clear(head) and (last.lower() in CLEAR_WORDS or _is_currency(last)):
        return head, last
    if _is_country_or_clear(whole):
        return whole, None
    if len(words) == 1 and _is_currency(whole):
        return None, whole
    if len(words) == 1:
        return whole, None  # find_country says what is wrong
    return head, last


def _show(settings: MemberSettings, changed: bool) -> Reply:
    countries = knowledge_base().countries
    country = countries[settings.country].name if settings.country else "not set"
    currency = settings.currency or "not set (your country's currency, else USD)"
    return Reply(
        title="Your settings saved" if changed else "Your settings",
        blocks=["/pay uses these when you don't name a country. Change them with /settings <country> [currency]; "
                "clear one with 'clear'."],
        fields=[Field("Country", country), Field("Display currency", currency)],
        private=True,
    )


async def settings_command(inv: Invocation, country: str | None = None, currency: str | None = None) -> Reply:
    """Show or change the member's saved country and currency."""
    if country is None and currency is None:
        return _show(await saved(inv), changed=False)
    country, currency = split_country_and_currency(country, currency)
    changes: dict[str, str | None] = {}
    if country is not None:
        changes["country"] = None if country.strip().lower() in CLEAR_WORDS else find_country(country).code
    if currency is not None:
        changes["currency"] = None if currency.strip().lower() in CLEAR_WORDS else parse_currency(currency)
    now = unix(inv.now)
    result = await save(inv, now, **changes)
    return _show(result, changed=True)


COMMANDS = (
    Command(
        name="settings",
        description="Your saved country (for minimum wages in /pay) and display currency",
        handler=settings_command,
        params=(
            Param("country", "Your country, e.g. uk, united states, germany (or 'clear')", required=False,
                  max_length=40, example="uk"),
            Param("currency", "Currency to show amounts in, e.g. GBP, EUR, USD (or 'clear')", required=False,
                  max_length=20, example="GBP"),
        ),
        examples=("/settings", "/settings uk", "/settings united kingdom GBP", "/settings clear clear"),
    ),
)
