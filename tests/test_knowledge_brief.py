"""/legit, /platform and /pay lead with the verdict and at most six sourced facts; the scam checklist and the
full source list are one button away (issue 14, "Commands and wording")."""

from __future__ import annotations

import re

import pytest

from bot.core.model import Reply
from bot.features.knowledge.answers import LEADS
from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.models import CATEGORY_LABELS
from bot.features.knowledge.render import body_text

# About one phone screen, and half the old bodies (1,950-2,140 characters): the answer is read, not scrolled.
BODY_LIMIT = 1500
PLATFORMS = sorted(knowledge_base().platforms)
CITATION = re.compile(r"\((?:newest )?(?P<date>n\.d\.|(?:\d{1,2} )?(?:[A-Z][a-z]{2} )?\d{4})(?:, [^)]+)?\) "
                      r"(?P<marks>(?:\[\d+\])+)")
LISTED = re.compile(r"^\[(\d+)\] https?://\S+ \((?:n\.d\.|[^)]*\d{4}), [^)]+\)$", re.MULTILINE)
CROWD_FIELDS = ("Payments reported by members", "Crowd-reported", "Community note", "Add yours")


async def run(app, member, group, line: str) -> Reply:
    return await app.dispatcher.dispatch_line(line, member, group)


def sourced_facts(reply: Reply) -> list[str]:
    """The lines of the reply's own fields that carry a citation; each must resolve to a dated, listed source."""
    listed = set(LISTED.findall(reply.footer or ""))
    facts = []
    for f in reply.fields:
        if f.name.startswith(CROWD_FIELDS):
            continue
        for line in f.value.splitlines():
            if (found := CITATION.search(line)) is None:
                continue
            assert set(re.findall(r"\d+", found["marks"])) <= listed, (line, reply.footer)
            facts.append(line)
    return facts


def expected_verdict(platform_id: str, command: str) -> str | tuple[str, ...]:
    info = knowledge_base().platforms[platform_id]
    if command == "legit":
        return LEADS[info.category].format(name=info.name)
    if command == "platform":
        return f"{CATEGORY_LABELS[info.category]}: {info.category_basis}"
    if any(p.unit == "hour" for p in info.pay):
        return "Reported: "
    return "No hourly figure is reported" if info.pay else "No sourced pay figure"


@pytest.mark.parametrize("platform_id", PLATFORMS)
async def test_answers_are_brief_lead_with_the_verdict_and_carry_dated_sourced_facts(app, member, group,
                                                                                      platform_id) -> None:
    info = knowledge_base().platforms[platform_id]
    for command, line, available in (("legit", f"/legit {platform_id}", len(info.facts)),
                                     ("platform", f"/platform {platform_id}", len(info.facts) + len(info.pay)),
                                     ("pay", f"/pay {platform_id} uk", None)):
        reply = await run(app, member, group, line)
        assert not reply.is_error, line
        assert len(body_text(reply)) <= BODY_LIMIT, (line, len(body_text(reply)))
        assert reply.blocks[0].startswith(expected_verdict(platform_id, command)), (line, reply.blocks[0])
        facts = sourced_facts(reply)
        low = 1 if available is None else min(4, available)  # /pay always has the minimum wage, sourced
        assert low <= len(facts) <= 6, (line, len(facts), facts)
        buttons = {(b.label, b.command, tuple(b.args.items())) for b in reply.buttons}
        assert ("Scam checklist", "scamcheck", ()) in buttons
        assert ("All sources", "sources", (("platform", platform_id),)) in buttons
        assert "Legit but harsh is not a scam" not in reply.plain_text()  # the checklist is behind its button


async def test_legit_picks_facts_from_the_deciding_topics_first(app, member, group) -> None:
    reply = await run(app, member, group, "/legit mercor")
    decides = next(f.value for f in reply.fields if f.name == "What decides it").splitlines()
    assert [line.split(":")[0] for line in decides] == ["Known problems", "How and when it pays", "Who runs it",
                                                        "ID checks", "Assessments and onboarding", "Countries"]


@pytest.mark.parametrize("line", ["/legit toloka", "/platform mercor", "/pay outlier uk"])
async def test_pressing_the_buttons_shows_the_checklist_and_every_source(app, member, group, line) -> None:
    answer = await run(app, member, group, line)
    pressed = {b.label: await app.dispatcher.dispatch(b.command, b.args, member, group) for b in answer.buttons}
    checklist = pressed["Scam checklist"]
    assert checklist.title == "Task-scam warning signs" and not checklist.is_error
    assert "Checklist" in [f.name for f in checklist.fields] and "never pay to get paid" in checklist.plain_text()
    sources = pressed["All sources"]
    platform_id = next(b.args["platform"] for b in answer.buttons if b.label == "All sources")
    info = knowledge_base().platforms[platform_id]
    assert sources.title.startswith(f"{info.name}: all sources") and not sources.is_error
    text = sources.plain_text()
    every = {s for item in (*info.facts, *info.pay) for s in item.sources}
    for source_id in every:
        assert knowledge_base().source(source_id).url in text
    shown = set(re.findall(r"https?://\S+", answer.footer or ""))
    platform_urls = {knowledge_base().source(s).url for s in every}
    assert shown & platform_urls <= set(re.findall(r"https?://\S+", text))
    assert len(every) > len(shown & platform_urls) or len(every) <= 6  # the answer shows only some of them


@pytest.mark.parametrize("platform_id", PLATFORMS)
async def test_the_source_list_fits_every_platform(app, member, group, platform_id) -> None:
    reply = await run(app, member, group, f"/sources {platform_id}")
    info = knowledge_base().platforms[platform_id]
    assert not reply.is_error
    assert len(reply.plain_text()) <= 4096 and all(len(f.value) <= 1024 for f in reply.fields)
    numbered = re.findall(r"^\[(\d+)\] https?://", "\n".join(f.value for f in reply.fields), re.MULTILINE)
    assert numbered == [str(n) for n in range(1, len({s for i in (*info.facts, *info.pay) for s in i.sources}) + 1)]
    assert reply.title == f"{info.name}: all sources ({len(numbered)})"


async def test_sources_of_an_unknown_platform_is_a_friendly_error(app, member, group) -> None:
    reply = await run(app, member, group, "/sources acme-ai-jobs")
    assert reply.is_error and "acme-ai-jobs" in reply.plain_text()
    assert "Traceback" not in reply.plain_text()
