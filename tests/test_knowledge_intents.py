"""The intent matcher on plain questions: what is asked, and about which platform and country."""

from __future__ import annotations

import pytest

from bot.features.knowledge.intents import classify

SCAM_TEXT = "Hi! I'm a recruiter from DataAnnotation on WhatsApp, deposit 50 USDT to unlock your tasks"

PHRASINGS = [
    # (question, kind, platform, country)
    ("is outlier legit?", "legit", "outlier", None),
    ("Is Outlier legit", "legit", "outlier", None),
    ("is outlier a scam?", "legit", "outlier", None),
    ("is data annotation real or fake", "legit", "dataannotation", None),
    ("can I trust toloka", "legit", "toloka", None),
    ("is dataanotation legit??", "legit", "dataannotation", None),
    ("Lionbridge legit?", "legit", "telus", None),
    ("is mturk safe", "legit", "mturk", None),
    ("are prolific studies legit", "legit", "prolific", None),
    ("is remotasks trustworthy in 2026", "legit", "remotasks", None),
    ("how much does TELUS pay in the UK?", "pay", "telus", "GB"),
    ("how much does outlier pay", "pay", "outlier", None),
    ("what does mercor pay per hour", "pay", "mercor", None),
    ("dataannotation hourly rate", "pay", "dataannotation", None),
    ("what can I earn on alignerr in Germany", "pay", "alignerr", "DE"),
    ("toloka pay rate in the US", "pay", "toloka", "US"),
    ("salary at appen", "pay", "appen", None),
    ("how much do mindrift experts make", "pay", "mindrift", None),
    ("welo data wages in ireland", "pay", "welocalize", "IE"),
    ("what does handshake pay", "pay", "handshake", None),
    ("does dataannotation pay for the assessment?", "assessment", "dataannotation", None),
    ("is the telus exam paid", "assessment", "telus", None),
    ("is outlier onboarding paid?", "assessment", "outlier", None),
    ("do you get paid for the mercor interview", "assessment", "mercor", None),
    ("are uhrs qualification tests paid", "assessment", "uhrs", None),
    ("when does appen pay out?", "payout", "appen", None),
    ("when does mercor pay", "payout", "mercor", None),
    ("does toloka pay through paypal", "payout", "toloka", None),
    ("how often does clickworker pay out", "payout", "clickworker", None),
    ("what is the payout schedule for uhrs", "payout", "uhrs", None),
    ("does mindrift pay with payoneer?", "payout", "mindrift", None),
    ("is this a scam: " + SCAM_TEXT, "scamcheck", None, None),
    ("scam? " + SCAM_TEXT + " Message me on telegram for details about the job offer, earn daily.",
     "scamcheck", None, None),
    ("check this: Hello dear, app optimization job, earn 300 USD a day, contact my assistant", "scamcheck", None,
     None),
    ("how do I spot a task scam", "scam_signs", None, None),
    ("what are the warning signs of a scam", "scam_signs", None, None),
    ("is this legit?", "scam_signs", None, None),
    ("which platforms do you know", "platforms", None, None),
    ("list all platforms", "platforms", None, None),
    ("tell me about prolific", "profile", "prolific", None),
    ("outlier", "profile", "outlier", None),
    ("what is welocalize", "profile", "welocalize", None),
    ("is acme-ai-jobs legit?", "unknown_name", None, None),
    ("how much does it pay", "need_platform", None, None),
    ("when do they pay out", "need_platform", None, None),
    ("what is the minimum wage in the UK", "wage", None, "GB"),
    ("hello there", "help", None, None),
    ("thanks!", "help", None, None),
]


@pytest.mark.parametrize(("text", "kind", "platform", "country"), PHRASINGS)
def test_phrasings(text: str, kind: str, platform: str | None, country: str | None) -> None:
    intent = classify(text)
    assert (intent.kind, intent.platform, intent.country) == (kind, platform, country)


def test_at_least_forty_phrasings() -> None:
    assert len(PHRASINGS) >= 40


def test_the_scam_message_is_what_follows_the_colon() -> None:
    assert classify("is this a scam: " + SCAM_TEXT).message == SCAM_TEXT
    assert classify("is acme-ai-jobs legit?").message == "acme-ai-jobs"


def test_roles_are_picked_up() -> None:
    assert classify("how much do outlier experts earn").role == "expert"
    assert classify("dataannotation pay for generalists").role == "generalist"


def test_common_words_are_not_countries() -> None:
    assert classify("is it paid in the outlier onboarding").country is None
    assert classify("how much does outlier pay us").country is None
