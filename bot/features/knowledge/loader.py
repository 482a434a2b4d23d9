"""Loading the knowledge base from its TOML files: validated, cross-checked, cached."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.core.errors import StartupError
from bot.features.knowledge.models import (
    Country,
    ExchangeRates,
    KnowledgeBase,
    PayRange,
    PlatformInfo,
    ScamSigns,
    Source,
    Topics,
    Wage,
)

DATA_DIR = Path(__file__).parent / "data"
FILES = ("sources.toml", "platforms.toml", "wages.toml", "countries.toml", "exchange_rates.toml", "scam_signs.toml",
         "topics.toml")


class KnowledgeError(StartupError):
    """The knowledge base files have problems; `problems` lists each one in words (stops start-up cleanly)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the knowledge base:\n" + "\n".join(problems))
        self.problems = problems


@cache
def knowledge_base() -> KnowledgeBase:
    """The shipped knowledge base, loaded and validated once per process."""
    return load_knowledge(DATA_DIR)


def load_knowledge(directory: Path) -> KnowledgeBase:
    """Load and check every file in `directory`; raises KnowledgeError listing every problem found."""
    problems: list[str] = []
    raw: dict[str, dict[str, Any]] = {}
    for name in FILES:
        path = directory / name
        try:
            raw[name] = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            problems.append(f"{name}: file is missing")
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            problems.append(f"{name}: not valid TOML: {exc}")
    if problems:
        raise KnowledgeError(problems)

    sources = _keyed(raw["sources.toml"].get("sources", {}), Source, "sources.toml", "sources", problems)
    # topics.toml cites official pages of its own (gov.uk, irs.gov); they join the one table of sources.
    topic_raw = dict(raw["topics.toml"])
    topic_sources = topic_raw.pop("sources", {})
    problems.extend(f"topics.toml: source {sid!r} is also defined in sources.toml"
                    for sid in topic_sources if sid in raw["sources.toml"].get("sources", {}))
    sources.update(_keyed(topic_sources, Source, "topics.toml", "sources", problems))
    platforms = _keyed(raw["platforms.toml"].get("platforms", {}), PlatformInfo, "platforms.toml", "platforms",
                       problems)
    countries = _keyed(raw["countries.toml"].get("countries", {}), Country, "countries.toml", "countries", problems,
                       key_field="code")
    wages = [w for i, item in enumerate(raw["wages.toml"].get("wage", []))
             if (w := _one(Wage, item, f"wages.toml: wage #{i + 1}", problems)) is not None]
    market = [m for i, item in enumerate(raw["platforms.toml"].get("market_pay", []))
              if (m := _one(PayRange, item, f"platforms.toml: market_pay #{i + 1}", problems)) is not None]
    rates = _one(ExchangeRates, raw["exchange_rates.toml"], "exchange_rates.toml", problems)
    scams = _one(ScamSigns, raw["scam_signs.toml"], "scam_signs.toml", problems)
    topics = _one(Topics, topic_raw, "topics.toml", problems)
    if rates is None or scams is None or topics is None:
        raise KnowledgeError(problems)
    kb = KnowledgeBase(sources=sources, platforms=platforms, wages=wages, countries=countries, rates=rates,
                       scams=scams, topics=topics, market_pay=market)
    # Cross-check what did load; a source that failed validation is already reported, so it counts as known.
    problems.extend(cross_check(kb, known_sources={*raw["sources.toml"].get("sources", {}), *topic_sources}))
    if problems:
        raise KnowledgeError(problems)
    return kb


def _one(model: type[BaseModel], data: Any, where: str, problems: list[str]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            location = ".".join(str(part) for part in error["loc"])
            problems.append(f"{where}{': ' + location if location else ''}: {error['msg']}")
        return None


def _keyed(table: dict[str, Any], model: type[BaseModel], file: str, section: str, problems: list[str],
           key_field: str = "id") -> dict[str, Any]:
    """Validate a table of tables, giving each entry its key as `key_field`."""
    found: dict[str, Any] = {}
    for key, item in table.items():
        if not isinstance(item, dict):
            problems.append(f"{file}: {section}.{key}: expected a table")
            continue
        value = _one(model, {**item, key_field: key}, f"{file}: {section}.{key}", problems)
        if value is not None:
            found[key] = value
    return found


def cross_check(kb: KnowledgeBase, known_sources: set[str] | None = None) -> list[str]:
    """Problems between files: unknown source ids, currencies, countries, platform links, clashing names."""
    problems: list[str] = []
    known = known_sources if known_sources is not None else set(kb.sources)

    def refs(where: str, ids: list[str]) -> None:
        problems.extend(f"{where}: unknown source {sid!r}" for sid in ids if sid not in known)

    names: dict[str, str] = {}
    for pid, platform in kb.platforms.items():
        for i, fact in enumerate(platform.facts):
            refs(f"platforms.toml: {pid} fact #{i + 1}", fact.sources)
        for i, pay in enumerate(platform.pay):
            refs(f"platforms.toml: {pid} pay #{i + 1}", pay.sources)
            if pay.currency not in kb.rates.rates:
                problems.append(f"platforms.toml: {pid} pay #{i + 1}: currency {pay.currency} has no exchange rate")
            if pay.country and pay.country not in kb.countries:
                problems.append(f"platforms.toml: {pid} pay #{i + 1}: unknown country {pay.country}")
        problems.extend(f"platforms.toml: {pid}: related platform {r!r} does not exist"
                        for r in platform.related if r not in kb.platforms)
        if not platform.facts and not platform.unknown:
            problems.append(f"platforms.toml: {pid}: has no facts")
        for name in (platform.id, platform.name, *platform.aliases, *platform.domains):
            key = name.strip().lower()
            if names.setdefault(key, pid) != pid:
                problems.append(f"platforms.toml: name {name!r} is used by both {names[key]} and {pid}")
    for i, pay in enumerate(kb.market_pay):
        refs(f"platforms.toml: market_pay #{i + 1}", pay.sources)
        if pay.currency not in kb.rates.rates:
            problems.append(f"platforms.toml: market_pay #{i + 1}: currency {pay.currency} has no exchange rate")
    # A wage may be in a currency no reference table covers, if a sourced rate note says so (shown unconverted).
    explained = {code for note in kb.rates.notes for code in note.currencies}
    for i, wage in enumerate(kb.wages):
        refs(f"wages.toml: wage #{i + 1}", wage.sources)
        if wage.country not in kb.countries:
            problems.append(f"wages.toml: wage #{i + 1}: unknown country {wage.country}")
        if wage.currency and wage.currency not in kb.rates.rates and wage.currency not in explained:
            problems.append(f"wages.toml: wage #{i + 1}: currency {wage.currency} has no exchange rate "
                            "and no rate note in exchange_rates.toml explains why")
    refs("exchange_rates.toml", kb.rates.sources)
    for i, note in enumerate(kb.rates.notes):
        refs(f"exchange_rates.toml: notes #{i + 1}", note.sources)
    if kb.rates.rates.get(kb.rates.base) != 1.0:
        problems.append(f"exchange_rates.toml: the base currency {kb.rates.base} must have rate 1.0")
    for section, items in (("checklist", kb.scams.checklist), ("facts", kb.scams.facts),
                           ("signals", kb.scams.signals)):
        for i, item in enumerate(items):
            refs(f"scam_signs.toml: {section} #{i + 1}", item.sources)
    for basics in kb.topics.tax:
        if basics.country not in kb.countries:
            problems.append(f"topics.toml: tax basics for unknown country {basics.country}")
        for i, fact in enumerate(basics.facts):
            refs(f"topics.toml: tax {basics.country} fact #{i + 1}", fact.sources)
    return problems
