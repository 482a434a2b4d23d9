"""Plain-language questions: the intent router picks the answer; the knowledge base and the crowd give it.

Statements that sound like a report ("DA is dry", "appen paid me late again") are answered with the status
or payment record and a button that records the report; nothing is recorded until the member taps it.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.errors import NotFound
from bot.core.i18n import N_, Localized, _, set_locale
from bot.core.model import Button, Invocation, Reply
from bot.features.availability.reply import all_status, platform_status
from bot.features.knowledge import answers
from bot.features.knowledge.intents import Intent, classify
from bot.features.knowledge.lookalikes import domain_reply, impersonation_reply
from bot.features.knowledge.platforms import find_platform
from bot.features.knowledge.preferences import country_and_currency
from bot.features.knowledge.topics import tax_reply, worth_it_reply
from bot.features.knowledge.wages import wages_in_force
from bot.features.languages import member_language
from bot.features.reports.kinds import PAYMENT_KINDS, label
from bot.features.reports.reliability import reliability, reliability_fields

EXAMPLES = (
    N_("is outlier legit?"),
    N_("how much does TELUS pay in the UK?"),
    N_("does dataannotation pay for the assessment?"),
    N_("when does appen pay out?"),
    N_("is DA dry right now?"),
    N_("is AI training worth it?"),
    N_("is this a scam: <paste the message>"),
)
TOPIC_WORDS = Localized({
    "legit": N_("is it legit"), "pay": N_("what it pays"), "assessment": N_("whether assessments are paid"),
    "payout": N_("when it pays out"), "wage": N_("the minimum wage"), "payment_record": N_("how it has been paying"),
    "id_check": N_("whether it checks your ID"), "countries": N_("who can join, by country"),
    "report": N_("how to record that as a report")})
NOTHING_YET = N_("Nothing is recorded until you tap.")
PAYMENT_SAID = Localized({"paid_late": N_("{name} paid you late"),
                          "payment_missing": N_("a payment from {name} is missing"),
                          "paid_on_time": N_("{name} paid you on time")})
ASK_NAMES = Localized({"legit": N_("Is {name} legit?"), "pay": N_("What {name} pays"), "status": N_("{name} status"),
                       "platform": N_("{name} profile")})


async def answer(invocation: Invocation, text: str) -> Reply:
    """Answer a plain-language message."""
    intent = classify(text)
    actor = invocation.actor
    if intent.language and await member_language(invocation.app, actor.platform, actor.user_id) is None:
        set_locale(intent.language)  # asked in Spanish or Portuguese: answered in it, unless they chose otherwise
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
        button = Button(_("Report: {kind}").format(kind=label(kind)), "report", {"platform": platform, "what": kind},
                        style="primary")
        reply.buttons = [button, *(b for b in reply.buttons if b.args.get("what") != kind)]
        reply.blocks.insert(0, _("Sounds like {said}. Tap “{button}” to add it to the payment record.").format(
            said=PAYMENT_SAID[kind].format(name=name), button=button.label) + " " + _(NOTHING_YET))
        return reply
    reply = await _status(inv, platform)
    if kind in ("drought", "tasks_back"):
        # The status already carries "Me too: no tasks" and "Tasks are back": the offer is that button, first.
        chosen = next(b for b in reply.buttons if b.args.get("what") == kind)
        others = [b for b in reply.buttons if b is not chosen]
        text = (_("Sounds like an empty queue on {name}. Tap “{button}” to add your report to the status.")
                if kind == "drought" else
                _("Sounds like tasks are back on {name}. Tap “{button}” to add your report to the status.")).format(
            name=name, button=chosen.label)
    else:
        args = {"platform": platform, "what": kind, **({"project": intent.project} if intent.project else {})}
        chosen, others = Button(_("Report: {kind}").format(kind=label(kind)), "report", args), reply.buttons
        ended = kind == "project_ended"
        if intent.project:
            text = (_("Sounds like project “{project}” ended on {name}. Tap “{button}” to record it.") if ended else
                    _("Sounds like project “{project}” was paused on {name}. Tap “{button}” to record it.")).format(
                project=intent.project, name=name, button=chosen.label)
        else:
            text = (_("Sounds like a project ended on {name}. Which one? Tap “{button}” and I'll ask for its name, "
                      "or type /report {platform} {kind} \"Project name\".") if ended else
                    _("Sounds like a project was paused on {name}. Which one? Tap “{button}” and I'll ask for its "
                      "name, or type /report {platform} {kind} \"Project name\".")).format(
                name=name, button=chosen.label, platform=platform, kind=kind)
        text += " " + _("It shows under the status for 14 days, so no one mistakes it for a drought.")
    reply.buttons = [replace(chosen, style="primary"), *(replace(b, style="secondary") for b in others)]
    reply.blocks.insert(0, f"{text} {_(NOTHING_YET)}")
    return reply


async def _payment_record(inv: Invocation, platform_id: str) -> Reply:
    """What members report about a platform's payments: on time, late, missing, x of n."""
    name = answers.platform(platform_id).name
    result = await reliability(inv.app, platform_id, inv.now)
    buttons = [Button(label(k).capitalize(), "report", {"platform": platform_id, "what": k}) for k in PAYMENT_KINDS]
    return Reply(
        title=_("Payments on {name}, as members report them").format(name=name),
        fields=reliability_fields(result, platform_id),
        buttons=[*buttons, Button(_("Is it legit?"), "legit", {"platform": platform_id})],
        footer=_("Each member counts once a week per kind. Got paid, or not? Tap to add yours.") + " "
        + _(NOTHING_YET),
    )


def _need_platform(intent: Intent) -> Reply:
    if intent.message == "wage":
        raise NotFound(_("Which country? I have sourced minimum wages for the UK, the US, Germany, Ireland and "
                         "a few more."), hint=_("Ask e.g. “what is the minimum wage in the UK?”"))
    topic = TOPIC_WORDS.get(intent.message) or _("about it")
    return Reply(
        title=_("Which platform?"),
        blocks=[_("Tell me which platform you mean and I'll tell you {topic}, e.g. “{example}”.").format(
            topic=topic, example=_(EXAMPLES[0])), _("Type /platforms to see the ones I know.")],
        buttons=[Button(_("Known platforms"), "platforms")],
        ephemeral=True,
    )


def _unknown(intent: Intent) -> Reply:
    """A question outside the knowledge base: say so plainly, then offer the closest things it can answer."""
    blocks = [_("I don't know that one: it isn't in my sourced knowledge base, and I don't guess.")]
    if intent.platform:
        name = answers.platform(intent.platform).name
        blocks.append(_("The closest things I can answer about {name}: is it legit, what it pays, when it pays "
                        "out, whether the queue is dry right now, and its full profile with known problems.").format(
            name=name))
        buttons = [Button(ASK_NAMES[c].format(name=name), c, {"platform": intent.platform})
                   for c in ("legit", "pay", "status", "platform")]
    else:
        blocks.append(_("The closest things I can answer:") + "\n" + "\n".join(f"• {_(q)}" for q in EXAMPLES)
                      + "\n• " + _("do I pay tax on this in the UK?"))
        buttons = [Button(_("Known platforms"), "platforms"), Button(_("Queue status"), "status"),
                   Button(_("Scam warning signs"), "scamcheck")]
    return Reply(title=_("I don't know that"), blocks=blocks, buttons=buttons, ephemeral=True)


def _other_language(intent: Intent) -> Reply:
    """A question in a language the bot does not speak: which ones it does, and what to ask."""
    blocks = [_("Not in that language yet: that looks like {language}, and I answer in English, Spanish (español) "
                "and Portuguese (português) so far.").format(language=intent.message),
              _("Ask in one of those, e.g. “is outlier legit?”, or use a command: /legit, /pay, /status, "
                "/scamcheck.")]
    buttons = []
    if intent.platform:
        name = answers.platform(intent.platform).name
        buttons = [Button(ASK_NAMES[c].format(name=name), c, {"platform": intent.platform})
                   for c in ("legit", "pay", "status")]
    return Reply(title=_("Not in that language yet"), blocks=blocks, buttons=buttons, ephemeral=True)


def _help() -> Reply:
    return Reply(
        title=_("Ask me about AI-training platforms"),
        blocks=[_("I answer questions like:") + "\n" + "\n".join(f"• {_(q)}" for q in EXAMPLES),
                _("Or use a command: /legit, /pay, /status, /platform, /platforms, /scamcheck. Type /help for all.")],
        buttons=[Button(_("Known platforms"), "platforms"), Button(_("Scam warning signs"), "scamcheck")],
        ephemeral=True,
    )
