"""Pydantic models of the knowledge base: sources, platforms and their facts, wages, rates, scam signs."""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.core.i18n import N_, SOURCE, Localized, _, current, day, month

UNDATED = "n.d."
DATE_PATTERN = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

SourceKind = Literal[
    "official", "government", "news", "law", "research", "union", "blog", "forum", "review", "job_ad",
    "secondary", "seo",
]
Topic = Literal["owner", "roles", "pay", "payout", "assessment", "id_check", "countries", "problems", "history"]
Category = Literal["established", "legit_with_risks", "caution", "unknown"]
Role = Literal["any", "generalist", "specialist", "expert", "reviewer"]
Unit = Literal["hour", "task", "day", "month"]
# The fact sheet's source tiers, strongest first: official, government, law, news, research, forum, SEO.
Tier = Literal["OFF", "GOV", "LAW", "NEWS", "RES", "FORUM", "SEO"]
TIERS: tuple[str, ...] = ("OFF", "GOV", "LAW", "NEWS", "RES", "FORUM", "SEO")
WEAK_TIERS = frozenset({"FORUM", "SEO"})  # "if the only support for a claim is SEO or FORUM, say so"

KIND_LABELS: dict[str, str] = Localized({
    "official": N_("official"),
    "government": N_("government"),
    "news": N_("news"),
    "law": N_("legal filing"),
    "research": N_("research"),
    "union": N_("worker organisation"),
    "blog": N_("worker blog"),
    "forum": N_("forum post"),
    "review": N_("review site"),
    "job_ad": N_("job ad"),
    "secondary": N_("secondary"),
    "seo": N_("SEO site"),
})
# How a fact backed only by weak sources is flagged, by the kind of page: "(forum only)", "(SEO site only)".
WEAK_NOUNS: dict[str, str] = Localized({"forum": N_("forum"), "blog": N_("worker blog"), "review": N_("review site"),
                                        "seo": N_("SEO site"), "secondary": N_("secondary site")})
CATEGORY_LABELS: dict[str, str] = Localized({
    "established": N_("Established"),
    "legit_with_risks": N_("Legit, with risks"),
    "caution": N_("Caution"),
    "unknown": N_("Unknown"),
})
CATEGORY_MEANINGS: dict[str, str] = Localized({
    "established": N_("a long-running, real operation with documented pay rules"),
    "legit_with_risks": N_("real, but harsh: unpaid tests, empty queues or deactivations are reported"),
    "caution": N_("real, but with unresolved complaints about payment"),
    "unknown": N_("too few sourced facts to judge; this is not a judgement that it is unsafe"),
})
TOPIC_LABELS: dict[str, str] = Localized({
    "owner": N_("Who runs it"),
    "roles": N_("Work"),
    "pay": N_("Pay"),
    "payout": N_("How and when it pays"),
    "assessment": N_("Assessments and onboarding"),
    "id_check": N_("ID checks"),
    "countries": N_("Countries"),
    "problems": N_("Known problems"),
    "history": N_("History"),
})


def date_bounds(text: str) -> tuple[date, date] | None:
    """The first and last day a partial date ("2024", "2024-01", "2024-01-05") can mean; None if undated."""
    if text == UNDATED:
        return None
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 3:
        day = date(*parts)
        return day, day
    if len(parts) == 2:
        year, month = parts
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    return date(parts[0], 1, 1), date(parts[0], 12, 31)


def format_date(text: str) -> str:
    """A partial date for people: "5 Mar 2025", "Jan 2024", "2023" or "n.d." (no date)."""
    if text == UNDATED:
        return _("n.d.")
    parts = [int(p) for p in text.split("-")]
    if current() != SOURCE and len(parts) > 1:
        return day(date(*parts)) if len(parts) == 3 else month(date(*parts, 1))
    if len(parts) == 3:
        return f"{parts[2]} {MONTHS[parts[1] - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[parts[1] - 1]} {parts[0]}"
    return str(parts[0])


class Strict(BaseModel):
    """Unknown keys are errors, so a typo in a data file is caught by the check."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """Where a fact comes from: the page, the date it shows ("n.d." when none), its kind and its tier."""

    url: str
    date: str
    kind: SourceKind
    tier: Tier
    note: str = ""
    id: str = ""

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+\.[^\s]+$", value):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("date")
    @classmethod
    def _date(cls, value: str) -> str:
        if value != UNDATED:
            if not DATE_PATTERN.match(value):
                raise ValueError('must be "YYYY-MM-DD", "YYYY-MM", "YYYY" or "n.d."')
            try:
                date_bounds(value)
            except ValueError as exc:
                raise ValueError(f"is not a real date: {exc}") from None
        return value

    @property
    def kind_label(self) -> str:
        """The kind of source in words, e.g. "SEO site"."""
        return KIND_LABELS[self.kind]

    @property
    def weak(self) -> bool:
        """True for a forum or SEO-tier page: a claim resting only on such pages is flagged."""
        return self.tier in WEAK_TIERS


def weak_flag(sources: list[Source]) -> str:
    """"forum only" / "SEO site only" when every source is forum or SEO tier; "" otherwise."""
    if not sources or not all(source.weak for source in sources):
        return ""
    ranked = sorted(sources, key=lambda source: TIERS.index(source.tier))
    nouns = dict.fromkeys(WEAK_NOUNS.get(source.kind, source.kind_label) for source in ranked)
    return _("{kinds} only").format(kinds=_(" and ").join(nouns))


class Sourced(Strict):
    """Anything that needs at least one source."""

    sources: list[str] = Field(min_length=1)


class Fact(Sourced):
    """One sourced statement about a platform, under a topic."""

    topic: Topic
    text: str = Field(min_length=3, max_length=400)


class PayRange(Sourced):
    """A reported pay figure or range at a point in time (the date is its source's date)."""

    low: float | None = Field(default=None, ge=0)
    high: float | None = Field(default=None, ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    unit: Unit
    role: Role = "any"
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    note: str = ""

    @model_validator(mode="after")
    def _bounds(self) -> PayRange:
        if self.low is None and self.high is None:
            raise ValueError("needs low, high or both")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low is above high")
        return self


class Gap(Strict):
    """A topic the research searched without finding anything citable: shown as unknown, never guessed."""

    topic: Topic
    note: str = Field(min_length=3)


class PlatformInfo(Strict):
    """Everything the knowledge base holds about one platform."""

    id: str = Field(pattern=r"^[a-z0-9]{2,20}$")
    name: str
    aliases: list[str] = []
    domains: list[str] = []
    category: Category
    category_basis: str = Field(min_length=10)
    related: list[str] = []
    facts: list[Fact] = []
    pay: list[PayRange] = []
    unknown: list[Gap] = []

    def facts_about(self, topic: str) -> list[Fact]:
        """The facts under one topic, in file order."""
        return [fact for fact in self.facts if fact.topic == topic]

    def gaps_about(self, topic: str) -> list[Gap]:
        """The known gaps under one topic."""
        return [gap for gap in self.unknown if gap.topic == topic]


class Wage(Sourced):
    """A statutory minimum wage for one country and group from an effective date.

    `effective` may be written as a partial date ("2017-06") when the source gives no day: it then counts
    from the first day of that month or year and is shown as written. `pending` marks a rate set by law
    whose level is not fixed yet (no amount); `none` a country with no statutory minimum."""

    country: str = Field(pattern=r"^[A-Z]{2}$")
    group: str
    main: bool = False
    amount: float | None = Field(default=None, gt=0)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    unit: Unit = "hour"
    effective: date
    effective_text: str = ""  # the partial date as the source gives it; "" when a full day is given
    none: bool = False
    pending: bool = False
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _partial_effective(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("effective"), str):
            text = data["effective"]
            if re.match(r"^\d{4}(-\d{2})?$", text):
                return {**data, "effective": date_bounds(text)[0], "effective_text": text}  # type: ignore[index]
        return data

    @model_validator(mode="after")
    def _amount(self) -> Wage:
        if (self.none or self.pending) and self.amount is not None:
            raise ValueError("a country with no minimum wage, or one not fixed yet, has no amount")
        if self.none and self.pending:
            raise ValueError("none and pending exclude each other")
        if not (self.none or self.pending) and (self.amount is None or self.currency is None):
            raise ValueError("needs amount and currency (or none = true, or pending = true)")
        return self

    @property
    def effective_label(self) -> str:
        """The effective date for people, as precise as its source: "1 Jan 2027", "Jun 2017"."""
        return format_date(self.effective_text or self.effective.isoformat())


class Country(Strict):
    """A country people may name: its display name, the words for it and its currency."""

    code: str = Field(pattern=r"^[A-Z]{2}$")
    name: str
    aliases: list[str] = []
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class RateTable(Strict):
    """How many units of each currency one unit of `base` bought on `date`; `url` is where a fetched table
    came from ("" for the shipped one)."""

    date: date
    base: str = Field(pattern=r"^[A-Z]{3}$")
    rates: dict[str, float]
    url: str = ""

    @field_validator("rates")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [code for code, rate in value.items()
               if not rate > 0 or rate == float("inf") or not re.match(r"^[A-Z]{3}$", code)]
        if bad:
            raise ValueError(f"bad currency code or non-positive rate: {', '.join(bad)}")
        return value


class SourcedText(Sourced):
    """A sourced sentence (checklist item, background fact)."""

    text: str = Field(min_length=3)


class RateNote(SourcedText):
    """A sourced remark on the exchange rates, about some currencies (e.g. ones no reference table covers)."""

    currencies: list[str] = []


class ExchangeRates(RateTable):
    """The shipped, sourced rate table, with sourced remarks on what it covers."""

    sources: list[str] = Field(min_length=1)
    notes: list[RateNote] = []


class Signal(Strict):
    """A scam warning sign /scamcheck looks for in a pasted message, with its sources, or with `unsourced`
    saying plainly that nothing citable backs it."""

    id: str
    label: str
    explain: str
    words: list[str] = []  # phrases that show the sign (whole words, any case)
    needs: list[str] = []  # if set, a phrase counts only with one of these in the same sentence
    unless: list[str] = []  # a phrase does not count in a sentence naming one of these (the platform's own route)
    severity: Literal["high", "medium"]
    sources: list[str] = []
    unsourced: str = ""

    @model_validator(mode="after")
    def _sourced(self) -> Signal:
        if bool(self.sources) == bool(self.unsourced):
            raise ValueError("needs sources, or an `unsourced` note saying nothing citable was found (not both)")
        return self


class ScamSigns(Strict):
    """The legitimacy checklist, background facts and the signals."""

    checklist: list[SourcedText] = Field(min_length=1)
    facts: list[SourcedText] = []
    signals: list[Signal] = Field(min_length=1)


class TopicSection(Strict):
    """A part of a cross-platform answer, drawn from the platforms' own facts: those under `topics` whose text
    contains one of `words` (lower case) and none of `exclude`."""

    name: str
    topics: list[Topic] = Field(min_length=1)
    words: list[str] = Field(min_length=1)
    exclude: list[str] = []
    limit: int = Field(default=4, ge=1, le=10)


class WorthIt(Strict):
    """The "is it worth it / pros and cons" answer: a lead and the sections built from the facts."""

    title: str
    lead: str
    sections: list[TopicSection] = Field(min_length=1)


class TaxBasics(Strict):
    """Sourced tax basics for someone doing this work from one country, and what the sources leave unknown."""

    country: str = Field(pattern=r"^[A-Z]{2}$")
    facts: list[SourcedText] = Field(min_length=1)
    unknown: list[str] = []


class Topics(Strict):
    """Questions that are not about one platform (topics.toml): worth it, and tax basics by country."""

    worth_it: WorthIt
    tax_note: str
    tax: list[TaxBasics] = []


class KnowledgeBase(Strict):
    """The whole knowledge base, as loaded and cross-checked."""

    sources: dict[str, Source]
    platforms: dict[str, PlatformInfo]
    wages: list[Wage]
    countries: dict[str, Country]
    rates: ExchangeRates
    scams: ScamSigns
    topics: Topics
    market_pay: list[PayRange] = []  # cross-platform survey figures (not one platform's)

    def source(self, source_id: str) -> Source:
        """The source with this id."""
        return self.sources[source_id]
