"""Replies say things once and in proper English: plurals, no repeated figures or labels, a repeat report says
it updated the earlier one, "no" is an answer, an unknown platform is not a scam question everywhere, and a
project keeps the name its first reporter typed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.core.declarations import Command, Param, check_command
from bot.core.plural import plural
from bot.features.digest import build_digest, digest_reply
from bot.features.knowledge.answers import gap_text, pay_note
from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.models import Gap, PayRange
from bot.wiring import all_commands
from tests.reports_helpers import count_reports, members, report
from tests.support.digest_fakes import FakeSender, manual_outbox


async def run(app, actor, place, line: str):
    return await app.dispatcher.dispatch_line(line, actor, place)


def test_plural_counts_in_the_right_number() -> None:
    assert plural(1, "person", "people") == "1 person" and plural(2, "person", "people") == "2 people"
    assert plural(0, "report") == "0 reports" and plural(1, "report") == "1 report"
    assert plural(1200, "member") == "1,200 members"


async def test_one_contributor_is_one_person(app, clock, member, group) -> None:
    await report(app, member, group, "outlier", "paid_late")
    clock.advance(minutes=1)
    text = digest_reply(await build_digest(app, None, clock.now(), chart=False)).plain_text()
    assert "1 report from 1 person" in text and "1 people" not in text and "1 reports" not in text


async def test_pay_counts_its_figures_in_words(app, member, group) -> None:
    kb = knowledge_base()
    single = next(pid for pid, p in kb.platforms.items() if len(p.pay) == 1 and p.pay[0].unit == "hour")
    for pid in kb.platforms:
        text = (await run(app, member, group, f"/pay {pid}")).plain_text()
        assert "(s)" not in text, pid
    assert "among 1 dated figure below" in (await run(app, member, group, f"/pay {single}")).plain_text()


def test_a_pay_note_never_repeats_its_figure() -> None:
    reuters = PayRange(high=50, currency="USD", unit="hour", role="expert", note="up to US$50/h (Reuters)",
                       sources=["1"])
    assert pay_note(reuters) == " (Reuters)"
    blog = PayRange(low=20, high=20, currency="USD", unit="hour", note="hourly writing projects, about US$20/h",
                    sources=["1"])
    assert pay_note(blog) == ": hourly writing projects"
    other = PayRange(low=15, high=15, currency="USD", unit="hour", note="(US$25-40/h was promised)", sources=["1"])
    assert pay_note(other) == " (US$25-40/h was promised)"
    assert pay_note(PayRange(high=50, currency="USD", unit="hour", note="up to US$50/h", sources=["1"])) == ""


async def test_no_pay_answer_says_a_figure_twice(app, member, group) -> None:
    figure = r"(?:up to |from )?US\$[\d,.]+(?:–[\d,.]+)?/h"
    for pid in knowledge_base().platforms:
        text = (await run(app, member, group, f"/pay {pid}")).plain_text()
        assert not re.search(rf"({figure})(?: —|:) \1", text), (pid, text)


def test_a_gap_reads_as_one_sentence() -> None:
    assert gap_text(Gap(topic="id_check", note="ID verification: nothing citable found.")) == (
        "Nothing citable found on ID verification.")
    assert gap_text(Gap(topic="assessment", note="Whether assessments are paid: nothing citable found.")) == (
        "Nothing citable found on whether assessments are paid.")
    assert gap_text(Gap(topic="payout", note="Payout method: nothing citable found (PayPal is said).")) == (
        "Nothing citable found on payout method (PayPal is said).")
    assert gap_text(Gap(topic="payout", note="Not documented anywhere.")) == "Unknown: Not documented anywhere."


async def test_no_answer_stacks_unknown_on_a_label(app, member, group) -> None:
    for pid in knowledge_base().platforms:
        for command in ("legit", "platform"):
            text = (await run(app, member, group, f"/{command} {pid}")).plain_text()
            assert not re.search(r"Unknown: [^:\n]+: nothing citable found", text), (command, pid)


async def test_help_says_optional_once(app, member, group) -> None:
    for command in all_commands():
        text = (await run(app, member, group, f"/help {command.name}")).plain_text()
        assert "(optional) (optional)" not in text, command.name
    async def handler(inv):  # pragma: no cover - never run
        raise AssertionError
    declared = Command("x", "A command", handler, params=(Param("what", "A thing (optional)", required=False),))
    assert any("optional" in problem for problem in check_command(declared))


async def test_a_repeated_report_says_it_updated_the_earlier_one(app, clock, member, group) -> None:
    first = await run(app, member, group, "/report outlier drought")
    assert first.title == "Thanks, report recorded"
    clock.advance(minutes=20)
    again = await run(app, member, group, "/report outlier EQ")
    assert again.title == "Updated your earlier report" and "updated your earlier report" in again.plain_text()
    assert "Thanks, report recorded" not in again.plain_text()
    assert await count_reports(app) == 1
    pay = await run(app, member, group, "/payrate outlier 20 usd")
    pay_again = await run(app, member, group, "/payrate outlier 22 usd")
    assert pay.title == "Thanks, report recorded" and pay_again.title == "Updated your earlier report"


async def test_forget_no_keeps_everything(app, member, group) -> None:
    await report(app, member, group, "outlier", "drought")
    reply = await run(app, member, group, "/forget no")
    assert not reply.is_error and reply.title == "Nothing deleted" and "one of" not in reply.plain_text()
    assert await count_reports(app) == 1
    assert (await run(app, member, group, "/forget maybe")).is_error
    assert (await run(app, member, group, "/forget yes")).title == "Deleted"


@pytest.mark.parametrize("line", ["/subscribe nonexistent", "/report nonexistent drought", "/status nonexistent",
                                  "/unsubscribe nonexistent"])
async def test_an_unknown_platform_outside_a_trust_question_is_just_unknown(app, member, private, line) -> None:
    reply = await run(app, member, private, line)
    assert reply.is_error and "I don't know a platform called “nonexistent”" in reply.plain_text()
    assert "scam" not in reply.plain_text().lower()


async def test_an_unknown_platform_in_a_trust_question_still_says_it_is_no_verdict(app, member, group) -> None:
    for line in ("/legit nonexistent", "is nonexistent legit?"):
        reply = await app.dispatcher.ask(line, member, group) if not line.startswith("/") else await run(
            app, member, group, line)
        assert "That does not make it a scam, or safe" in reply.plain_text()


async def test_a_project_keeps_the_name_its_first_reporter_typed(app, clock, moderator, group) -> None:
    crowd = members(3)
    for actor, typed in zip(crowd, ("Falcon", "falcon", "FALCON "), strict=True):
        done = await report(app, actor, group, "outlier", "project_ended", project=typed)
        assert "project “Falcon”" in done.plain_text()
    assert await count_reports(app, "project = 'falcon'") == 3  # one project, counted by its key
    status = (await run(app, crowd[0], group, "/status outlier")).plain_text()
    assert "Falcon: ended (n = 3" in status and "falcon" not in status
    assert "“Falcon”" in (await run(app, crowd[1], group, "/myreports")).plain_text()
    assert "“Falcon”" in (await run(app, moderator, group, "/mod_reports")).plain_text()
    clock.advance(minutes=1)
    digest = digest_reply(await build_digest(app, "console:local", clock.now(), chart=False)).plain_text()
    assert "project “Falcon” reported ended by 3 people" in digest
    await app.db.set_meta("alerts.last_status_event", "0")
    await app.dispatcher.dispatch_line("/alerts_here on", moderator, group)
    assert await app.alerts.scan() == 1
    sender = FakeSender(clock)
    app.senders["console"] = sender
    await manual_outbox(app, clock).run_once()
    [(_dest, alert, _at)] = sender.delivered
    assert alert.title == "Outlier: project “Falcon” reported ended" and "3 members reported" in alert.blocks[0]


async def test_a_project_name_goes_with_its_last_report(app, clock, member, group) -> None:
    other = members(1, start=7)[0]
    await report(app, member, group, "outlier", "project_paused", project="Acme LLP Jane Doe")
    await report(app, member, group, "outlier", "project_paused", project="Heron")
    await report(app, other, group, "outlier", "project_paused", project="heron")
    assert (await run(app, member, group, "/forget yes")).title == "Deleted"
    rows = await app.db.fetchall("SELECT project, shown FROM project_names ORDER BY project")
    assert [tuple(r) for r in rows] == [("heron", "Heron")]  # still reported by someone else
    [mine] = await app.db.fetchall("SELECT id FROM reports")
    clock.advance(minutes=1)
    retracted = await run(app, other, group, f"/retract {mine['id']}")
    assert "project “Heron”" in retracted.plain_text()
    assert await app.db.fetchall("SELECT * FROM project_names") == []


async def test_the_digest_week_header_has_no_leading_zero(app, clock) -> None:
    clock.set(clock.now().replace(month=12, day=1) + timedelta(hours=-3))
    reply = digest_reply(await build_digest(app, None, clock.now(), chart=False))
    assert reply.title == "Weekly digest · 24 Nov – 1 Dec 2026"
