"""Languages: the locale of the reply being built, gettext catalogues compiled on first use, Babel formatting.

The dispatcher sets the locale of each invocation (member's choice, else the platform's locale, else the
community's default, else English) in a context variable, so feature code calls `_("...")` and `ngettext`
without passing a locale around. Background work (digests, alerts) sets it with `use_locale(...)`.
Catalogues live in bot/locale/<lang>/LC_MESSAGES/queuewatch.po; they are compiled in memory the first time a
language is used, so a fresh clone needs no build step. docs/TRANSLATING.md says how to add a language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

DOMAIN = "queuewatch"
SOURCE = "en"
LOCALES = ("en", "es", "pt_BR")  # the source language first
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGE_NAMES = {"en": "English", "es": "Español", "pt_BR": "Português (Brasil)"}
# Each platform's own codes for a locale (Discord locales; Telegram's two-letter language_code).
DISCORD_LOCALES = {"es": ("es-ES", "es-419"), "pt_BR": ("pt-BR",)}
TELEGRAM_CODES = {"es": "es", "pt_BR": "pt"}
# Words members type for a language in /settings language and /community_language.
NAMES = {"english": "en", "inglés": "en", "ingles": "en", "inglês": "en",
         "spanish": "es", "español": "es", "espanol": "es", "castellano": "es", "espanhol": "es",
         "portuguese": "pt_BR", "português": "pt_BR", "portugues": "pt_BR", "portugués": "pt_BR",
         "brazilian": "pt_BR", "brasileiro": "pt_BR"}

_BY_CODE = {code.lower(): code for code in LOCALES}
_BY_LANGUAGE = {code.split("_")[0].lower(): code for code in LOCALES}
_current: ContextVar[str] = ContextVar("queuewatch_locale", default=SOURCE)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (declarations, module-level tables)."""
    return message


def normalize(code: str | None) -> str | None:
    """A supported locale for a code or name ("es-MX", "pt", "pt-br", "Español", "en_GB"), or None."""
    if not code:
        return None
    text = code.strip().lower().replace("-", "_")
    if text in NAMES:
        return NAMES[text]
    if text in _BY_CODE:
        return _BY_CODE[text]
    return _BY_LANGUAGE.get(text.split("_", 1)[0])  # "es_mx" -> es, "pt_pt" -> pt_BR, "en_gb" -> en


def choose(*candidates: str | None) -> str:
    """The first supported locale among the candidates, in order; English when there is none."""
    for candidate in candidates:
        found = normalize(candidate)
        if found is not None:
            return found
    return SOURCE


_QUALITY = re.compile(r"^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$", re.IGNORECASE)


@lru_cache(maxsize=512)  # browsers send a handful of distinct headers; each is parsed once
def negotiate(accept_language: str | None, lang: str | None = None) -> str:
    """The locale of a web response: a `?lang=` value first, then the Accept-Language header by quality."""
    if normalize(lang) is not None:
        return choose(lang)
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        tag, *options = part.split(";")
        quality = 1.0
        for option in options:
            found = _QUALITY.match(option)
            if found:
                quality = float(found.group(1))
        if tag.strip() and quality > 0:
            ranked.append((-quality, position, tag.strip()))
    return choose(*(tag for _, _, tag in sorted(ranked)))


def current() -> str:
    """The locale of the reply being built."""
    return _current.get()


def set_locale(locale: str | None) -> Token[str]:
    """Make `locale` (normalised; English if unsupported) the locale of the current task's replies."""
    return _current.set(choose(locale))


@contextmanager
def use_locale(locale: str | None) -> Iterator[str]:
    """Build replies in `locale` inside the block (a digest in the community's language), then go back."""
    token = set_locale(locale)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def catalogue_path(locale: str) -> Path:
    """Where a language's catalogue lives."""
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(locale: str) -> NullTranslations:
    """A language's catalogue, compiled from its .po in memory on first use (fuzzy entries are left out)."""
    if locale == SOURCE:
        return NullTranslations()
    with catalogue_path(locale).open("rb") as source:
        catalog = read_po(source, locale=locale, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def _(message: str) -> str:
    """The message in the current locale (the English source when it has no translation)."""
    return translations(_current.get()).gettext(message)


gettext = _


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message (by the current language's plural rule) in the current locale."""
    return translations(_current.get()).ngettext(singular, plural, n)


def babel_locale(locale: str | None = None) -> str:
    """The Babel locale for formatting (English formats as en_US)."""
    chosen = locale or _current.get()
    return "en_US" if chosen == SOURCE else chosen


def number(value: float, decimals: int | None = None) -> str:
    """A number for the current locale: 1,234 / 1.234 / 1.234,5."""
    return _formatted(value, decimals, babel_locale())


@lru_cache(maxsize=4096)  # Babel takes ~100 us a number; replies repeat the same few (6 hours, 30 days, 3 members)
def _formatted(value: float, decimals: int | None, locale: str) -> str:
    if decimals is None:
        return numbers.format_decimal(value, locale=locale)
    return numbers.format_decimal(value, format=f"#,##0.{'0' * decimals}" if decimals else "#,##0", locale=locale)


def money(amount: float, currency: str, decimals: int = 2) -> str:
    """An amount with its currency for the current locale: US$12.50, 12,50 US$, US$ 12,50."""
    standard = Locale.parse(babel_locale()).currency_formats["standard"].pattern.split(";")[0]
    pattern = standard.replace("0.00", "0" + ("." + "0" * decimals if decimals else ""))
    return numbers.format_currency(amount, currency, format=pattern, locale=babel_locale(), currency_digits=False)


def percent(fraction: float) -> str:
    """A share as a percentage for the current locale: 85% / 85 %."""
    return numbers.format_percent(fraction, locale=babel_locale())


def day(value: date | str) -> str:
    """A date for the current locale: 28 Feb 2025 / 28 feb 2025 / 28 de fev. de 2025."""
    when = date.fromisoformat(value) if isinstance(value, str) else value
    return dates.format_date(when, format="medium", locale=babel_locale())


def month(value: date) -> str:
    """A month and year for the current locale: Jan 2024 / ene 2024 / jan. de 2024."""
    return dates.format_skeleton("yMMM", value, locale=babel_locale())


def local_time(value: datetime, pattern: str) -> str:
    """A local date or time by a CLDR pattern ("EEE d MMM", "EEE HH:mm"), in the current locale's words."""
    return dates.format_datetime(value, pattern, tzinfo=value.tzinfo, locale=babel_locale())


def moment(unix_time: int) -> str:
    """A unix time as a UTC date and time for the current locale."""
    when = datetime.fromtimestamp(unix_time, UTC)
    return dates.format_datetime(when, format="medium", tzinfo=UTC, locale=babel_locale()) + " UTC"


def weekday_name(index: int) -> str:
    """A weekday (0 = Monday) in the current locale."""
    return dates.get_day_names("wide", context="format", locale=babel_locale())[index]


def language_name(locale: str) -> str:
    """A supported locale's own name: English, Español, Português (Brasil)."""
    return LANGUAGE_NAMES.get(locale, locale)


class Localized(dict[str, str]):
    """A table of English labels (each marked with N_) read in the current locale: `LABELS[key]` translates."""

    def __getitem__(self, key: str) -> str:
        return _(super().__getitem__(key))

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        """The translated label, or `default`."""
        return self[key] if key in self else default  # noqa: SIM401 (self.get is this method)

    def values(self) -> list[str]:  # type: ignore[override]
        """Every label, translated."""
        return [self[key] for key in self]

    def items(self) -> list[tuple[str, str]]:  # type: ignore[override]
        """Every (key, translated label)."""
        return [(key, self[key]) for key in self]


def in_every_locale(message: str) -> dict[str, str]:
    """A message translated into every non-source locale (command descriptions for the platforms' menus)."""
    found = {}
    for locale in LOCALES[1:]:
        with use_locale(locale):
            found[locale] = _(message)
    return found
