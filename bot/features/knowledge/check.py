"""`kb check`: problems in the files, facts older than 18 months, undated facts, and facts resting only on forum or
SEO pages, as of a given day."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.features.knowledge.loader import KnowledgeError, load_knowledge
from bot.features.knowledge.models import KnowledgeBase, date_bounds, format_date, weak_flag

STALE_MONTHS = 18


@dataclass(frozen=True)
class FactRef:
    """One sourced statement anywhere in the knowledge base, with where it lives and its date."""

    where: str
    text: str
    sources: tuple[str, ...]
    date: str  # the newest date among its sources, or "n.d." when none of them is dated


@dataclass
class CheckReport:
    """What `kb check` found."""

    problems: list[str] = field(default_factory=list)
    stale: list[FactRef] = field(default_factory=list)
    undated: list[FactRef] = field(default_factory=list)
    weak: list[tuple[FactRef, str]] = field(default_factory=list)  # (fact, "forum only" / "SEO site only")
    facts: int = 0
    gaps: int = 0
    platforms: int = 0

    @property
    def ok(self) -> bool:
        """True when the files have no problems (stale and undated facts are warnings)."""
        return not self.problems


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (clamped to the end of a shorter month)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def fact_date(kb: KnowledgeBase, source_ids: tuple[str, ...] | list[str]) -> str:
    """The newest dated source behind a fact, or "n.d." if none is dated."""
    dated = [kb.sources[s].date for s in source_ids if s in kb.sources and kb.sources[s].date != "n.d."]
    return max(dated, key=lambda d: date_bounds(d)[1]) if dated else "n.d."  # type: ignore[index]


def all_facts(kb: KnowledgeBase) -> Iterator[FactRef]:
    """Every sourced statement: platform facts and pay figures, wages, the rate table, scam guidance."""
    for pid, platform in kb.platforms.items():
        for fact in platform.facts:
            yield FactRef(f"{pid} ({fact.topic})", fact.text, tuple(fact.sources), fact_date(kb, fact.sources))
        for pay in platform.pay:
            amount = "-".join(f"{v:g}" for v in (pay.low, pay.high) if v is not None)
            text = f"pay {amount} {pay.currency}/{pay.unit}: {pay.note}"
            yield FactRef(f"{pid} (pay)", text, tuple(pay.sources), fact_date(kb, pay.sources))
    for wage in kb.wages:
        text = f"{wage.country} {wage.group} from {wage.effective_label}"
        yield FactRef("minimum wage", text, tuple(wage.sources), fact_date(kb, wage.sources))
    for pay in kb.market_pay:
        yield FactRef("market reference (pay)", pay.note, tuple(pay.sources), fact_date(kb, pay.sources))
    rates = kb.rates
    yield FactRef("exchange rates", f"rates of {rates.date}", tuple(rates.sources), rates.date.isoformat())
    for note in rates.notes:
        yield FactRef("exchange rates", note.text, tuple(note.sources), fact_date(kb, note.sources))
    for item in (*kb.scams.checklist, *kb.scams.facts):
        yield FactRef("scam guidance", item.text, tuple(item.sources), fact_date(kb, item.sources))


def check(today: date, directory: Path | None = None) -> CheckReport:
    """Check the knowledge base files as of `today`."""
    from bot.features.knowledge.loader import DATA_DIR

    try:
        kb = load_knowledge(directory or DATA_DIR)
    except KnowledgeError as exc:
        return CheckReport(problems=exc.problems)
    report = CheckReport(platforms=len(kb.platforms), gaps=sum(len(p.unknown) for p in kb.platforms.values()))
    cutoff = months_before(today, STALE_MONTHS)
    for fact in all_facts(kb):
        report.facts += 1
        bounds = date_bounds(fact.date)
        if bounds is None:
            report.undated.append(fact)
        elif bounds[1] < cutoff:
            report.stale.append(fact)
        if flag := weak_flag([kb.sources[s] for s in fact.sources]):
            report.weak.append((fact, flag))
    return report


def describe(fact: FactRef) -> str:
    """One line about a fact for the check's listing."""
    text = fact.text if len(fact.text) <= 70 else fact.text[:67].rsplit(" ", 1)[0] + "..."
    return f"{fact.where}: {text} [{', '.join(fact.sources)}; {format_date(fact.date)}]"
