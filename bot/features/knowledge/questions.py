"""Plain-language questions: the intent matcher picks the answer, the knowledge base gives it."""

from __future__ import annotations

from bot.core.errors import NotFound
from bot.core.model import Button, Invocation, Reply
from bot.features.knowledge import answers
from bot.features.knowledge.intents import Intent, classify
from bot.features.knowledge.platforms import find_platform
from bot.features.knowledge.preferences import country_and_currency

EXAMPLES = (
    "is outlier legit?",
    "how much does TELUS pay in the UK?",
    "does dataannotation pay for the assessment?",
    "when does appen pay out?",
    "is this a scam: <paste the message>",
)
TOPIC_WORDS = {"legit": "is it legit", "pay": "what it pays", "assessment": "whether assessments are paid",
               "payout": "when it pays out", "wage": "the minimum wage"}


async def answer(invocation: Invocation, text: str) -> Reply:
    """Answer a plain-language message."""
    intent = classify(text)
    if intent.kind == "scamcheck":
        return answers.scamcheck_reply(intent.message)
    if intent.kind == "scam_signs":
        return answers.scam_signs_reply()
    if intent.kind == "platforms":
        return answers.platforms_reply()
    if intent.kind == "unknown_name":
        found = find_platform(invocation.app, intent.message, command="legit")  # raises NotFound when unknown
        return await answers.legit_reply(invocation, found.id)
    if intent.kind == "wage":
        country, currency = await country_and_currency(invocation, intent.country)
        return answers.wage_reply(country or "", invocation.now.date(), currency)
    if intent.kind == "need_platform":
        return _need_platform(intent)
    if intent.platform is None:
        return _help()
    return await _about_platform(invocation, intent)


async def _about_platform(invocation: Invocation, intent: Intent) -> Reply:
    platform = intent.platform or ""
    if intent.kind == "legit":
        return await answers.legit_reply(invocation, platform)
    if intent.kind == "pay":
        country, currency = await country_and_currency(invocation, intent.country)
        return await answers.pay_reply(invocation, platform, intent.role, country, currency)
    if intent.kind in ("assessment", "payout"):
        return answers.topic_reply(platform, intent.kind)
    return answers.profile_reply(platform)


def _need_platform(intent: Intent) -> Reply:
    if intent.message == "wage":
        raise NotFound("Which country? I have sourced minimum wages for the UK, the US, Germany, Ireland and "
                       "a few more.", hint="Ask e.g. “what is the minimum wage in the UK?”")
    topic = TOPIC_WORDS.get(intent.message, "about it")
    return Reply(
        title="Which platform?",
        blocks=[f"Tell me which platform you mean and I'll tell you {topic}, e.g. “{EXAMPLES[0]}”.",
                "Type /platforms to see the ones I know."],
        buttons=[Button("Known platforms", "platforms")],
        ephemeral=True,
    )


def _help() -> Reply:
    return Reply(
        title="Ask me about AI-training platforms",
        blocks=["I answer questions like:\n" + "\n".join(f"• {q}" for q in EXAMPLES),
                "Or use a command: /legit, /pay, /platform, /platforms, /scamcheck. Type /help for all."],
        buttons=[Button("Known platforms", "platforms"), Button("Scam warning signs", "scamcheck")],
        ephemeral=True,
    )
