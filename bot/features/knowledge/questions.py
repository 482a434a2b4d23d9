"""Plain-language questions: the intent router picks the answer; the knowledge base and the crowd give it.

Statements that sound like a report ("DA is dry", "appen paid me late again") are answered with the status
or payment record and a button that records the report; nothing is recorded until the member taps it.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.errors import NotFound
from bot.core.model import Button, Invocation, Reply
from bot.features.availability.reply import all_status, platform_status
from bot.features.knowledge import answers
from bot.features.knowledge.intents import Intent, classify
from bot.features.knowledge.lookalikes import domain_reply, impersonation_reply
from bot.features.knowledge.platforms import find_platform
from bot.features.knowledge.preferences import country_and_currency
from bot.features.knowledge.topics import tax_reply, worth_it_reply
from bot.features.knowledge.wages import wages_in_force
from bot.features.reports.kinds import PAYMENT_KINDS, label
from bot.features.reports.reliability import reliability, reliability_fields

EXAMPLES = (
    "is outlier legit?",
    "how much does TELUS pay in the UK?",
    "does dataannotation pay for the assessment?",
    "when does appen pay out?",
    "is DA dry right now?",
    "is AI training worth it?",
    "is this a scam: <paste the message>",
)
TOPIC_WORDS = {"legit": "is it legit", "pay": "what it pays", "assessment": "whether assessments are paid",
               "payout": "when it pays out", "wage": "the minimum wage", "payment_record": "how it has been paying",
               "id_check": "whether it checks your ID", "countries": "who can join, by country",
               "report": "how to record that as a report"}
NOTHING_YET = "Nothing is recorded until you tap."
PAYMENT_SAID = {"paid_late": "{name} paid you late", "payment_missing": "a payment from {name} is missing",
                "paid_on_time": "{name} paid you on time"}
ASK_NAMES = {"legit": "Is {name} legit?", "pay": "What {name} pays", "status": "{name} status",
             "platform": "{name} profile"}


async def answer(invocation: Invocation, text: str) -> Reply:
    """Answer a plain-language message."""
    intent = classify(text)
    kind = intent.kind
    if kind == "other_language":
        return _other_language(intent)
    if kind == "scamcheck":
        return answers.scamcheck_reply(intent.message)
    if kind == "scam_signs":
        return answers.scam_signs_reply()
    if kind == "platforms":
        return answers.platforms_reply()
    if kind == "unknown_name":
        found = find_platform(invocation.app, intent.message, command="legit")  # raises NotFound when unknown
        return await answers.legit_reply(invocation, found.id)
    if kind == "wage":
        country, currency = await country_and_currency(invocation, intent.country)
        day = invocation.now.date()
        local = [w.currency for w in wages_in_force(country or "", day)]
        return answers.wage_reply(country or "", day, currency, invocation.app.fx.table(currency, *local))
    if kind == "tax":
        country, _currency = await country_and_currency(invocation, intent.country)
        return tax_reply(country)
    if kind == "worth_it":
        return worth_it_reply(intent.platform)
    if kind == "domain":
        return domain_reply(intent.domain, intent.platform)
    if kind == "status" and intent.platform is None:
        return await all_status(invocation.app, invocation.now)
    if kind == "need_platform":
        return _need_platform(intent)
    if kind == "unknown":
        return _unknown(intent)
    if intent.platform is None:
        return _help()
    return await _about_platform(invocation, intent)


async def _about_platform(inv: Invocation, intent: Intent) -> Reply:
    platform = intent.platform or ""
    kind = intent.kind
    if kind == "status":
        return _also(await _status(inv, platform), intent, "status")
    if kind == "report":
        return await _report_offer(inv, intent)
    if kind == "payment_record":
        return await _payment_record(inv, platform)
    if kind == "impersonation":
        return impersonation_reply(platform)
    if kind == "legit":
        return _also(await answers.legit_reply(inv, platform), intent, "legit")
    if kind == "pay":
        country, currency = await country_and_currency(inv, intent.country)
        return _also(await answers.pay_reply(inv, platform, intent.role, country, currency), intent, "pay")
    if kind in ("assessment", "payout", "id_check", "countries"):
        return answers.topic_reply(platform, kind)
    return answers.profile_reply(platform)


async def _status(inv: Invocation, platform_id: str) -> Reply:
    return await platform_status(inv.app, platform_id, answers.platform(platform_id).name, inv.now,
                                 inv.place.community_key)


def _also(reply: Reply, intent: Intent, command: str) -> Reply:
    """Buttons asking the same about the other platforms a question named ("DA or outlier?")."""
    for other in intent.also[:3]:
        name = answers.platform(other).name
        reply.buttons.append(Button(ASK_NAMES[command].format(name=name), command, {"platform": other}))
    return reply


async def _report_offer(inv: Invocation, intent: Intent) -> Reply:
    """The status (or payment record) with a one-tap button that records what the member said."""
    platform = intent.platform or ""
    kind = intent.report or "drought"
    name = answers.platform(platform).name
    if kind in PAYMENT_KINDS:
        reply = await _payment_record(inv, platform)
        button = Button(f"Report: {label(kind)}", "report", {"platform": platform, "what": kind}, style="primary")
        reply.buttons = [button, *(b for b in reply.buttons if b.args.get("what") != kind)]
        reply.blocks.insert(0, f"Sounds like {PAYMENT_SAID[kind].format(name=name)}. Tap “{button.label}” to add it "
                               f"to the payment record. {NOTHING_YET}")
        return reply
    reply = await _status(inv, platform)
    if kind in ("drought", "tasks_back"):
        # The status already carries "Me too: no tasks" and "Tasks are back": the offer is that button, first.
        chosen = next(b for b in reply.buttons if b.args.get("what") == kind)
        others = [b for b in reply.buttons if b is not chosen]
        said = "an empty queue" if kind == "drought" else "tasks are back"
        text = f"Sounds like {said} on {name}. Tap “{chosen.label}” to add your report to the status."
    else:
        args = {"platform": platform, "what": kind, **({"project": intent.project} if intent.project else {})}
        chosen, others = Button(f"Report: {label(kind)}", "report", args), reply.buttons
        done = "ended" if kind == "project_ended" else "was paused"
        if intent.project:
            text = f"Sounds like project “{intent.project}” {done} on {name}. Tap “{chosen.label}” to record it."
        else:
            text = (f"Sounds like a project {done} on {name}. Which one? Tap “{chosen.label}” and I'll ask for its "
                    f"name, or type /report {platform} {kind} \"Project name\".")
        text += " It shows under the status for 14 days, so no one mistakes it for a drought."
    reply.buttons = [replace(chosen, style="primary"), *(replace(b, style="secondary") for b in others)]
    reply.blocks.insert(0, f"{text} {NOTHING_YET}")
    return reply


async def _payment_record(inv: Invocation, platform_id: str) -> Reply:
    """What members report about a platform's payments: on time, late, missing, x of n."""
    name = answers.platform(platform_id).name
    result = await reliability(inv.app, platform_id, inv.now)
    buttons = [Button(label(k).capitalize(), "report", {"platform": platform_id, "what": k}) for k in PAYMENT_KINDS]
    return Reply(
        title=f"Payments on {name}, as members report them",
        fields=reliability_fields(result, platform_id),
        buttons=[*buttons, Button("Is it legit?", "legit", {"platform": platform_id})],
        footer=f"Each member counts once a week per kind. Got paid, or not? Tap to add yours. {NOTHING_YET}",
    )


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


def _unknown(intent: Intent) -> Reply:
    """A question outside the knowledge base: say so plainly, then offer the closest things it can answer."""
    blocks = ["I don't know that one: it isn't in my sourced knowledge base, and I don't guess."]
    if intent.platform:
        name = answers.platform(intent.platform).name
        blocks.append(f"The closest things I can answer about {name}: is it legit, what it pays, when it pays "
                      "out, whether the queue is dry right now, and its full profile with known problems.")
        buttons = [Button(ASK_NAMES[c].format(name=name), c, {"platform": intent.platform})
                   for c in ("legit", "pay", "status", "platform")]
    else:
        blocks.append("The closest things I can answer:\n" + "\n".join(f"• {q}" for q in EXAMPLES)
                      + "\n• do I pay tax on this in the UK?")
        buttons = [Button("Known platforms", "platforms"), Button("Queue status", "status"),
                   Button("Scam warning signs", "scamcheck")]
    return Reply(title="I don't know that", blocks=blocks, buttons=buttons, ephemeral=True)


def _other_language(intent: Intent) -> Reply:
    """A question in another language: English only for now, and what to ask in English."""
    blocks = [f"English only for now: that looks like {intent.message}, and I can only answer in English so far.",
              "Ask in English, e.g. “is outlier legit?”, or use a command: /legit, /pay, /status, /scamcheck."]
    buttons = []
    if intent.platform:
        name = answers.platform(intent.platform).name
        buttons = [Button(ASK_NAMES[c].format(name=name), c, {"platform": intent.platform})
                   for c in ("legit", "pay", "status")]
    return Reply(title="English only for now", blocks=blocks, buttons=buttons, ephemeral=True)


def _help() -> Reply:
    return Reply(
        title="Ask me about AI-training platforms",
        blocks=["I answer questions like:\n" + "\n".join(f"• {q}" for q in EXAMPLES),
                "Or use a command: /legit, /pay, /status, /platform, /platforms, /scamcheck. Type /help for all."],
        buttons=[Button("Known platforms", "platforms"), Button("Scam warning signs", "scamcheck")],
        ephemeral=True,
    )
