"""Task-scam warning signs in a pasted message: which signals it shows, and a plain verdict."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.matching import matcher
from bot.features.knowledge.models import KnowledgeBase, Signal
from bot.features.knowledge.money import convert

HOURS_PER_DAY = 8  # how a per-day offer is compared with hourly ranges (said in the reply)
TOO_HIGH = 1.5  # an offer this many times the highest reported hourly rate is "far above"
AMOUNT = re.compile(
    r"(?P<pre>us\$|\$|£|€|usd|gbp|eur)?\s?(?P<num>\d{1,3}(?:[,.]\d{3})*(?:\.\d+)?|\d+(?:\.\d+)?)\s?"
    r"(?P<post>usd|dollars?|gbp|pounds?|eur|euros?)?\s?(?:/|per|an?|each)\s?(?P<unit>hour|hr|h|day|daily)\b",
    re.IGNORECASE,
)
CURRENCY = {"us$": "USD", "$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "£": "GBP", "gbp": "GBP",
            "pound": "GBP", "pounds": "GBP", "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR"}


@dataclass(frozen=True)
class Finding:
    """One warning sign found, with the words in the message that show it."""

    signal: Signal
    evidence: str


@dataclass
class ScamReport:
    """What a message shows: the signs found and the platforms it names or imitates."""

    findings: list[Finding] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    lookalikes: list[tuple[str, str]] = field(default_factory=list)  # (host, platform id)

    @property
    def high(self) -> bool:
        """True when at least one high-severity sign is present."""
        return any(f.signal.severity == "high" for f in self.findings)

    def verdict(self) -> str:
        """A plain verdict on the signs found (about the message, never about a named company)."""
        if self.high or len(self.findings) >= 2:
            return ("This message shows the signs of a task scam. Do not pay anything, do not send ID or bank "
                    "details, and stop replying.")
        if self.findings:
            return ("Be careful: this message shows one warning sign. Apply only through the platform's own "
                    "website, never through a chat contact.")
        return ("I found none of the usual warning signs in this message. That does not prove it is genuine: "
                "apply only through the platform's own website, and never pay to get paid.")


def _word_hit(text: str, words: list[str]) -> str | None:
    for word in words:
        if re.search(r"(?<![a-z0-9])" + re.escape(word.lower()) + r"(?![a-z0-9])", text):
            return word
    return None


def hourly_offers(text: str) -> list[tuple[float, str, str]]:
    """Pay offers in a text as (amount, currency, "hour"|"day")."""
    offers = []
    for m in AMOUNT.finditer(text):
        marker = (m.group("pre") or m.group("post") or "").lower()
        if not marker:
            continue
        amount = float(m.group("num").replace(",", ""))
        unit = "day" if m.group("unit").lower() in ("day", "daily") else "hour"
        offers.append((amount, CURRENCY[marker], unit))
    return offers


def highest_hourly_usd(platform_id: str, kb: KnowledgeBase) -> float | None:
    """The highest reported hourly figure for a platform, in USD."""
    tops = [convert(p.high or p.low or 0, p.currency, "USD") for p in kb.platforms[platform_id].pay if p.unit == "hour"]
    return max(tops, default=None)


def scan(message: str, kb: KnowledgeBase | None = None) -> ScamReport:
    """Look for every warning sign in a pasted message."""
    kb = kb or knowledge_base()
    text = message.lower()
    found = matcher()
    report = ScamReport(platforms=found.find_in_text(message))
    for host in found.domains_in_text(message):
        imitated = found.lookalike(host)
        if imitated:
            report.lookalikes.append((host, imitated))
            if imitated not in report.platforms:
                report.platforms.append(imitated)
    for signal in kb.scams.signals:
        if signal.id == "lookalike":
            if report.lookalikes:
                report.findings.append(Finding(signal, ", ".join(host for host, _pid in report.lookalikes)))
        elif signal.id == "pay_too_high":
            evidence = _too_high(message, report.platforms, kb)
            if evidence:
                report.findings.append(Finding(signal, evidence))
        else:
            hit = _word_hit(text, signal.words)
            if hit:
                report.findings.append(Finding(signal, hit))
    return report


def _too_high(message: str, platforms: list[str], kb: KnowledgeBase) -> str | None:
    tops = [t for pid in platforms if (t := highest_hourly_usd(pid, kb)) is not None]
    if not tops:
        return None
    ceiling = max(tops)
    for amount, currency, unit in hourly_offers(message):
        hourly = convert(amount, currency, "USD") / (HOURS_PER_DAY if unit == "day" else 1)
        if hourly > ceiling * TOO_HIGH:
            per = "a day" if unit == "day" else "an hour"
            return (f"{amount:g} {currency} {per}, against at most US${ceiling:.0f}/h reported"
                    + (f" (counting {HOURS_PER_DAY} h a day)" if unit == "day" else ""))
    return None
