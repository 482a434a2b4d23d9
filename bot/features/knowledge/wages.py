"""Minimum wages: the rate in force in a country on a day, and naming countries."""

from __future__ import annotations

from datetime import date

from rapidfuzz import process

from bot.core.errors import BadArgument, quoted
from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.models import Country, KnowledgeBase, Wage


def find_country(text: str, kb: KnowledgeBase | None = None) -> Country:
    """The country a member named ("uk", "Germany", "DE"); raises BadArgument with the ones it knows."""
    kb = kb or knowledge_base()
    wanted = " ".join(text.strip().lower().replace(".", "").split())
    for country in kb.countries.values():
        if wanted in (country.code.lower(), country.name.lower(), *country.aliases):
            return country
    names = {country.name.lower(): country for country in kb.countries.values() if len(wanted) > 3}
    match = process.extractOne(wanted, list(names), score_cutoff=85)
    if match:
        return names[match[0]]
    with_wages = sorted({kb.countries[w.country].name for w in kb.wages})
    raise BadArgument(
        f"I don't know the country {quoted(text)}.",
        hint="Use a name or two-letter code, e.g. uk, us, germany, ie. Minimum wages are sourced for: "
        + ", ".join(with_wages) + ".",
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
