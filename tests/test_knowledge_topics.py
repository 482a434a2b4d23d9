"""topics.toml: the "worth it" sections drawn from the platforms' facts, and tax basics quoting official pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.features.knowledge import KnowledgeError, knowledge_base, load_knowledge
from bot.features.knowledge.loader import DATA_DIR
from bot.features.knowledge.models import Fact, PayRange, PlatformInfo, TopicSection
from bot.features.knowledge.topics import effective_pay_lines, section_lines

OFFICIAL = ("https://www.gov.uk/", "https://www.irs.gov/", "https://taxpayeradvocate.irs.gov/")


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped data folder."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _platform(pid: str, *facts: tuple[str, str]) -> PlatformInfo:
    return PlatformInfo(id=pid, name=pid.title(), category="unknown", category_basis="a test platform only",
                        facts=[Fact(topic=t, text=x, sources=["1"]) for t, x in facts])  # type: ignore[arg-type]


def test_tax_basics_cite_only_official_pages_for_the_uk_and_the_us() -> None:
    kb = knowledge_base()
    assert {b.country for b in kb.topics.tax} == {"GB", "US"}
    for basics in kb.topics.tax:
        assert basics.unknown, "say what the sources leave unknown"
        for fact in basics.facts:
            for source_id in fact.sources:
                source = kb.sources[source_id]
                assert source.kind == "government" and source.url.startswith(OFFICIAL), source.url


def test_every_worth_it_section_finds_facts_in_the_shipped_knowledge_base() -> None:
    kb = knowledge_base()
    for section in kb.topics.worth_it.sections:
        lines = section_lines(section, list(kb.platforms.values()))
        assert lines, f"{section.name!r} picks no fact: its words no longer match the knowledge base"
        assert all(line.sources for line in lines)


def test_a_section_takes_one_fact_per_platform_before_a_second_and_honours_exclude() -> None:
    section = TopicSection(name="Droughts", topics=["problems"], words=["queue"], exclude=["full"], limit=3)
    first = _platform("aa", ("problems", "Queue empty often."), ("problems", "Queue dry again."),
                      ("problems", "Queue is full."), ("pay", "Queue pay."))
    second = _platform("bb", ("problems", "The queue went quiet."))
    assert [line.text for line in section_lines(section, [first, second])] == [
        "Aa: Queue empty often.", "Bb: The queue went quiet.", "Aa: Queue dry again."]


def test_the_effective_pay_example_is_arithmetic_on_a_cited_figure() -> None:
    info = _platform("aa")
    info = info.model_copy(update={"pay": [PayRange(low=20, currency="USD", unit="hour", sources=["3"])]})
    cited, example = effective_pay_lines([info])
    assert cited.sources == ("3",) and "US$20/h" in cited.text
    assert example.text.endswith("40 paid hours at US$20/h work out at US$16/h.") and not example.sources


def test_a_topics_source_may_not_reuse_an_id_of_sources_toml(data_copy: Path) -> None:
    topics = data_copy / "topics.toml"
    topics.write_text(topics.read_text().replace("[sources.TAX-UK-2]", "[sources.W7]"))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(data_copy)
    joined = "\n".join(caught.value.problems)
    assert "topics.toml: source 'W7' is also defined in sources.toml" in joined
    assert "unknown source 'TAX-UK-2'" in joined


def test_tax_basics_for_an_unknown_country_are_a_problem(data_copy: Path) -> None:
    topics = data_copy / "topics.toml"
    topics.write_text(topics.read_text().replace('country = "US"', 'country = "XX"'))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(data_copy)
    assert caught.value.problems == ["topics.toml: tax basics for unknown country XX"]


def test_a_tax_fact_without_a_source_is_a_problem(data_copy: Path) -> None:
    topics = data_copy / "topics.toml"
    topics.write_text(topics.read_text().replace('sources = ["TAX-US-2"]', "sources = []"))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(data_copy)
    assert caught.value.problems == [
        "topics.toml: tax.1.facts.2.sources: List should have at least 1 item after validation, not 0"]
