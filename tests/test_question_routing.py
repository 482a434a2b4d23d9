"""Plain questions reach the right answer: every phrasing quoted in issue 14, through the real dispatcher."""

from __future__ import annotations

import re

import pytest

from bot.core.model import Reply
from tests.reports_helpers import count_reports, members
from tests.reports_helpers import report as file_report

QUEUE_TALK = [
    # (question, platform id, platform name, the report it offers or None for a question)
    ("tasks dried up on outlier again", "outlier", "Outlier", "drought"),
    ("outlier EQ again?", "outlier", "Outlier", None),
    ("DA is dry", "dataannotation", "DataAnnotation", "drought"),
    ("is the outlier queue empty?", "outlier", "Outlier", None),
    ("any tasks on DA right now", "dataannotation", "DataAnnotation", None),
    ("tasks are back on DA!", "dataannotation", "DataAnnotation", "tasks_back"),
    ("project ended on outlier", "outlier", "Outlier", "project_ended"),
]
PAYOUT = [("how does mercor pay", "Mercor"), ("how do i get paid on toloka", "Toloka"),
          ("how long until I get paid on uhrs", "UHRS"), ("does prolific pay in dollars", "Prolific")]
PAYMENT_RECORD = [("is appen paying on time?", "appen", "Appen / CrowdGen"),
                  ("did everyone get paid by outlier this week?", "outlier", "Outlier")]
LOOKALIKES = ["is dataannotation.cc legit", "is data-annotation.org legit?"]
IMPERSONATORS = [("is Data Annotation Jobs on telegram real?", "DataAnnotation", "dataannotation.tech"),
                 ("is this scale ai recruiter legit", "Scale AI", "scale.com")]
CITED = re.compile(r"\((newest )?(\d{1,2} \w{3} )?(\w{3} )?(\d{4}|n\.d\.)(, [\w -]+)?\) (\[\d+\])+"
                   r"( \([\w -]+ only\))?$")


def text_of(reply: Reply) -> str:
    return reply.plain_text()


def commands_of(reply: Reply) -> list[tuple[str, dict[str, str]]]:
    return [(b.command, b.args) for b in reply.buttons]


@pytest.mark.parametrize(("question", "platform", "name", "offer"), QUEUE_TALK)
async def test_queue_talk_gets_the_status_with_its_buttons_not_the_profile(app, member, group, question, platform,
                                                                         name, offer) -> None:
    reply = await app.dispatcher.ask(question, member, group)
    status = await app.dispatcher.dispatch_line(f"/status {platform}", member, group)
    assert reply.title == status.title and reply.title.startswith(f"{name}: ")
    assert reply.fields == status.fields  # the same status /status gives
    assert "profile" not in reply.title and len(reply.plain_text()) < 1200
    assert ("report", {"platform": platform, "what": "drought"}) in commands_of(reply)
    assert ("report", {"platform": platform, "what": "tasks_back"}) in commands_of(reply)
    if offer is None:
        assert not any("Sounds like" in block for block in reply.blocks)
    else:
        assert reply.buttons[0].args["what"] == offer and reply.buttons[0].style == "primary"
        assert sum(b.style == "primary" for b in reply.buttons) == 1
        assert "Nothing is recorded until you tap." in reply.blocks[0]
    assert await count_reports(app) == 0  # answering never records


async def test_a_drought_statement_is_recorded_only_when_the_offer_is_tapped(app, member, group) -> None:
    reply = await app.dispatcher.ask("DA is dry", member, group)
    assert await count_reports(app) == 0
    tap = reply.buttons[0]
    done = await app.dispatcher.dispatch(tap.command, tap.args, member, group)
    assert done.title == "Thanks, report recorded" and "DataAnnotation — no tasks (empty queue)" in text_of(done)
    assert await count_reports(app, "platform = 'dataannotation' AND kind = 'drought'") == 1
    again = await app.dispatcher.ask("DA is dry", member, group)
    assert "1 member reported no tasks" in text_of(again)


async def test_a_project_statement_asks_for_the_project_as_report_does(app, member, group) -> None:
    reply = await app.dispatcher.ask("project ended on outlier", member, group)
    tap = reply.buttons[0]
    assert (tap.command, tap.args) == ("report", {"platform": "outlier", "what": "project_ended"})
    asked = await app.dispatcher.dispatch(tap.command, tap.args, member, group)
    by_command = await app.dispatcher.dispatch_line("/report outlier project_ended", member, group)
    assert asked.is_error and text_of(asked) == text_of(by_command) and "Which project" in text_of(asked)
    assert await count_reports(app) == 0
    named = await app.dispatcher.ask("Project Falcon ended on outlier", member, group)
    assert named.buttons[0].args == {"platform": "outlier", "what": "project_ended", "project": "Falcon"}
    recorded = await app.dispatcher.dispatch("report", named.buttons[0].args, member, group)
    assert "project “falcon”" in text_of(recorded).lower()


@pytest.mark.parametrize(("question", "name"), PAYOUT)
async def test_payout_questions_get_the_payout_method_and_schedule(app, member, private, question, name) -> None:
    reply = await app.dispatcher.ask(question, member, private)
    assert reply.title == f"How and when {name} pays", reply.title
    assert "Reported pay" not in text_of(reply)


@pytest.mark.parametrize(("question", "platform", "name"), PAYMENT_RECORD)
async def test_payment_questions_get_the_members_payment_record(app, member, group, question, platform,
                                                               name) -> None:
    for reporter, kind in zip(members(3), ("paid_on_time", "paid_on_time", "paid_late"), strict=True):
        await file_report(app, reporter, group, platform, kind)
    reply = await app.dispatcher.ask(question, member, group)
    assert reply.title == f"Payments on {name}, as members report them"
    assert "Last 90 days: paid on time 2 of 3; paid late 1 of 3; payment missing 0 of 3." in text_of(reply)


async def test_paid_late_statement_offers_to_record_paid_late(app, member, group) -> None:
    reply = await app.dispatcher.ask("appen paid me late again", member, group)
    assert reply.title == "Payments on Appen / CrowdGen, as members report them"
    assert (reply.buttons[0].command, reply.buttons[0].args) == ("report", {"platform": "appen", "what": "paid_late"})
    assert "Appen / CrowdGen paid you late" in reply.blocks[0] and await count_reports(app) == 0
    await app.dispatcher.dispatch("report", reply.buttons[0].args, member, group)
    record = await app.dispatcher.ask("is appen paying on time?", member, group)
    assert "paid late 1 of 1" in text_of(record)


@pytest.mark.parametrize("question", LOOKALIKES)
async def test_look_alike_domains_lead_with_the_warning_as_legit_does(app, member, private, question) -> None:
    reply = await app.dispatcher.ask(question, member, private)
    host = re.search(r"[\w-]+\.(cc|org)", question).group(0)
    by_command = await app.dispatcher.dispatch_line(f"/legit {host}", member, private)
    warning = f"{host} is not an address of DataAnnotation (its site: dataannotation.tech)."
    assert warning in text_of(by_command)  # what /legit already says
    assert reply.title == f"Warning: {host} is not DataAnnotation's address"
    assert reply.blocks[0].startswith(warning)
    assert "Legit, with risks" not in reply.title


@pytest.mark.parametrize(("question", "name", "domain"), IMPERSONATORS)
async def test_recruiters_and_channels_lead_with_the_impersonation_warning(app, member, private, question, name,
                                                                           domain) -> None:
    reply = await app.dispatcher.ask(question, member, private)
    text = text_of(reply)
    assert reply.title.startswith(f"Is that really {name}?")
    assert "messaging apps are the top task-scam sign" in reply.blocks[0]
    assert f"official domain: {domain}" in reply.blocks[0]
    assert text.index("messaging apps") < text.index(f"{name} is ") < text.index("Sources:")  # warning, verdict


async def test_a_known_domain_is_said_to_be_the_platforms_own(app, member, private) -> None:
    reply = await app.dispatcher.ask("is app.dataannotation.tech legit", member, private)
    assert reply.title == "app.dataannotation.tech is DataAnnotation's own address"
    unknown = await app.dispatcher.ask("is taskverse.io legit?", member, private)
    assert unknown.title == "I don't know taskverse.io" and "does not make it a scam, or safe" in text_of(unknown)


async def test_is_it_worth_it_is_built_from_sourced_facts(app, member, private) -> None:
    reply = await app.dispatcher.ask("is it worth it", member, private)
    assert reply.title == "Is AI-training work worth it?"
    names = [f.name for f in reply.fields]
    assert names[:4] == ["What unpaid hours do to the pay", "Unpaid onboarding lowers the effective pay",
                         "Droughts: work can stop without notice", "No job security"]
    for field in reply.fields:
        for line in field.value.splitlines():
            if not line.startswith("After "):  # the worked example is arithmetic on the cited figure above it
                assert CITED.search(line), line
    assert "Sources:" in reply.footer
    one = await app.dispatcher.ask("is outlier worth it", member, private)
    assert one.title == "Is Outlier worth it?" and "DataAnnotation:" not in text_of(one)


async def test_tax_in_the_uk_quotes_gov_uk_and_says_what_is_unknown(app, member, private) -> None:
    reply = await app.dispatcher.ask("do I need to pay tax on this in the UK", member, private)
    text = text_of(reply)
    assert reply.title == "Tax on platform income: United Kingdom"
    assert "trading allowance is a tax exemption of up to £1,000" in text and "Self Assessment" in text
    assert "https://www.gov.uk/guidance/tax-free-allowances-on-property-and-trading-income (n.d., government)" in text
    assert "Unknown: Whether your platform work counts as trading" in text and "irs.gov" not in text
    us = text_of(await app.dispatcher.ask("do i pay taxes on outlier earnings in the us", member, private))
    assert "1099" in us and "$400" in us and "https://www.irs.gov/taxtopics/tc554" in us and "gov.uk" not in us
    other = await app.dispatcher.ask("is my outlier money taxable in india", member, private)
    assert other.blocks[0].startswith("Unknown: I have no sourced tax basics for India.")


async def test_tax_without_a_country_uses_the_saved_one_or_shows_what_it_has(app, member, private) -> None:
    both = text_of(await app.dispatcher.ask("how do taxes work for this", member, private))
    assert "Which country?" in both and "United Kingdom" in both and "United States" in both
    await app.dispatcher.dispatch_line("/settings us", member, private)
    saved = await app.dispatcher.ask("how do taxes work for this", member, private)
    assert saved.title == "Tax on platform income: United States"


async def test_a_question_in_german_is_answered_english_only_for_now(app, member, private) -> None:
    reply = await app.dispatcher.ask("Ist Outlier seriös?", member, private)
    assert reply.title == "Not in that language yet" and "German" in reply.blocks[0]
    assert ("legit", {"platform": "outlier"}) in commands_of(reply)


async def test_questions_outside_the_knowledge_base_say_so_then_offer_the_closest(app, member, private) -> None:
    reply = await app.dispatcher.ask("can i use a vpn on outlier", member, private)
    assert reply.title == "I don't know that" and "isn't in my sourced knowledge base" in reply.blocks[0]
    assert ("legit", {"platform": "outlier"}) in commands_of(reply)
    assert ("status", {"platform": "outlier"}) in commands_of(reply)
    general = await app.dispatcher.ask("what laptop do i need for tasking", member, private)
    assert "is AI training worth it?" in text_of(general) and "tax" in text_of(general)


async def test_two_platforms_named_answer_the_first_and_offer_the_second(app, member, private) -> None:
    reply = await app.dispatcher.ask("who pays better, DA or outlier?", member, private)
    assert reply.title == "What DataAnnotation pays (reported)"
    assert ("pay", {"platform": "outlier"}) in commands_of(reply)


async def test_queue_talk_without_a_platform_gets_every_status(app, member, group) -> None:
    reply = await app.dispatcher.ask("no tasks?", member, group)
    assert reply.title == (await app.dispatcher.dispatch_line("/status", member, group)).title
