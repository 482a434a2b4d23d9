"""Each scam sign /scamcheck looks for: found where a message shows it, not where a message denies it, warns
about it or names the platform's own route; pay compared with the knowledge base's reported figures."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.matching import matcher
from bot.features.knowledge.models import Signal
from bot.features.knowledge.offers import offers
from bot.features.knowledge.scams import TOO_HIGH, WAY_TOO_HIGH, ceiling, scan

ISSUE_ID_HARVEST = ("...from DataAnnotation Tech... $25/h, no experience needed. Please send a photo of your "
                    "passport...")
ISSUE_DAILY_PAY = "earn 500-1000 USD daily for 30 minutes a day"


def signs(message: str) -> set[str]:
    """The ids of the signs found in a message."""
    return {f.signal.id for f in scan(message).findings}


def test_the_issue_id_harvesting_message_is_a_scam_for_the_passport() -> None:
    report = scan(ISSUE_ID_HARVEST)
    assert signs(ISSUE_ID_HARVEST) == {"id_request"} and report.is_scam
    assert report.findings[0].evidence == "send a photo of your passport"
    assert report.platforms == ["dataannotation"]
    assert report.verdict().startswith("This message shows the signs of a task scam")


def test_the_issue_daily_pay_message_is_a_scam_on_its_own() -> None:
    report = scan(ISSUE_DAILY_PAY)
    [finding] = report.findings
    top, _what = ceiling(knowledge_base(), [], expert=False)
    assert finding.signal.id == "pay_too_high" and finding.high and report.is_scam
    assert "US$1,000/h (0.5 h)" in finding.evidence and f"at most US${top:,.0f}/h" in finding.evidence


# (sign, a message that shows it, a message that mentions it harmlessly)
CASES = [
    ("id_request", "Please send me a photo of your passport.",
     "Verify your identity on our site: take a photo ID and a selfie; the check is done by Onfido."),
    ("id_request", "To finish verification on our platform, send a photo of your passport to my WhatsApp.",
     "You'll be asked to share a photo of your government ID and a selfie with Stripe."),
    ("id_request", "Fill in this Google Form with your SSN.", "We will never ask you to send your passport."),
    ("credentials", "Reply with the 6-digit code we texted you.", "We'll send you a verification code by SMS."),
    ("credentials", "Send me your online banking password.", "Do not share your login details with anyone."),
    ("card_photo", "Our finance team needs a photo of your debit card.", "Withdraw to PayPal or a bank card."),
    ("pay_to_work", "You must pay the $30 training fee.", "There is no training fee."),
    ("pay_to_work", "If you don't pay the activation fee, your account will be closed.",
     "PayPal may charge a currency conversion fee."),
    ("pay_to_work", "Last step: if you don't pay the activation fee, your account will be closed.",
     "Note: we never charge a training fee."),
    ("purchase", "Purchase a laptop from our supplier; you'll be reimbursed.",
     "We provide the software at no cost."),
    ("deposit", "Make a deposit of $50 to unlock your tasks.", "Your pay is sent by direct deposit."),
    ("deposit", "This is not a scam, deposit 50 now.", "There are no fees or deposits."),
    ("crypto", "We pay you in USDT.", "Outlier never asks for fees, deposits or crypto."),
    ("gift_cards", "Buy a $100 gift card and send me the code.",
     "Your earnings were transferred to your Amazon gift card balance."),
    ("optimization", "Rate products for merchants and earn commission.", "Rate chatbot answers for clarity."),
    ("messaging", "Add me on Telegram.", "We never contact you on WhatsApp or Telegram."),
    ("messaging", "Message our manager on Signal: download Signal first.",
     "Beware of fake recruiters on Telegram."),
    ("messaging", "Text me for details.",
     "If you receive a message on WhatsApp claiming to be from us, it is a scam."),
    ("free_email", "Write to hr.outlier@gmail.com.", "Write to support@outlier.ai."),
    ("guaranteed", "A guaranteed income every week.", "Work is not guaranteed."),
    ("urgency", "Limited slots, reply now!", "Complete the exam within 7 days."),
    ("pay_too_high", "Earn $400 a day rating answers.", "The project pays $20/hour."),
]


@pytest.mark.parametrize(("sign", "shown", "harmless"), CASES)
def test_a_sign_is_found_where_shown_and_not_where_denied_warned_about_or_routed(sign, shown, harmless) -> None:
    assert sign in signs(shown), shown
    assert sign not in signs(harmless), harmless


def test_every_sign_in_the_data_is_tried_above() -> None:
    assert {s.id for s in knowledge_base().scams.signals} - {"lookalike"} <= {sign for sign, _, _ in CASES}


def test_a_message_in_a_real_platforms_name_moving_you_to_a_chat_app_is_a_scam() -> None:
    impersonator = scan("Hi, I'm a recruiter from Outlier. Contact me on WhatsApp.")
    assert [f.signal.id for f in impersonator.findings] == ["messaging"] and impersonator.is_scam
    chat = scan("Hello! Add me on WhatsApp.")  # no work, no platform: one sign, a warning but no verdict
    assert chat.findings and not chat.is_scam and chat.verdict().startswith("Be careful")


def test_pay_is_compared_with_the_highest_reported_figure_for_that_kind_of_work() -> None:
    kb = knowledge_base()
    generalist, _ = ceiling(kb, [], expert=False)
    expert, _ = ceiling(kb, [], expert=True)
    assert 0 < generalist < expert
    just_below = f"${generalist * TOO_HIGH - 1:.0f}/hour, no experience needed"
    assert "pay_too_high" not in signs(just_below)
    above = scan(f"${generalist * TOO_HIGH + 1:.0f}/hour, no experience needed")
    assert [(f.signal.id, f.high) for f in above.findings] == [("pay_too_high", False)]
    far_above = scan(f"${generalist * WAY_TOO_HIGH + 1:.0f}/hour, no experience needed")
    assert far_above.findings[0].high and far_above.is_scam
    # The same rate for expert work is within what experts are reported to earn.
    assert "pay_too_high" not in signs(f"Licensed physicians: ${generalist * WAY_TOO_HIGH + 1:.0f}/hour")


def test_a_named_platform_raises_the_bar_to_its_own_reported_figures() -> None:
    kb = knowledge_base()
    generalist, _ = ceiling(kb, [], expert=False)
    top, what = ceiling(kb, ["alignerr"], expert=False)
    assert top > generalist and what == "reported for Alignerr"
    assert "pay_too_high" not in signs(f"Alignerr: ${top:.0f}/hour")


@pytest.mark.parametrize(
    ("text", "amount", "currency", "per", "hours"),
    [
    ("earn 500-1000 USD daily for 30 minutes a day", 500, "USD", "day", 0.5),
    ("$300 a day, working 1-2 hours", 300, "USD", "day", 2),
    ("$2,000 a week for 10 hours a week", 2000, "USD", "week", 10),
    ("salary 800-1500 USD per week, 30-60 minutes a day", 800, "USD", "week", 7),
    ("Daily salary 200-500 USDT", 200, "USD", "day", 8),
    ("daily income 3000 rupees", 3000, "INR", "day", 8),
    ("£40.00/hr", 40, "GBP", "hour", 1),
    ("$40+/hour", 40, "USD", "hour", 1),
    ("300$ per day", 300, "USD", "day", 8),
    ("earn $1k daily, register within 24 hours", 1000, "USD", "day", 8),
    ],
)
def test_pay_offers_are_read_with_their_hours(text, amount, currency, per, hours) -> None:
    [offer] = offers(text)
    assert (offer.amount, offer.currency, offer.per, offer.hours) == (amount, currency, per, hours)


def test_amounts_without_a_currency_or_a_period_are_not_offers() -> None:
    assert offers("Complete 40 tasks a day, 12.5 hours in total, $50 per task, balance 1,248.60 USDT") == []


def test_an_email_address_is_not_read_as_a_look_alike_site() -> None:
    assert matcher().domains_in_text("write to outlier.support.verify@outlook.com") == ["outlook.com"]
    assert not scan("write to outlier.support.verify@outlook.com").lookalikes


def test_a_sign_has_sources_or_says_plainly_that_it_has_none() -> None:
    base = {"id": "x", "label": "X", "explain": "Y", "severity": "medium"}
    with pytest.raises(ValidationError, match="unsourced"):
        Signal(**base)
    with pytest.raises(ValidationError, match="unsourced"):
        Signal(**base, sources=["W1"], unsourced="nothing citable")
    assert Signal(**base, unsourced="nothing citable").sources == []
    unsourced = [s for s in knowledge_base().scams.signals if not s.sources]
    assert unsourced and all(s.unsourced for s in unsourced)
