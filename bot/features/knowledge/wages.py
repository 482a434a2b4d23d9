"""Minimum wages: the rate in force in a country on a day, and naming countries."""

from __future__ import annotations

import re
from datetime import date

from rapidfuzz import fuzz, process

from bot.core.errors import BadArgument, quoted
from bot.core.i18n import _
from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.models import Country, KnowledgeBase, Wage

LEAD_WORDS = frozenset({"in", "the", "from", "for", "of", "at"})  # "in the uk": the words before a country's name
FUZZY_CUTOFF = 90  # rapidfuzz ratio for a misspelt name typed as a country ("germny", "untied kingdom")
DOTTED = re.compile(r"\b(?:[A-Za-z]\.){2,}")  # "U.K.", "U.S.A."


def plain_words(text: str) -> list[str]:
    """Lower-case words of a country as typed: dotted abbreviations joined ("U.K." -> "uk"), accents kept."""
    joined = DOTTED.sub(lambda m: m.group().replace(".", ""), text)
    return re.findall(r"[^\W\d_]+", joined.lower())


_forms_of: list[tuple[KnowledgeBase, dict[str, str]]] = []  # the latest knowledge base's forms (it is immutable)


def country_forms(kb: KnowledgeBase) -> dict[str, str]:
    """Every way of naming a country the knowledge base lists (code, name, aliases), to its code."""
    if _forms_of and _forms_of[0][0] is kb:
        return _forms_of[0][1]
    forms: dict[str, str] = {}
    for country in kb.countries.values():
        for form in (country.code, country.name, *country.aliases):
            forms.setdefault(" ".join(plain_words(form)), country.code)
    _forms_of[:] = [(kb, forms)]
    return forms


def country_named(text: str, kb: KnowledgeBase | None = None, fuzzy: bool = True) -> Country | None:
    """The country a text names ("the UK", "U.S.", "Deutschland", "german", "untied kingdom"), or None."""
    kb = kb or knowledge_base()
    words = plain_words(text)
    while len(words) > 1 and words[0] in LEAD_WORDS:
        words.pop(0)
    wanted = " ".join(words)
    forms = country_forms(kb)
    code = forms.get(wanted)
    if code is None and fuzzy and len(wanted) > 3:
        match = process.extractOne(wanted, [form for form in forms if len(form) > 3], scorer=fuzz.ratio,
                                   score_cutoff=FUZZY_CUTOFF)
        code = forms[match[0]] if match else None
    return kb.countries[code] if code else None


def find_country(text: str, kb: KnowledgeBase | None = None) -> Country:
    """The country a member named ("uk", "United Kingdom", "the US", "DE"); raises BadArgument with the ones it
    knows."""
    kb = kb or knowledge_base()
    found = country_named(text, kb)
    if found is not None:
        return found
    with_wages = sorted({kb.countries[w.country].name for w in kb.wages})
    raise BadArgument(
        _("I don't know the country {text}.").format(text=quoted(text)),
        hint=_("Use a name or two-letter code, e.g. uk, united kingdom, us, germany, ie. Minimum wages are sourced "
               "for: {countries}.").format(countries=", ".join(with_wages)),
    )


def wage_in_force(country: str, day: date, group: str | None = None, kb: KnowledgeBase | None = None) -> Wage | None:
    """The minimum wage in force on `day` for a country code (its main group unless one is named)."""
    kb = kb or knowledge_base()
    candidates = [
        w for w in kb.wages
        if w.country == country and w.effective <= day and (w.group == group if group else w.main)
    ]
    return max(candidates, key=lambda w: w.effective, default=None)


def wages_in_force(country: str, day: date, kb: KnowledgeBase | None = None) -> list[Wage]:
    """Every age group's rate in force on `day`, the main group first."""
    kb = kb or knowledge_base()
    groups = dict.fromkeys(w.group for w in sorted(kb.wages, key=lambda w: not w.main) if w.country == country)
    found = [wage_in_force(country, day, group, kb) for group in groups]
    return [w for w in found if w is not None]


def next_change(country: str, day: date, kb: KnowledgeBase | None = None) -> Wage | None:
    """The next sourced change of the main rate after `day`, if one is known."""
    kb = kb or knowledge_base()
    future = [w for w in kb.wages if w.country == country and w.main and w.effective > day]
    return min(future, key=lambda w: w.effective, default=None)
