"""/settings [country] [currency] [language]: a member's saved country (for minimum wages), display currency and
reply language (`/settings language es`)."""

from __future__ import annotations

from bot.core.clock import unix
from bot.core.declarations import Command, Param
from bot.core.errors import BadArgument, quoted
from bot.core.i18n import N_, _, language_name, normalize
from bot.core.i18n import set_locale as i18n_set
from bot.core.model import Field, Invocation, Reply
from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.money import parse_currency
from bot.features.knowledge.preferences import MemberSettings, save, saved
from bot.features.knowledge.wages import country_named, find_country

CLEAR_WORDS = {"clear", "none", "reset", "-", "borrar", "limpar"}
# The word that says the rest is a language: "/settings language es" (also in Spanish and Portuguese).
LANGUAGE_WORDS = {"language", "lang", "idioma", "lengua", "língua", "lingua"}

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
    country = countries[settings.country].name if settings.country else _("not set")
    currency = settings.currency or _("not set (your country's currency, else USD)")
    language = (language_name(settings.language) if settings.language
                else _("automatic (your app's language, else the community's)"))
    return Reply(
        title=_("Your settings saved") if changed else _("Your settings"),
        blocks=[_("/pay uses these when you don't name a country. Change them with /settings <country> [currency]; "
                  "clear one with 'clear'. Choose the language I answer you in with /settings language es "
                  "(en, es or pt_BR).")],
        fields=[Field(_("Country"), country), Field(_("Display currency"), currency), Field(_("Language"), language)],
        private=True,
    )


def _is_language(text: str) -> bool:
    return text.strip().lower() in CLEAR_WORDS or normalize(text) is not None


def parse_language(text: str) -> str | None:
    """A supported locale from what a member typed ("es", "pt-BR", "português"), None for 'clear'."""
    if text.strip().lower() in CLEAR_WORDS:
        return None
    found = normalize(text)
    if found is None:
        raise BadArgument(
            _("I can't answer in {language} yet.").format(language=quoted(text)),
            hint=_("Choose one of: en (English), es (Español), pt_BR (Português), or 'clear' for automatic."),
        )
    return found


async def settings_command(inv: Invocation, country: str | None = None, currency: str | None = None,
                           language: str | None = None) -> Reply:
    """Show or change the member's saved country, currency and reply language."""
    changes: dict[str, str | None] = {}
    if language is not None and not _is_language(language):  # a typed line's third word: "united kingdom GBP"
        country, currency, language = " ".join(p for p in (country, currency, language) if p), None, None
    if country is not None and country.split()[0].lower() in LANGUAGE_WORDS:  # typed: /settings language es
        language = " ".join(part for part in [*country.split(maxsplit=1)[1:], currency or "", language or ""]
                            if part).strip() or None
        if language is None:
            raise BadArgument(_("Which language?"), hint=_("For example /settings language es (en, es or pt_BR)."))
        country = currency = None
    if language is not None:
        changes["language"] = parse_language(language)
    if country is None and currency is None and not changes:
        return _show(await saved(inv), changed=False)
    if country is not None or currency is not None:
        country, currency = split_country_and_currency(country, currency)
    if country is not None:
        changes["country"] = None if country.strip().lower() in CLEAR_WORDS else find_country(country).code
    if currency is not None:
        changes["currency"] = None if currency.strip().lower() in CLEAR_WORDS else parse_currency(currency)
    now = unix(inv.now)
    result = await save(inv, now, **changes)
    if "language" in changes:
        i18n_set(result.language or inv.actor.locale)
    return _show(result, changed=True)


COMMANDS = (
    Command(
        name="settings",
        description=N_("Your saved country (for minimum wages in /pay), display currency and language"),
        handler=settings_command,
        params=(
            Param("country", N_("Your country, e.g. uk, united states, germany (or 'clear')"), required=False,
                  max_length=40, example="uk"),
            Param("currency", N_("Currency to show amounts in, e.g. GBP, EUR, USD (or 'clear')"), required=False,
                  max_length=20, example="GBP"),
            Param("language", N_("The language I answer you in: en, es or pt_BR"), required=False,
                  max_length=30, example="es"),
        ),
        examples=("/settings", "/settings uk", "/settings united kingdom GBP", "/settings language es",
                  "/settings clear clear"),
    ),
)
