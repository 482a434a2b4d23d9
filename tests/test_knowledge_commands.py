"""The knowledge commands end to end through the dispatcher: /platforms /platform /legit /pay /scamcheck
/settings, plain questions, the crowd extension points, /forget's hook, and reply size limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.clock import ManualClock
from bot.core.model import Field, Reply
from bot.features.knowledge.models import TOPIC_LABELS
from bot.features.knowledge.render import TOTAL_LIMIT
from bot.features.privacy import Person, forget_person
from bot.wiring import all_commands

AUTOMATIC = "automatic (your app's language, else the community's)"

KNOWLEDGE_COMMANDS = ("platforms", "platform", "legit", "pay", "scamcheck", "settings")
OWN_FIELDS = {*TOPIC_LABELS.values(), "Reported pay", "Unpaid hours", "Legit but harsh, or a scam? Check",
              "What decides it", "Key facts", "Gaps in the record"}


async def run(app, actor, place, line: str) -> Reply:
    return await app.dispatcher.dispatch_line(line, actor, place)


def text_of(reply: Reply) -> str:
    return reply.plain_text()


def test_commands_are_declared_once_with_valid_names() -> None:
    names = [c.name for c in all_commands()]
    for name in KNOWLEDGE_COMMANDS:
        assert names.count(name) == 1
    for command in all_commands():
        if command.name in KNOWLEDGE_COMMANDS:
            assert len(command.description) <= 100
            for param in command.params:
                if param.name == "platform":
                    assert param.autocomplete is not None


async def test_platforms_groups_by_category(app, member, group) -> None:
    reply = await run(app, member, group, "/platforms")
    assert reply.title == "Platforms I know (21)"
    by_name = {f.name: f.value for f in reply.fields}
    assert "Prolific" in by_name["Established (8)"]
    assert "Toloka" in next(v for k, v in by_name.items() if k.startswith("Legit, with risks"))
    assert "scam" not in " ".join(by_name)


async def test_platform_profile_has_a_fact_per_topic_and_sources(app, member, group) -> None:
    reply = await run(app, member, group, "/platform mercor")
    facts = next(f.value for f in reply.fields if f.name == "Key facts").splitlines()
    assert [line.split(":")[0] for line in facts[:3]] == ["Who runs it", "Work", "Reported pay"]
    assert "Stripe" in text_of(reply) and "Sources:" in reply.footer
    assert "https://talent.docs.mercor.com/how-to/accept-stripe-payments (n.d., official)" in reply.footer


async def test_legit_toloka_gives_category_facts_sources_and_the_checklist_button(app, member, group) -> None:
    reply = await run(app, member, group, "/legit toloka")
    text = text_of(reply)
    assert reply.title == "Is Toloka legit? Legit, with risks"
    assert reply.blocks[0].startswith("Toloka is a real platform")
    assert "US$1,000" in text and "(n.d., official) [" in text
    assert "Legit but harsh is not a scam" not in text  # behind the button now (tests/test_knowledge_brief.py)
    assert ("Scam checklist", "scamcheck") in [(b.label, b.command) for b in reply.buttons]
    assert "https://support.toloka.help/hc/en-us/articles/14059329047452" in reply.footer
    assert not reply.is_error


async def test_legit_with_a_misspelling_and_an_unknown_name(app, member, group) -> None:
    reply = await run(app, member, group, "/legit dataanotation")
    assert reply.title == "Is DataAnnotation legit? Legit, with risks"
    unknown = await run(app, member, group, "/legit acme-ai-jobs")
    assert unknown.is_error and "acme-ai-jobs" in text_of(unknown)
    assert [b.command for b in unknown.buttons] == ["scamcheck", "platforms"]
    near = await run(app, member, group, "/legit telsu")
    assert near.buttons[0].command == "legit" and near.buttons[0].args == {"platform": "telus"}


async def test_pay_telus_uk_compares_with_the_uk_minimum_wage(app, member, group) -> None:
    reply = await run(app, member, group, "/pay telus uk")
    text = text_of(reply)
    assert reply.title == "What TELUS Digital pays (reported)"
    assert "US$8–15/h (≈ £6.35–11.90)" in text
    assert "£12.71/h since 1 Apr 2026" in text  # the clock is at 16 Nov 2026
    assert "Below the minimum wage" in text
    assert "Unpaid assessments and onboarding lower your effective hourly rate" in text
    assert "28 Feb 2025" in reply.footer


async def test_the_minimum_wage_follows_the_date(settings) -> None:
    from bot.core.model import Actor, Place, Platform
    from bot.wiring import build_app

    actor, place = Actor(Platform.CONSOLE, "u", "U"), Place(Platform.CONSOLE, "c", "c", False)
    clock = ManualClock(datetime(2026, 3, 31, 23, 0, tzinfo=UTC))
    app = await build_app(settings, clock=clock)
    try:
        before = text_of(await run(app, actor, place, "/pay telus uk"))
        clock.advance(hours=2)
        after = text_of(await run(app, actor, place, "/pay telus uk"))
    finally:
        await app.db.close()
    assert "£12.21/h since 1 Apr 2025" in before and "Next: £12.71/h from 1 Apr 2026" in before
    assert "£12.71/h since 1 Apr 2026" in after


async def test_pay_role_and_country_in_either_order(app, member, group) -> None:
    reply = await run(app, member, group, "/pay dataannotation us specialist")
    text = text_of(reply)
    assert "Specialist: US$20–40/h" in text and "Generalist" not in text
    assert "US$7.25/h" in text
    bad = await run(app, member, group, "/pay outlier atlantis")
    assert bad.is_error and "Atlantis".lower() in text_of(bad).lower()


async def test_settings_are_saved_used_by_pay_and_forgotten(app, member, group) -> None:
    empty = await run(app, member, group, "/settings")
    assert "not set" in text_of(empty)
    saved = await run(app, member, group, "/settings germany GBP")
    assert {f.name: f.value for f in saved.fields} == {"Country": "Germany", "Display currency": "GBP",
                                                     "Language": AUTOMATIC}
    pay = text_of(await run(app, member, group, "/pay telus"))
    assert "Minimum wage, Germany" in pay and "≈ £" in pay
    currency_only = await run(app, member, group, "/settings EUR")
    assert {f.value for f in currency_only.fields} == {"Germany", "EUR", AUTOMATIC}
    bad = await run(app, member, group, "/settings germany zzz")
    assert bad.is_error and "zzz" in text_of(bad)
    key = app.person_key(str(member.platform), member.user_id)
    deleted = await forget_person(app, Person(key, str(member.platform), member.user_id))
    assert ("saved settings", 1) in deleted
    assert "not set" in text_of(await run(app, member, group, "/settings"))
    await run(app, member, group, "/settings uk")
    cleared = await run(app, member, group, "/settings clear")
    assert "not set" in cleared.fields[0].value


async def test_scamcheck_without_and_with_a_message(app, member, group) -> None:
    signs = await run(app, member, group, "/scamcheck")
    assert signs.title == "Task-scam warning signs" and "never pay to get paid" in text_of(signs)
    assert "ftc.gov" in signs.footer
    check = await run(app, member, group, "/scamcheck Hi! I'm a recruiter from DataAnnotation on WhatsApp, "
                                          "deposit 50 USDT to unlock your tasks")
    text = text_of(check)
    assert check.blocks[0].startswith("This message shows the signs of a task scam")
    assert "Warning signs found (3)" in text
    assert "DataAnnotation is a real platform" in text and "dataannotation.tech" in text
    clean = await run(app, member, group, "/scamcheck Your Prolific study about sleep is ready")
    assert clean.blocks[0].startswith("I found none of the usual warning signs")


async def test_scamcheck_flags_look_alike_domains_and_pay_far_above_the_range(app, member, group) -> None:
    text = text_of(await run(app, member, group, "/scamcheck Apply at dataannotation.cc, Outlier pays $300/hour"))
    assert "look-alike" in text and "dataannotation.cc" in text
    assert "Pay far above" in text


@pytest.mark.parametrize(
    ("question", "title_start"),
    [
        ("is outlier legit?", "Is Outlier legit? Caution"),
        ("how much does TELUS pay in the UK?", "What TELUS Digital pays"),
        ("does dataannotation pay for the assessment?", "Does DataAnnotation pay for assessments"),
        ("when does appen pay out?", "How and when Appen / CrowdGen pays"),
        ("is this a scam: Hi! I'm a recruiter from DataAnnotation on WhatsApp, deposit 50 USDT", "Scam check"),
        ("which platforms do you know?", "Platforms I know"),
        ("what is the minimum wage in the UK?", "Minimum wage in United Kingdom"),
        ("hello", "Ask me about AI-training platforms"),
        ("how much does it pay?", "Which platform?"),
    ],
)
async def test_plain_questions_are_answered(app, member, private, question, title_start) -> None:
    reply = await app.dispatcher.ask(question, member, private)
    assert reply.title.startswith(title_start), reply.title


async def test_plain_question_answers_say_the_facts(app, member, private) -> None:
    assessment = await app.dispatcher.ask("does dataannotation pay for the assessment?", member, private)
    assert assessment.blocks[0] == "Reported as unpaid." and "(Jul 2026, SEO site)" in text_of(assessment)
    payout = text_of(await app.dispatcher.ask("when does appen pay out?", member, private))
    assert "monthly on the 14th" in payout and "weekly on Thursdays" in payout
    unknown = await app.dispatcher.ask("is acme-ai-jobs legit?", member, private)
    assert unknown.is_error and "acme-ai-jobs" in text_of(unknown)


async def test_crowd_sections_join_pay_and_legit(app, member, group, monkeypatch) -> None:
    seen = []

    async def crowd_pay(inv, platform_id, **context):
        seen.append((platform_id, context))
        return [Field("Crowd pay (n=7)", "median US$14/h"), "Crowd figures hide below n = 5."]

    async def broken(inv, platform_id, **context):
        raise RuntimeError("boom")

    monkeypatch.setattr(app, "pay_sections", (crowd_pay, broken))
    monkeypatch.setattr(app, "legit_sections", (crowd_pay,))
    pay = await run(app, member, group, "/pay outlier expert uk")
    assert "Crowd pay (n=7): median US$14/h" in text_of(pay) and "Crowd figures hide" in text_of(pay)
    assert seen[0] == ("outlier", {"role": "expert", "country": "GB", "currency": "GBP"})
    legit = await run(app, member, group, "/legit outlier")
    assert "Crowd pay (n=7)" in text_of(legit) and not legit.is_error


@pytest.mark.parametrize("platform_id", [
    "dataannotation", "outlier", "remotasks", "scaleai", "surgeai", "mercor", "alignerr", "mindrift", "toloka",
    "appen", "telus", "uhrs", "clickworker", "prolific", "oneforma", "mturk", "rws", "welocalize", "invisible",
    "turing", "handshake"])
async def test_every_answer_fits_the_limits_without_cut_sentences(app, member, group, platform_id) -> None:
    for line in (f"/platform {platform_id}", f"/legit {platform_id}", f"/pay {platform_id} uk"):
        reply = await run(app, member, group, line)
        assert not reply.is_error
        assert len(text_of(reply)) <= TOTAL_LIMIT
        assert all(len(block) <= 1500 for block in reply.blocks)
        assert all(len(f.value) <= 1024 for f in reply.fields) and len(reply.footer or "") <= 2048
        for f in reply.fields:
            if f.name not in OWN_FIELDS and not f.name.startswith("Minimum wage"):
                continue  # crowd sections registered by other features
            for sentence in f.value.splitlines():
                assert sentence.rstrip().endswith(("]", ".", ")", "?")), sentence
