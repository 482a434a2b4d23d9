"""The intent matcher for plain questions: keywords plus fuzzy platform names, no network, no model."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.matching import matcher
from bot.features.knowledge.scams import scan

LONG_MESSAGE = 150  # a pasted text this long is checked for scam signs rather than read as a question
LEGIT = {"legit", "legitimate", "scam", "scams", "scammy", "fake", "real", "trust", "trustworthy", "safe", "fraud",
         "sketchy", "genuine", "reliable", "ponzi", "shady", "trusted"}
ASSESS = {"assessment", "assessments", "test", "tests", "exam", "exams", "qualification", "qualifications", "qual",
          "quals", "onboarding", "training", "trainings", "interview", "screening", "assesment", "assessement"}
PAYWORDS = {"pay", "pays", "paid", "unpaid", "paying", "compensated", "compensate", "money"}
PAYOUT = {"when", "payout", "payouts", "schedule", "paypal", "payoneer", "withdraw", "withdrawal", "cash",
          "weekly", "monthly", "payday", "method", "methods", "stripe", "wise", "invoice", "often"}
AMOUNT = {"much", "rate", "rates", "hourly", "salary", "earn", "earning", "earnings", "wage", "wages", "hour",
          "per", "make", "income", "payrate", "paying"}
ROLES = {"generalist": "generalist", "generalists": "generalist", "specialist": "specialist",
         "specialists": "specialist", "expert": "expert", "experts": "expert", "reviewer": "reviewer",
         "reviewers": "reviewer"}
LIST = re.compile(r"\b(which|what|list|all|known|other)\b.*\bplatforms?\b|\bplatforms?\b.*\b(know|list|cover)\b")
SCAM_PREFIX = re.compile(r"^(.{0,60}?\b(scam|legit|fake|real|check)\b.{0,20}?)[:\n]\s*(?P<message>.+)$",
                         re.IGNORECASE | re.DOTALL)
SIGNS = re.compile(r"\b(spot|signs?|avoid|recogni[sz]e|tell|red flags?|warning)\b")
NAME_IN_LEGIT = re.compile(r"\b(?:is|are)\s+(?P<name>[\w.\-]+(?:\s[\w.\-]+)?)\s+(?:a\s+)?"
                           r"(?:legit|legitimate|scam|real|safe|fake|trustworthy)\b", re.IGNORECASE)
SAFE_SHORT = {"uk"}  # two-letter country words that are never ordinary English words


@dataclass(frozen=True)
class Intent:
    """What a plain question asks, and about what."""

    kind: str  # legit, pay, assessment, payout, profile, platforms, scamcheck, scam_signs, wage, unknown_name,
    #            need_platform, help
    platform: str | None = None
    country: str | None = None
    role: str | None = None
    message: str = ""  # scamcheck: the message to check; unknown_name: the name; need_platform: the topic


def words_of(text: str) -> list[str]:
    """Lower-case words of a text."""
    return re.findall(r"[a-z0-9$£€']+", text.lower())


def country_in(text: str) -> str | None:
    """A country named in a sentence ("in the UK", "Germany", "US"), as a code."""
    kb = knowledge_base()
    original = re.findall(r"[A-Za-z]+", text)
    words = [w.lower() for w in original]
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start:start + size])
            for country in kb.countries.values():
                if phrase in country.aliases or phrase == country.name.lower():
                    short = len(phrase) <= 2
                    if not short or phrase in SAFE_SHORT or original[start].isupper():
                        return country.code
    return None


def classify(text: str) -> Intent:
    """Decide what a plain message asks."""
    stripped = text.strip()
    words = set(words_of(stripped))
    lowered = stripped.lower()
    found = matcher().find_in_text(stripped)
    platform = found[0] if found else None
    country = country_in(stripped)
    role = next((ROLES[w] for w in words_of(stripped) if w in ROLES), None)

    prefixed = SCAM_PREFIX.match(stripped)
    if prefixed and len(prefixed.group("message")) > 20:
        return Intent("scamcheck", message=prefixed.group("message").strip())
    if len(stripped) >= LONG_MESSAGE or (len(stripped) > 60 and scan(stripped).high):
        return Intent("scamcheck", message=stripped)
    if words & ASSESS and words & PAYWORDS:
        return _about("assessment", platform, country, role)
    if words & PAYOUT and words & (PAYWORDS | {"payout", "payouts", "paypal", "payoneer"}) and not words & {
            "much", "rate", "hourly", "salary"}:
        return _about("payout", platform, country, role)
    if "minimum wage" in lowered and platform is None:
        return Intent("wage", country=country) if country else Intent("need_platform", message="wage")
    if words & (AMOUNT - {"per", "make"}) or (words & PAYWORDS and platform):
        return _about("pay", platform, country, role)
    if words & LEGIT:
        if platform:
            return Intent("legit", platform, country, role)
        named = NAME_IN_LEGIT.search(stripped)
        if named and named.group("name").lower() not in {"this", "it", "that", "this a", "it a", "that a"}:
            return Intent("unknown_name", message=named.group("name"))
        return Intent("scam_signs")
    if SIGNS.search(lowered) and "scam" in lowered:
        return Intent("scam_signs")
    if LIST.search(lowered):
        return Intent("platforms")
    if platform:
        return Intent("profile", platform, country, role)
    return Intent("help")


def _about(kind: str, platform: str | None, country: str | None, role: str | None) -> Intent:
    return Intent(kind, platform, country, role) if platform else Intent("need_platform", message=kind)
