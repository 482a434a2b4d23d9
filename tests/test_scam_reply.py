"""/scamcheck's reply: the issue's examples end to end, every sign found is shown, and the reply stays within
one Telegram message and one Discord embed however many signs a message shows."""

from __future__ import annotations

from bot.adapters.discord.render import build_embed
from bot.adapters.telegram.render import MESSAGE_LIMIT
from bot.adapters.telegram.render import render as telegram_render
from bot.core.model import Reply
from bot.features.knowledge.answers import scamcheck_reply
from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.render import TOTAL_LIMIT
from bot.features.knowledge.scams import scan
from tests.discord_fake import message_problems, shown
from tests.test_scam_signs import ISSUE_DAILY_PAY, ISSUE_ID_HARVEST

# Every sign at once, with the longest evidence the quoting allows, several platforms and text to escape.
EVERYTHING = (
    "URGENT <b>&</b>: I am Anna from DataAnnotation, Outlier, Mercor, Appen, TELUS and Prolific, write to "
    "anna.da@gmail.com or add me on WhatsApp. Apply at dataannotation.cc or data-annotation.org. "
    "Guaranteed income: earn 500-1000 USD daily for 30 minutes a day. Please send, as soon as you can & without "
    "delay, a clear colour photo of your passport and a selfie. Send me your online banking password too. "
    "Also a photo of your debit card. Pay the 30 USD training fee, then deposit 100 USDT to unlock your tasks. "
    "Purchase a laptop from our supplier. Buy a Steam gift card and send me the code. Complete the task set to "
    "earn commission."
)


def _lines_shown(reply: Reply) -> list[str]:
    return [line for f in reply.fields if f.name.startswith(("Warning signs found", "More warning signs"))
            for line in f.value.splitlines()]


async def test_the_issue_examples_are_called_scams_through_the_command(app, member, private) -> None:
    for message, sign in ((ISSUE_ID_HARVEST, "Asks you to send ID"), (ISSUE_DAILY_PAY, "Pay far above")):
        reply = await app.dispatcher.dispatch_line(f"/scamcheck {message}", member, private)
        assert reply.blocks[0].startswith("This message shows the signs of a task scam"), reply.plain_text()
        assert "Warning signs found (1)" in reply.plain_text() and sign in reply.plain_text()


def test_every_sign_found_is_shown_within_every_platform_limit() -> None:
    assert len(EVERYTHING) <= 2000  # /scamcheck's message limit
    found = scan(EVERYTHING).findings
    assert {f.signal.id for f in found} == {s.id for s in knowledge_base().scams.signals}
    reply = scamcheck_reply(EVERYTHING)
    assert f"Warning signs found ({len(found)})" in [f.name for f in reply.fields]
    assert len(_lines_shown(reply)) == len(found)
    assert len(reply.plain_text()) <= TOTAL_LIMIT
    [message] = telegram_render(reply).messages
    assert len(message) <= MESSAGE_LIMIT
    embed = build_embed(reply)
    assert message_problems({"embeds": [embed.to_dict()]}) == []
    shown_fields = [(shown(f.name), shown(f.value)) for f in embed.fields]  # as a person reads them
    assert shown_fields == [(f.name, f.value) for f in reply.fields]  # nothing cut


def test_a_few_signs_keep_their_explanations_and_an_unsourced_one_says_so() -> None:
    reply = scamcheck_reply("URGENT: send a photo of your passport to this number")
    text = reply.plain_text()
    assert "Real platforms check ID inside their own site or app" in text
    urgency = next(s for s in knowledge_base().scams.signals if s.id == "urgency")
    assert not urgency.sources and f"(Unsourced: {urgency.unsourced}.)" in text


def test_a_clean_message_says_no_sign_was_found_and_proves_nothing() -> None:
    reply = scamcheck_reply("Welcome to Outlier! Please verify your identity on our site before you start tasking.")
    assert reply.blocks[0].startswith("I found none of the usual warning signs")
    assert "Warning signs found (0)" in [f.name for f in reply.fields]
