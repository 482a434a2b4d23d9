"""The shipped knowledge base: complete, every fact sourced and dated, and `kb check` on good and broken files."""

from __future__ import annotations

import re
import shutil
import tomllib
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.features.knowledge import KnowledgeError, knowledge_base, load_knowledge
from bot.features.knowledge.check import all_facts, check, months_before
from bot.features.knowledge.loader import DATA_DIR, FILES
from bot.features.knowledge.models import date_bounds, format_date

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_IDS = [
    "dataannotation", "outlier", "remotasks", "scaleai", "surgeai", "mercor", "alignerr", "mindrift", "toloka",
    "appen", "telus", "uhrs", "clickworker", "prolific", "oneforma", "mturk", "rws", "welocalize", "invisible",
    "turing", "handshake",
]


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped data folder."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def test_every_platform_of_the_fact_sheet_is_in_the_knowledge_base() -> None:
    kb = knowledge_base()
    assert sorted(kb.platforms) == sorted(PLATFORM_IDS)
    names = {alias.lower() for p in kb.platforms.values() for alias in (p.name, *p.aliases, *p.domains)}
    for expected in ("da", "data annotation", "dataannotation.tech", "lionbridge", "telus international", "crowdgen",
                     "mturk"):
        assert expected in names


def test_every_fact_resolves_to_a_source_url_and_a_date() -> None:
    kb = knowledge_base()
    facts = list(all_facts(kb))
    assert len(facts) > 150
    for fact in facts:
        assert fact.sources, fact
        for source_id in fact.sources:
            source = kb.source(source_id)
            assert source.url.startswith(("http://", "https://"))
            assert source.date == "n.d." or date_bounds(source.date) is not None


def test_no_named_company_is_labelled_a_scam() -> None:
    kb = knowledge_base()
    assert {p.category for p in kb.platforms.values()} <= {"established", "legit_with_risks", "caution", "unknown"}
    for platform in kb.platforms.values():
        assert not re.search(r"\b(is|are) a scam|scam (site|platform|company)", platform.category_basis.lower())


def test_sheet_gaps_stay_unknown_instead_of_guessed() -> None:
    kb = knowledge_base()
    assert [g.topic for g in kb.platforms["outlier"].unknown] == ["payout", "id_check"]
    assert {g.topic for g in kb.platforms["rws"].unknown} >= {"pay", "payout"}
    assert not kb.platforms["rws"].pay and not kb.platforms["oneforma"].pay
    assert kb.platforms["invisible"].gaps_about("payout")


def test_data_files_ship_with_the_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "*.toml" in config["tool"]["setuptools"]["package-data"]["*"]
    assert (DATA_DIR / "__init__.py").is_file()  # a regular package, so the "*" package-data glob covers it
    for name in FILES:
        assert (DATA_DIR / name).is_file()


def test_partial_dates_and_the_staleness_cutoff() -> None:
    assert date_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert date_bounds("n.d.") is None
    assert format_date("2025-03-05") == "5 Mar 2025" and format_date("2024-01") == "Jan 2024"
    assert months_before(date(2026, 11, 21), 18) == date(2025, 5, 21)
    assert months_before(date(2026, 8, 31), 18) == date(2025, 2, 28)


def test_check_reports_stale_and_undated_facts_relative_to_the_given_day() -> None:
    early = check(date(2024, 2, 1))
    late = check(date(2026, 11, 21))
    assert early.ok and late.ok
    assert early.platforms == 21 and early.gaps > 0
    assert len(late.stale) > len(early.stale)
    assert any("remoteworkeasy" in "".join(f.sources) or f.sources == ("3",) for f in late.stale)
    assert all(f.date == "n.d." for f in late.undated)
    assert late.undated and len(late.undated) == len(early.undated)


def test_a_missing_source_a_bad_date_and_a_bad_category_are_all_listed(data_copy: Path) -> None:
    platforms = data_copy / "platforms.toml"
    text = platforms.read_text().replace('sources = ["52"]', 'sources = ["nope"]', 1)
    text = text.replace('category = "legit_with_risks"', 'category = "scam"', 1)
    platforms.write_text(text)
    sources = data_copy / "sources.toml"
    sources.write_text(sources.read_text().replace('date = "2024-01"', 'date = "January 2024"', 1))
    report = check(date(2026, 11, 21), data_copy)
    assert not report.ok
    joined = "\n".join(report.problems)
    assert "unknown source 'nope'" in joined
    assert "platforms.dataannotation: category" in joined
    assert "sources.3: date" in joined
    with pytest.raises(KnowledgeError):
        load_knowledge(data_copy)


def test_invalid_toml_and_a_missing_file_are_problems(data_copy: Path) -> None:
    (data_copy / "wages.toml").write_text("[[wage]\ncountry = 'GB'")
    (data_copy / "scam_signs.toml").unlink()
    problems = check(date(2026, 1, 1), data_copy).problems
    assert any(p.startswith("wages.toml: not valid TOML") for p in problems)
    assert "scam_signs.toml: file is missing" in problems


def test_kb_check_command_exit_codes(data_copy: Path, capsys) -> None:
    assert main(["kb", "check", "--today", "2026-11-21"]) == 0
    out = capsys.readouterr().out
    assert "Knowledge base OK: 21 platforms" in out and "Stale" in out and "Undated" in out
    assert main(["kb", "check", "--today", "2026-11-21", "--strict"]) == 1
    capsys.readouterr()
    wages = data_copy / "wages.toml"
    wages.write_text(wages.read_text().replace("amount = 12.71", "amount = -1", 1))
    assert main(["kb", "check", "--data", str(data_copy)]) == 1
    out = capsys.readouterr().out
    assert "problem(s)" in out and "wages.toml: wage #3: amount" in out
