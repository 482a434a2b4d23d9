"""The shipped data follows the revised fact sheet (research/platform_facts.md, CHANGES of November 2026):
canonical Reddit URLs, re-sourced figures, the removed misattribution, new facts and the new wage table, each
with its source and date as the sheet gives them; and every country with a wage renders in /pay and plain
answers, whatever its currency and unit."""

from __future__ import annotations

from datetime import date

import pytest

from bot.features.knowledge import knowledge_base
from bot.features.knowledge.answers import wage_reply
from bot.features.knowledge.check import all_facts, check
from bot.features.knowledge.wages import wage_in_force, wages_in_force

MIRRORS = ("redlib.venatio.dev", "redlib.privacytools.click", "redlib.cakez.net", "reddit.nalc.co",
           "redlib.astronima.party", "rl.huuu.biz")
CANONICAL = {
    "8": "https://www.reddit.com/r/DataAnnotationNoRules/comments/1j3z1aq/",
    "12": "https://www.reddit.com/r/outlier_ai/comments/1dkoflk/projectbased_pay_instead_of_hourly/",
    "14": "https://www.reddit.com/r/outlier_ai/comments/1m6zhov/outlier_refusing_to_pay_agreed_bonuses_on_pegasus",
    "16": "https://www.reddit.com/r/outlier_ai/comments/1kzy356/pay_only_for_quality_tasks",
    "37": "https://www.reddit.com/r/alignerr/comments/1rt08gq/atc_terrible_experience/",
    "46": "https://www.reddit.com/r/mindrift_help/comments/1g0k0tl/how_payments_work_for_mindrift_freelancers",
}


def cited_ids() -> set[str]:
    return {source for fact in all_facts(knowledge_base()) for source in fact.sources}


def test_the_six_mirrored_posts_cite_their_canonical_reddit_urls() -> None:
    kb = knowledge_base()
    for source_id, url in CANONICAL.items():
        assert kb.source(source_id).url == url
    assert not [s.url for s in kb.sources.values() if any(m in s.url for m in MIRRORS)]
    assert kb.source("16").date == "n.d."  # the sheet gives "n.d. (2025)": no date is inferred
    assert kb.source("46").kind == "official"  # an official account's post, wherever it is hosted


def test_outlier_payout_is_unknown_and_cites_no_dataannotation_article() -> None:
    outlier = knowledge_base().platforms["outlier"]
    assert not outlier.facts_about("payout")
    assert [gap.topic for gap in outlier.unknown] == ["payout", "id_check"]
    cited = {s for fact in outlier.facts for s in fact.sources} | {s for pay in outlier.pay for s in pay.sources}
    assert "1" not in cited  # the SEO article about DataAnnotation
    assert "weekly" not in " ".join(fact.text for fact in outlier.facts).lower()
    dataannotation = knowledge_base().platforms["dataannotation"]
    assert any(fact.sources == ["1"] and "weekly" in fact.text for fact in dataannotation.facts_about("payout"))


async def test_outlier_payout_answer_says_unknown(app, member, group) -> None:
    reply = await app.dispatcher.dispatch_line("/legit outlier", member, group)
    gaps = next(f.value for f in reply.fields if f.name == "Gaps in the record")
    assert gaps.startswith("How and when it pays: Nothing citable found on payment method and schedule")
    assert "aistudentjobs.com/is-data-annotation-legit" not in (reply.footer or "")


def test_mercor_work_trial_is_paid_with_its_official_source() -> None:
    kb = knowledge_base()
    mercor = kb.platforms["mercor"]
    trial = [f for f in mercor.facts_about("assessment") if "work trial" in f.text.lower()]
    assert len(trial) == 1 and "paid" in trial[0].text and trial[0].sources == ["98"]
    source = kb.source("98")
    assert source.url == "https://talent.docs.mercor.com/how-to/work-trial.md"
    assert source.date == "n.d." and source.kind == "official" and source.tier == "OFF"
    assert not mercor.gaps_about("assessment")  # the gap is filled by 98 and 101
    assert any(f.sources == ["99"] and "Certn or Zync" in f.text for f in mercor.facts_about("id_check"))
    assert "94" not in cited_ids() and "W14" not in cited_ids()  # kept in the list, no longer cited


def test_germany_2026_and_2027_come_from_the_ordinance() -> None:
    kb = knowledge_base()
    later = wage_in_force("DE", date(2027, 1, 1))
    assert later.amount == 14.60 and later.effective == date(2027, 1, 1) and later.sources == ["W17", "W18"]
    assert wage_in_force("DE", date(2026, 12, 31)).amount == 13.90
    assert kb.source("W17").tier == "LAW" and kb.source("W17").date == "2025-11-05"
    assert kb.source("W18").date == "2025-11-06"
    reply = wage_reply("DE", date(2026, 6, 1), "EUR")
    assert "Next: €14.60/h from 1 Jan 2027." in reply.plain_text()


def test_the_reuters_figures_cite_the_faithful_copy() -> None:
    kb = knowledge_base()
    reuters = kb.source("25")
    assert reuters.url.startswith("https://blog.cyberconservices.com/") and reuters.date == "2024-10-01"
    assert "pratapdarpan" not in " ".join(s.url for s in kb.sources.values())
    assert any(p.sources == ["25"] and p.high == 50 for p in kb.platforms["outlier"].pay)
    assert kb.source("31").url.startswith("https://independent.co.uk/")


def test_new_facts_of_the_revision_are_in_with_their_sources() -> None:
    kb = knowledge_base()
    p = kb.platforms

    def has(pid: str, topic: str, words: str, sources: list[str]) -> bool:
        return any(words in f.text and f.sources == sources for f in p[pid].facts_about(topic))

    assert has("handshake", "payout", "weekly on Wednesdays", ["96"])
    assert has("handshake", "assessment", "onboarding bonus", ["96"])
    assert has("alignerr", "payout", "Monday-Sunday billing cycle", ["95"])
    assert has("telus", "payout", "Average Estimated Time", ["102"])
    assert has("scaleai", "history", "settle four California", ["22", "105"])
    assert has("prolific", "assessment", "not screened out mid-study", ["107"])
    assert has("remotasks", "countries", "18+", ["113"])
    assert not p["handshake"].gaps_about("payout") and not p["alignerr"].gaps_about("payout")
    assert kb.rates.sources == ["W37"] and kb.source("W37").date == "n.d."
    assert {c for note in kb.rates.notes for c in note.currencies} >= {"INR", "PHP", "KES", "NGN", "PKR"}
    assert [m.sources for m in kb.market_pay] == [["111", "112"]] * 4


@pytest.mark.parametrize(("country", "day", "amount", "unit", "currency"), [
    ("IE", date(2026, 1, 1), 14.15, "hour", "EUR"), ("IE", date(2025, 12, 31), 13.50, "hour", "EUR"),
    ("CA", date(2026, 4, 1), 18.15, "hour", "CAD"), ("CA", date(2025, 4, 1), 17.75, "hour", "CAD"),
    ("AU", date(2026, 7, 1), 26.44, "hour", "AUD"), ("AU", date(2025, 7, 1), 24.95, "hour", "AUD"),
    ("PH", date(2025, 7, 18), 695, "day", "PHP"), ("IN", date(2026, 11, 16), 176, "day", "INR"),
    ("KE", date(2024, 11, 1), 16113.75, "month", "KES"), ("NG", date(2024, 7, 29), 70000, "month", "NGN"),
])
def test_the_new_minimum_wage_table(country: str, day: date, amount: float, unit: str, currency: str) -> None:
    wage = wage_in_force(country, day)
    assert (wage.amount, wage.unit, wage.currency) == (amount, unit, currency)
    assert knowledge_base().countries[country].currency == currency


def test_a_month_only_date_stays_a_month_and_a_pending_rate_has_no_amount() -> None:
    india = wages_in_force("IN", date(2026, 11, 16))
    assert india[0].effective_label == "Jun 2017" and india[0].effective_text == "2017-06"
    pending = [w for w in india if w.pending]
    assert len(pending) == 1 and pending[0].amount is None and pending[0].sources == ["W30", "W31"]
    text = wage_reply("IN", date(2026, 11, 16), "INR").plain_text()
    assert "INR 176 a day since Jun 2017" in text and "not fixed yet" in text and "INR 0" not in text


def test_currencies_without_a_reference_rate_stay_unconverted_and_say_why() -> None:
    text = wage_reply("KE", date(2026, 11, 16), "USD").plain_text()
    assert "KES 16,113.75 a month since 1 Nov 2024" in text and "≈" not in text
    assert "do not include the Kenyan shilling" in text
    assert "Converted at" not in text  # nothing was converted, so no rates date is claimed


async def test_every_country_with_a_wage_renders_in_pay_on_any_day(app, member, group) -> None:
    """The class of bug: a wage in a new unit or currency must never make /pay fail."""
    kb = knowledge_base()
    countries = sorted({w.country for w in kb.wages})
    for code in countries:
        for when in (date(2024, 1, 1), date(2026, 11, 16), date(2027, 6, 1)):
            for currency in ("USD", kb.countries[code].currency, "EUR"):
                assert wage_reply(code, when, currency).title.startswith("Minimum wage in")
        reply = await app.dispatcher.dispatch_line(f"/pay outlier {code.lower()}", member, group)
        assert reply.title == "What Outlier pays (reported)", (code, reply.plain_text()[:300])


def test_the_revised_data_passes_the_check_as_of_the_sheet_date() -> None:
    report = check(date(2026, 11, 21))
    assert report.ok, report.problems
