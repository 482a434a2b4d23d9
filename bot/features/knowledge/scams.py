"""Task-scam warning signs in a pasted message: which signals it shows, and a plain verdict."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.i18n import _
from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.matching import matcher
from bot.features.knowledge.models import KnowledgeBase, PayRange, Signal
from bot.features.knowledge.money import convert
from bot.features.knowledge.offers import Offer, offers
from bot.features.knowledge.phrases import Hit, find, normalise, pattern

TOO_HIGH = 1.5  # an implied hourly rate this many times the highest reported figure is "far above" it
WAY_TOO_HIGH = 3  # ... and this many times is a sign on its own
EVIDENCE = 70  # characters of the message quoted as evidence
CHANNEL_SIGNALS = ("messaging", "free_email")  # chat contacts and free mailboxes: never a platform's own route
EXPERT_ROLES = ("expert", "specialist")
# Words that say the offer wants expertise, so it is compared with what experts are reported to earn.
EXPERTISE = re.compile(
    r"\b(ph\.?d|doctorate|physicians?|doctors?|radiologists?|nurses?|medical|medicine|lawyers?|attorneys?|law degree|"
    r"legal|engineers?|software|developers?|coding|coders?|programmers?|python|java(script)?|mathematics|math|physics|"
    r"chemistry|biology|stem|finance|accountants?|cpa|experts?|specialists?|master'?s|graduates?|professors?|"
    r"board-certified|licensed)\b", re.IGNORECASE)
# A message about work or pay: moving that to a chat app is the task-scam opening, not small talk.
JOB_TALK = re.compile(r"\b(earn\w*|salary|income|wages?|pay|paid|hiring|hire|hired|jobs?|positions?|vacanc\w+|"
                      r"recruit\w*|onboard\w*|interview\w*|tasks?|commissions?|part[- ]time|work from home|"
                      r"remote work)\b",
                      re.IGNORECASE)
NO_EXPERTISE = re.compile(r"\b(no|without)\s+(experience|skills?|qualifications?|degree)|\banyone can\b", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """One warning sign found, with the words in the message that show it, and how strong it is here."""

    signal: Signal
    evidence: str
    severity: str = ""

    @property
    def high(self) -> bool:
        """True when this sign alone shows a scam."""
        return (self.severity or self.signal.severity) == "high"


@dataclass
class ScamReport:
    """What a message shows: the signs found and the platforms it names or imitates."""

    findings: list[Finding] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    lookalikes: list[tuple[str, str]] = field(default_factory=list)  # (host, platform id)
    about_work: bool = False  # the message talks of a job, tasks or pay

    @property
    def high(self) -> bool:
        """True when at least one high-severity sign is present."""
        return any(f.high for f in self.findings)

    @property
    def off_platform(self) -> bool:
        """True when a message about work, or in a real platform's name, moves you to a chat app or a free
        mailbox: the impersonation and task-scam opening (W1, W7), whatever else it says."""
        return (bool(self.platforms) or self.about_work) and any(f.signal.id in CHANNEL_SIGNALS for f in self.findings)

    @property
    def is_scam(self) -> bool:
        """True when the signs add up to a task scam: one strong sign, two of any, or an off-platform offer."""
        return self.high or len(self.findings) >= 2 or self.off_platform

    def verdict(self) -> str:
        """A plain verdict on the signs found (about the message, never about a named company)."""
        if self.is_scam:
            return _("This message shows the signs of a task scam. Do not pay anything, do not send ID or bank "
                     "details, and stop replying.")
        if self.findings:
            return _("Be careful: this message shows one warning sign. Apply only through the platform's own "
                     "website, never through a chat contact.")
        return _("I found none of the usual warning signs in this message. That does not prove it is genuine: "
                 "apply only through the platform's own website, and never pay to get paid.")


def _quote(text: str, hit: Hit, needs: list[str]) -> str:
    """The words that show a sign: the phrase, or for a paired sign the stretch from the request to the thing
    ("send a photo of your passport"), the request before the thing when there is one."""
    start, end = hit.start, hit.end
    spans = [(m.start(), m.end()) for word in needs for m in pattern(word).finditer(text, *hit.sentence)]
    before = [s for s in spans if s[1] <= hit.start]
    if before or spans:
        near = max(before) if before else min(spans)
        start, end = min(start, near[0]), max(end, near[1])
    return _cap(" ".join(text[start:end].split()))


def _cap(quoted: str) -> str:
    return quoted if len(quoted) <= EVIDENCE else quoted[:EVIDENCE - 1].rstrip() + "…"


def scan(message: str, kb: KnowledgeBase | None = None) -> ScamReport:
    """Look for every warning sign in a pasted message."""
    kb = kb or knowledge_base()
    text = normalise(message)
    found = matcher()
    about_work = bool(JOB_TALK.search(message) or offers(message))
    report = ScamReport(platforms=found.find_in_text(message), about_work=about_work)
    for host in found.domains_in_text(message):
        imitated = found.lookalike(host)
        if imitated:
            report.lookalikes.append((host, imitated))
            if imitated not in report.platforms:
                report.platforms.append(imitated)
    channels = [w for s in kb.scams.signals if s.id in CHANNEL_SIGNALS for w in s.words]
    for signal in kb.scams.signals:
        if signal.id == "lookalike":
            if report.lookalikes:
                report.findings.append(Finding(signal, _cap(", ".join(host for host, _pid in report.lookalikes))))
        elif signal.id == "pay_too_high":
            finding = _too_high(signal, message, report.platforms, kb)
            if finding:
                report.findings.append(finding)
        else:
            hit = next(find(text, signal.words, signal.needs, signal.unless, channels), None)
            if hit:
                report.findings.append(Finding(signal, _quote(text, hit, signal.needs)))
    report.findings.sort(key=lambda f: not f.high)
    return report


def _hourly_top(figures: list[PayRange]) -> float | None:
    tops = [convert(p.high or p.low or 0, p.currency, "USD") for p in figures if p.unit == "hour"]
    return max(tops, default=None)


def ceiling(kb: KnowledgeBase, platforms: list[str], expert: bool) -> tuple[float, str]:
    """The highest reported hourly figure (USD) an offer is compared with, and what it is the top of.

    Generalist work is compared with the top generalist figure anywhere, expert work with the top figure
    anywhere; a platform the message names raises the bar to its own top for that kind of work (or its top
    figure at all when none is reported for that kind)."""
    everything = [p for info in kb.platforms.values() for p in info.pay]
    if expert:
        top, what = _hourly_top(everything) or 0.0, "reported for expert work"
    else:
        generalist = [p for p in everything if p.role == "generalist"]
        top, what = _hourly_top(generalist) or 0.0, "reported for generalist work"
    for pid in platforms:
        pay = kb.platforms[pid].pay
        tier = [p for p in pay if (p.role in EXPERT_ROLES) == expert]
        own = _hourly_top(tier) or _hourly_top(pay)
        if own is not None and own > top:
            top, what = own, f"reported for {kb.platforms[pid].name}"
    return top, what


def _describe(offer: Offer) -> str:
    if offer.per == "hour":
        return offer.text
    hours = f"{offer.hours:g} h" if offer.hours_stated else f"counting {offer.hours:g} h"
    return f"{offer.text}: about US${offer.hourly_usd():,.0f}/h ({hours})"


def _too_high(signal: Signal, message: str, platforms: list[str], kb: KnowledgeBase) -> Finding | None:
    expert = bool(EXPERTISE.search(message)) and not NO_EXPERTISE.search(message)
    top, what = ceiling(kb, platforms, expert)
    if top <= 0:
        return None
    worst = max(offers(message), key=Offer.hourly_usd, default=None)
    if worst is None or worst.hourly_usd() <= top * TOO_HIGH:
        return None
    severity = "high" if worst.hourly_usd() > top * WAY_TOO_HIGH else "medium"
    return Finding(signal, f"{_describe(worst)}, against at most US${top:,.0f}/h {what}", severity)
