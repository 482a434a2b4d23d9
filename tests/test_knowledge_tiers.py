"""Source tiers (OFF > GOV > LAW > NEWS > RES > FORUM > SEO): `kb check` lists facts resting only on forum or
SEO pages, and the bot says so next to such a fact in its answers."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from bot.cli import main
from bot.features.knowledge import knowledge_base
from bot.features.knowledge.check import check
from bot.features.knowledge.loader import DATA_DIR
from bot.features.knowledge.models import TIERS, weak_flag
from bot.features.knowledge.render import cite

TODAY = date(2026, 11, 21)


def test_every_source_has_the_sheets_tier() -> None:
    kb = knowledge_base()
    assert all(source.tier in TIERS for source in kb.sources.values())
    tagged = {"1": "SEO", "8": "FORUM", "7": "OFF", "W8": "GOV", "19": "LAW", "W17": "LAW", "103": "NEWS",
              "112": "RES", "81": "RES", "101": "FORUM", "61": "SEO", "63": "SEO", "W37": "SEO", "W38": "GOV"}
    assert {sid: kb.source(sid).tier for sid in tagged} == tagged
    # Sources the sheet describes without a tag: "secondary" pages count as SEO, one person's blog or review
    # as a forum post, so a claim resting on them is flagged too.
    assert kb.source("W14").tier == kb.source("W29").tier == "SEO"
    assert kb.source("3").tier == kb.source("17").tier == "FORUM"


def test_the_flag_names_the_kind_of_weak_page() -> None:
    kb = knowledge_base()
    assert weak_flag([kb.source("15")]) == "forum only"
    assert weak_flag([kb.source("61"), kb.source("63")]) == "SEO site only"
    assert weak_flag([kb.source("16"), kb.source("17")]) == "forum and review site only"
    assert weak_flag([kb.source("16"), kb.source("10")]) == ""  # news beside a forum post: no flag
    assert weak_flag([]) == ""


def test_a_citation_ends_with_the_flag_only_for_weak_sources() -> None:
    assert cite(("15",), {}).endswith("[1] (forum only)")
    assert cite(("63",), {}) == " (n.d., SEO site) [1] (SEO site only)"
    assert cite(("98",), {}) == " (n.d., official) [1]"
    assert "only" not in cite(("16", "10"), {})


async def test_answers_say_forum_only_and_seo_site_only_next_to_the_fact(app, member, group) -> None:
    legit = (await app.dispatcher.dispatch_line("/legit outlier", member, group)).plain_text()
    assert "Project onboarding is unpaid, per a worker forum. (n.d., forum post) [" in legit
    line = next(line for line in legit.splitlines() if "Project onboarding is unpaid" in line)
    assert line.endswith("(forum only)")
    telus = (await app.dispatcher.dispatch_line("/platform telus", member, group)).plain_text()
    exam = next(line for line in telus.splitlines() if "open-book exam" in line)
    assert exam.endswith("(SEO site only)")
    official = next(line for line in telus.splitlines() if "Average Estimated Time" in line)
    assert "only)" not in official


def test_kb_check_lists_the_facts_resting_only_on_forum_or_seo_pages() -> None:
    report = check(TODAY)
    listed = {(fact.where, fact.text): flag for fact, flag in report.weak}
    assert listed[("telus (problems)", "Chronic 'no tasks available'.")] == "SEO site only"
    assert listed[("outlier (assessment)", "Project onboarding is unpaid, per a worker forum.")] == "forum only"
    assert not any(where.startswith("mercor (assessment)") and "work trial" in text.lower()
                   for where, text in listed)
    kb = knowledge_base()
    for fact, _flag in report.weak:
        assert all(kb.source(s).tier in ("FORUM", "SEO") for s in fact.sources), fact
    strong = [f for f in report.stale + report.undated if f not in {w for w, _ in report.weak}]
    assert strong  # facts with at least one stronger source are not listed


def test_kb_check_command_prints_them(capsys) -> None:
    assert main(["kb", "check", "--today", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out
    count = len(check(TODAY).weak)
    assert f"Only forum or SEO sources (answers flag them; find a stronger source): {count}" in out
    assert "  - (SEO site only) telus (problems): Chronic 'no tasks available'. [63; n.d.]" in out
    assert "  - (forum only) outlier (assessment): Project onboarding is unpaid, per a worker forum. [15; n.d.]" in out


def test_a_missing_or_unknown_tier_is_a_problem(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    sources = data / "sources.toml"
    text = sources.read_text()
    text = text.replace('tier = "SEO"\n', "", 1).replace('tier = "FORUM"', 'tier = "blog"', 1)
    sources.write_text(text)
    problems = "\n".join(check(TODAY, data).problems)
    assert "sources.1: tier: Field required" in problems
    assert "sources.3: tier: Input should be 'OFF', 'GOV', 'LAW', 'NEWS', 'RES', 'FORUM' or 'SEO'" in problems
