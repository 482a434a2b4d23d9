"""The answers: profile, legitimacy, pay, one topic, scam signs and scam check, built from the knowledge base.

Crowd data joins /pay and /legit through `app.pay_sections` and `app.legit_sections` (wired in
bot/wiring.py): async functions `section(invocation, platform_id, **context) -> list[Field | str]` whose Fields
and text blocks are appended after the knowledge-base facts (this module never imports the features behind them).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import date

from bot.core.i18n import N_, SOURCE, Localized, _, current
from bot.core.i18n import number as format_number
from bot.core.model import Button, Field, Invocation, Reply
from bot.core.plural import plural
from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.models import (
    CATEGORY_LABELS,
    CATEGORY_MEANINGS,
    TOPIC_LABELS,
    Gap,
    PayRange,
    PlatformInfo,
    RateTable,
    Wage,
    format_date,
)
from bot.features.knowledge.money import convert, covers, format_money, format_range, rates, rates_note
from bot.features.knowledge.render import BRIEF_BODY_LIMIT, FIELD_LIMIT, Answer, Line, Section, render
from bot.features.knowledge.scam_lines import findings_sections
from bot.features.knowledge.scams import scan
from bot.features.knowledge.wages import next_change, wages_in_force

log = logging.getLogger(__name__)

ExtraSection = Callable[..., Awaitable[list[Field | str]]]

ROLE_LABELS = Localized({"any": N_("Any role"), "generalist": N_("Generalist"), "specialist": N_("Specialist"),
                         "expert": N_("Expert"), "reviewer": N_("Reviewer")})
UNIT_SUFFIX = Localized({"hour": N_("/h"), "task": N_(" per task"), "day": N_(" a day"), "month": N_(" a month")})
# The order topics are drawn from for the 4-6 facts that lead an answer (the first fact of each, then the second...).
LEGIT_TOPICS = ("problems", "payout", "owner", "id_check", "assessment", "countries", "pay", "roles", "history")
PROFILE_TOPICS = ("owner", "roles", "pay", "payout", "assessment", "id_check", "countries", "problems", "history")
MAX_FACTS = 6
EXAMPLE_UNPAID_HOURS, EXAMPLE_PAID_HOURS = 10, 40
TOPIC_QUESTIONS = Localized({"payout": N_("How and when {name} pays"), "id_check": N_("Does {name} check your ID?"),
                             "countries": N_("Who can work for {name}, by country")})
MORE = N_("The legit-or-scam checklist and every source: the buttons below (/scamcheck, /sources).")
LEADS = Localized({
    "established": N_("{name} is an established, real platform."),
    "legit_with_risks": N_("{name} is a real platform: legit, with risks."),
    "caution": N_("{name} is a real platform, but be cautious."),
    "unknown": N_("I can't categorise {name} yet: too few sourced facts."),
})


def platform(platform_id: str) -> PlatformInfo:
    """The knowledge-base entry of a platform id."""
    return knowledge_base().platforms[platform_id]


_GAP = re.compile(r"^(?P<what>.+?):\s*nothing citable found(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)


def gap_text(gap: Gap) -> str:
    """A known gap as one plain sentence under its topic's heading: "ID verification: nothing citable found."
    reads "Nothing citable found on ID verification." rather than "Unknown: ID verification: nothing ..."."""
    found = _GAP.match(gap.note.strip())
    if found is None:
        return _("Unknown: {note}").format(note=gap.note)
    what, rest = found["what"].strip(), found["rest"].strip().rstrip(".")
    first = what.split()[0]
    if not first.isupper():  # "Payout method" -> "payout method", but "ID checks" stays
        what = what[0].lower() + what[1:]
    if current() != SOURCE:  # the gap's wording is the knowledge base's (English): quoted as it is
        return _("Nothing citable found: {what}").format(what=gap.note.strip())
    return f"Nothing citable found on {what}{' ' + rest if rest else ''}."


def topic_lines(info: PlatformInfo, topic: str) -> list[Line]:
    """A topic's facts with their sources, then its known gaps, stated as unknown."""
    lines = [Line(fact.text, tuple(fact.sources)) for fact in info.facts_about(topic)]
    lines += [Line(gap_text(gap)) for gap in info.gaps_about(topic)]
    return lines


def _buttons(platform_id: str, *skip: str) -> list[Button]:
    options = [Button(_("Is it legit?"), "legit", {"platform": platform_id}),
               Button(_("What does it pay?"), "pay", {"platform": platform_id}),
               Button(_("Full profile"), "platform", {"platform": platform_id}),
               Button(_("Scam checklist"), "scamcheck"),
               Button(_("All sources"), "sources", {"platform": platform_id})]
    return [b for b in options if b.command not in skip]


def deciding_lines(info: PlatformInfo, topics: tuple[str, ...], limit: int = MAX_FACTS) -> list[Line]:
    """Up to `limit` sourced facts, each labelled with its topic: the first fact of each topic in the given
    order, then the second of each, and so on (a profile's "pay" topic starts with the reported figures)."""
    by_topic = {t: [Line(f"{TOPIC_LABELS[t]}: {f.text}", tuple(f.sources)) for f in info.facts_about(t)]
                for t in topics}
    if "pay" in topics and topics is PROFILE_TOPICS:
        by_topic["pay"][:0] = [Line(_("Reported pay: {figure}").format(figure=_pay_text(p, None)), tuple(p.sources))
                               for p in info.pay]
    chosen: list[Line] = []
    depth = 0
    while len(chosen) < limit and any(len(lines) > depth for lines in by_topic.values()):
        chosen += [lines[depth] for lines in by_topic.values() if len(lines) > depth][:limit - len(chosen)]
        depth += 1
    return chosen


def unknown_section(info: PlatformInfo, topics: tuple[str, ...]) -> list[Section]:
    """The topics the research found nothing citable on, stated as unknown (trimmed first when space is short)."""
    lines = [Line(f"{TOPIC_LABELS[topic]}: {gap_text(gap)}") for topic in topics for gap in info.gaps_about(topic)]
    return [Section(_("Gaps in the record"), lines, rank=1)] if lines else []


def _cap_sourced(sections: list[Section], limit: int = MAX_FACTS) -> None:
    """Drop sourced lines (the last of the highest-ranked section first) until at most `limit` are left."""
    def sourced(section: Section) -> list[Line]:
        return [line for line in section.lines if line.sources]
    while sum(len(sourced(s)) for s in sections) > limit:
        section = max((s for s in sections if len(sourced(s)) > 1 and not s.keep), key=lambda s: s.rank)
        section.lines.remove(sourced(section)[-1])


async def _extra(builders: Sequence[ExtraSection], inv: Invocation, platform_id: str,
                 **context: object) -> list[Section]:
    """Run the registered extra-section builders; one that fails is logged and left out."""
    sections: list[Section] = []
    for builder in builders:
        try:
            parts = await builder(inv, platform_id, **context)
        except Exception:
            log.exception("extra section %r failed for %s", getattr(builder, "__name__", builder), platform_id)
            continue
        for part in parts:
            if isinstance(part, Field):
                sections.append(Section(part.name, [Line(part.value)], keep=True))
            else:
                sections.append(Section(_("From community reports"), [Line(str(part))], keep=True))
    return sections


def _related(info: PlatformInfo) -> list[Line]:
    if not info.related:
        return []
    names = ", ".join(platform(r).name for r in info.related)
    return [Line(_("See also: {names} (where the work and pay happen).").format(names=names))]


def platforms_reply() -> Reply:
    """Every known platform, grouped by category."""
    kb = knowledge_base()
    fields = []
    for category, label in CATEGORY_LABELS.items():
        names = [p.name for p in kb.platforms.values() if p.category == category]
        if names:
            fields.append(Field(f"{label} ({len(names)})", ", ".join(names)))
    meanings = "\n".join(f"{CATEGORY_LABELS[c]}: {m}." for c, m in CATEGORY_MEANINGS.items())
    return Reply(
        title=_("Platforms I know ({count})").format(count=format_number(len(kb.platforms))),
        blocks=[meanings, _("No named platform is labelled a scam: /scamcheck lists the patterns scams follow.")],
        fields=fields,
        footer=_("Try /platform <name>, /legit <name> or /pay <name>."),
    )


def profile_reply(platform_id: str) -> Reply:
    """A platform's profile: its category, then one sourced fact per topic (up to six); every source is behind
    the "All sources" button."""
    info = platform(platform_id)
    lead = [Line(f"{CATEGORY_LABELS[info.category]}: {info.category_basis}"), *_related(info)]
    facts = Section(_("Key facts"), deciding_lines(info, PROFILE_TOPICS), min_lines=4)
    sections = [facts, *unknown_section(info, PROFILE_TOPICS)]
    also = _("Also known as: {names}.").format(names=", ".join(info.aliases) or _("no other names"))
    return render(Answer(_("{name} — profile").format(name=info.name), lead, sections,
                         buttons=_buttons(platform_id, "platform"), note=f"{also} {_(MORE)}"),
                  body_limit=BRIEF_BODY_LIMIT)


def checklist_lines(only: tuple[int, ...] | None = None) -> list[Line]:
    """The checklist that tells a legit-but-harsh platform from a scam (optionally only some items, 0-based)."""
    items = knowledge_base().scams.checklist
    chosen = [items[i] for i in only if i < len(items)] if only else items
    return [Line(f"{n}. {item.text}", tuple(item.sources)) for n, item in enumerate(chosen, start=1)]


async def legit_reply(inv: Invocation, platform_id: str) -> Reply:
    """Is a platform legit: the verdict, then the 4-6 sourced facts that decide it; the scam checklist and every
    source are behind buttons."""
    info = platform(platform_id)
    lead = [
        Line(LEADS[info.category].format(name=info.name) + " " + info.category_basis),
        Line(_("Category: {label} ({meaning}).").format(label=CATEGORY_LABELS[info.category],
                                                        meaning=CATEGORY_MEANINGS[info.category])),
        *_related(info),
    ]
    sections = [Section(_("What decides it"), deciding_lines(info, LEGIT_TOPICS), min_lines=4),
                *unknown_section(info, LEGIT_TOPICS[:5])]
    sections += await _extra(inv.app.legit_sections, inv, platform_id)
    title = _("Is {name} legit? {category}").format(name=info.name, category=CATEGORY_LABELS[info.category])
    return render(Answer(title, lead, sections, buttons=_buttons(platform_id, "legit"), note=_(MORE)),
                  body_limit=BRIEF_BODY_LIMIT)


def sources_reply(platform_id: str) -> Reply:
    """Every source the knowledge base holds on a platform: URL, date, kind and the topics it backs."""
    kb = knowledge_base()
    info = platform(platform_id)
    backs: dict[str, list[str]] = {}
    for item, label in [*((f, TOPIC_LABELS[f.topic]) for f in info.facts), *((p, _("Reported pay")) for p in info.pay)]:
        for source_id in item.sources:
            topics = backs.setdefault(source_id, [])
            if label not in topics:
                topics.append(label)
    lines = []
    for number, (source_id, topics) in enumerate(backs.items(), start=1):
        source = kb.source(source_id)
        lines.append(f"[{number}] {source.url} ({format_date(source.date)}, {source.kind_label}): "
                     f"{', '.join(topics)}")
    fields: list[Field] = []
    for line in lines:
        if fields and len(fields[-1].value) + len(line) + 1 <= FIELD_LIMIT:
            fields[-1] = Field(fields[-1].name, fields[-1].value + "\n" + line)
        else:
            fields.append(Field(_("Sources") if not fields else _("Sources (continued)"), line))
    return Reply(title=_("{name}: all sources ({count})").format(name=info.name, count=format_number(len(lines))),
                 blocks=[_("Every source behind what I know about {name}, with its date, its kind and what it "
                           "backs. A forum or SEO page alone is weak evidence.").format(name=info.name)],
                 fields=fields, buttons=_buttons(platform_id, "sources"))


def topic_reply(platform_id: str, topic: str) -> Reply:
    """One topic about a platform (assessments, payouts, ID checks, countries), answer first."""
    info = platform(platform_id)
    lines = topic_lines(info, topic)
    if topic == "assessment":
        title = _("Does {name} pay for assessments and onboarding?").format(name=info.name)
        unpaid = any("unpaid" in f.text.lower() for f in info.facts_about(topic))
        answer = (_("Reported as unpaid.") if unpaid else
                  _("Unknown: nothing citable says whether they are paid.") if info.gaps_about(topic) else
                  _("Here is what is sourced."))
    else:
        title = TOPIC_QUESTIONS.get(topic, "{name}: " + TOPIC_LABELS[topic]).format(name=info.name)
        answer = _("Here is what is sourced.") if info.facts_about(topic) else _("Unknown: nothing citable found.")
    if not lines:
        lines = [Line(_("Nothing sourced on this yet."))]
    return render(Answer(title, [Line(answer)], [Section(TOPIC_LABELS[topic], lines)],
                         buttons=_buttons(platform_id)))


def pay_note(pay: PayRange) -> str:
    """A figure's note as it follows the figure: without the figure again ("up to US$50/h (Reuters)" after
    "up to US$50/h" is just "(Reuters)"), with its separator; "" when there is nothing more to say."""
    figure = f"{format_range(pay.low, pay.high, pay.currency)}{UNIT_SUFFIX[pay.unit]}"
    restated = re.compile(rf"[,;:—-]?\s*(?:about |around |roughly )?{re.escape(figure)}", re.IGNORECASE)
    note = restated.sub("", pay.note).strip(" ,;:—-")
    if not note:
        return ""
    return f" {note}" if note.startswith("(") else f": {note}"


def _pay_text(pay: PayRange, currency: str | None, table: RateTable | None = None) -> str:
    """One reported figure: role, range, converted range (when the table has both currencies), note."""
    text = f"{ROLE_LABELS[pay.role]}: {format_range(pay.low, pay.high, pay.currency)}{UNIT_SUFFIX[pay.unit]}"
    if currency and currency != pay.currency and covers(table, pay.currency, currency):
        low = convert(pay.low, pay.currency, currency, table) if pay.low is not None else None
        high = convert(pay.high, pay.currency, currency, table) if pay.high is not None else None
        text += f" (≈ {format_range(low, high, currency)})"
    if pay.country:
        text += f", {knowledge_base().countries[pay.country].name}"
    return text + pay_note(pay) + "."


def _below(pay: PayRange, wage: Wage | None, table: RateTable | None = None) -> str:
    if wage is None or wage.none or wage.unit != "hour" or pay.unit != "hour" or wage.amount is None:
        return ""
    if not covers(table, pay.currency, wage.currency):
        return ""
    ends = [convert(v, pay.currency, wage.currency or "USD", table) for v in (pay.low, pay.high) if v is not None]
    if max(ends) < wage.amount:
        return " " + _("Below the minimum wage.")
    if min(ends) < wage.amount and pay.low is not None:
        return " " + _("The low end is below the minimum wage.")
    return ""


def wage_converts(wage: Wage, currency: str | None, table: RateTable | None = None) -> bool:
    """True when a wage is shown converted into `currency` by the table (both have a rate)."""
    return (bool(currency and wage.currency and wage.amount and currency != wage.currency)
            and covers(table, wage.currency, currency))


def wage_lines(country: str, day: date, currency: str | None, table: RateTable | None = None,
               groups: int | None = None) -> list[Line]:
    """The minimum wages in force in a country on a day (the first `groups` of them, if given), converted where
    the table allows, with the next known change; a currency no table has stays as it is, with the sourced
    reason."""
    kb = knowledge_base()
    name = kb.countries[country].name
    wages = wages_in_force(country, day)[:groups]
    if not wages:
        return [Line(_("No sourced minimum wage for {country}.").format(country=name))]
    lines = []
    unconverted: set[str] = set()
    for wage in wages:
        if wage.none:
            lines.append(Line(_("{country} has no statutory national minimum wage.").format(country=name),
                              tuple(wage.sources)))
            continue
        if wage.pending:
            lines.append(Line(_("{group}: not fixed yet (since {date})").format(group=wage.group,
                                                                                date=wage.effective_label)
                              + (f"; {wage.note}" if wage.note else "") + ".", tuple(wage.sources)))
            continue
        amount = format_money(wage.amount or 0, wage.currency or "USD", exact=True)
        text = _("{group}: {amount} since {date}").format(group=wage.group, amount=amount + UNIT_SUFFIX[wage.unit],
                                                          date=wage.effective_label)
        if wage_converts(wage, currency, table):
            local = convert(wage.amount or 0, wage.currency or "", currency or "", table)
            text += f" (≈ {format_money(local, currency or '')})"
        elif currency and wage.currency and currency != wage.currency:
            unconverted.add(wage.currency)
        lines.append(Line(text + (f"; {wage.note}" if wage.note else "") + ".", tuple(wage.sources)))
    upcoming = next_change(country, day)
    if upcoming and upcoming.amount:
        lines.append(Line(_("Next: {amount} from {date}.").format(
            amount=format_money(upcoming.amount, upcoming.currency or "USD", exact=True) + UNIT_SUFFIX[upcoming.unit],
            date=upcoming.effective_label),
                          tuple(upcoming.sources)))
    lines += [Line(note.text, tuple(note.sources)) for note in kb.rates.notes if unconverted & set(note.currencies)]
    return lines


def _effective_rate_lines(info: PlatformInfo, hourly: list[PayRange]) -> list[Line]:
    lines = [Line(_("Unpaid assessments and onboarding lower your effective hourly rate: count those hours too."))]
    if hourly:
        top = hourly[0]
        rate = top.high if top.high is not None else top.low or 0
        effective = rate * EXAMPLE_PAID_HOURS / (EXAMPLE_PAID_HOURS + EXAMPLE_UNPAID_HOURS)
        lines.append(Line(_("Example: {unpaid} unpaid hours before {paid} paid hours at {rate}/h is {effective}/h.")
                          .format(unpaid=EXAMPLE_UNPAID_HOURS, paid=EXAMPLE_PAID_HOURS,
                                  rate=format_money(rate, top.currency),
                                  effective=format_money(effective, top.currency))))
    return lines + [Line(f.text, tuple(f.sources)) for f in info.facts_about("assessment")
                    if "unpaid" in f.text.lower()]


async def pay_reply(inv: Invocation, platform_id: str, role: str | None, country: str | None,
                    currency: str) -> Reply:
    """Reported pay ranges, converted, beside the minimum wage of the country, and the unpaid-hours effect."""
    kb = knowledge_base()
    info = platform(platform_id)
    day = inv.now.date()
    figures = [p for p in info.pay if role in (None, "any") or p.role in (role, "any")]
    figures.sort(key=lambda p: (p.country not in (None, country), p.unit != "hour"))
    country_wages = wages_in_force(country, day) if country else []
    main_wage = next(iter(country_wages), None)
    hourly = [p for p in figures if p.unit == "hour"]
    if hourly:
        first = hourly[0]
        answer = _("Reported: {range}/h{note}, among {figures} below.").format(
            range=format_range(first.low, first.high, first.currency), note=pay_note(first),
            figures=plural(len(figures), "dated figure", "dated figures"))
    elif figures:
        answer = _("No hourly figure is reported; per-task figures are below.")
    else:
        answer = (_("No sourced pay figure for the role {role}.").format(role=ROLE_LABELS[role]) if role
                  else _("No sourced pay figure."))
        if role and current() == SOURCE:
            answer = f"No sourced pay figure for {ROLE_LABELS[role].lower()}s."
    lead = [Line(answer), *_related(info),
            Line(_("These are reported figures at a point in time, not current rates; most platforms pay per "
                   "project."))]
    table = inv.app.fx.table(currency, *(p.currency for p in figures), *(w.currency for w in country_wages))
    pay_lines = [Line(_pay_text(p, currency, table) + _below(p, main_wage, table), tuple(p.sources)) for p in figures]
    pay_lines += topic_lines(info, "pay")
    sections = [Section(_("Reported pay"), pay_lines, rank=-1, min_lines=2)]
    if country:
        sections.append(Section(_("Minimum wage, {country}").format(country=kb.countries[country].name),
                                wage_lines(country, day, currency, table, groups=1), min_lines=1))
    sections.append(Section(_("Unpaid hours"), _effective_rate_lines(info, hourly), rank=1, min_lines=1))
    _cap_sourced(sections)
    sections += await _extra(inv.app.pay_sections, inv, platform_id, role=role, country=country, currency=currency)
    converted = any(currency != p.currency and covers(table, p.currency, currency) for p in figures) or any(
        wage_converts(w, currency, table) for w in country_wages)
    note = rates_note(table) if converted else ""
    if not country:
        note += " " + _("Add a country (or save one with /settings) to compare with its minimum wage.")
    return render(Answer(_("What {name} pays (reported)").format(name=info.name), lead, sections,
                         buttons=_buttons(platform_id, "pay"), note=(note + " " + _(MORE)).strip()),
                  body_limit=BRIEF_BODY_LIMIT)


def wage_reply(country: str, day: date, currency: str | None, table: RateTable | None = None) -> Reply:
    """The minimum wage in force in a country today, converted by `table` (pass the app's `fx.table(...)`;
    the shipped table if None), with the date of the rates used."""
    name = knowledge_base().countries[country].name
    table = table or rates()
    converted = any(wage_converts(w, currency, table) for w in wages_in_force(country, day))
    return render(Answer(_("Minimum wage in {country}").format(country=name), [],
                         [Section(_("In force on {date}").format(date=format_date(day.isoformat())),
                                  wage_lines(country, day, currency, table))],
                         note=rates_note(table) if converted else None))


def scam_signs_reply() -> Reply:
    """The task-scam warning signs and the legit-vs-scam checklist (FTC guidance)."""
    background = [Line(item.text, tuple(item.sources)) for item in knowledge_base().scams.facts]
    return render(Answer(
        _("Task-scam warning signs"),
        [Line(_("Real platforms pay you; they never ask you to pay. Check any offer against this list."))],
        [Section(_("Checklist"), checklist_lines(), keep=True),
         Section(_("What task scams look like"), background)],
        note=_("Paste a recruiter message after /scamcheck and I'll check it for these signs."),
    ))


def scamcheck_reply(message: str) -> Reply:
    """Which warning signs a pasted message shows, and a plain verdict on them."""
    kb = knowledge_base()
    report = scan(message)
    lead = [Line(report.verdict())]
    notes = []
    for pid in report.platforms:
        info = kb.platforms[pid]
        where = " " + _("Contact it only through {domains}.").format(domains=", ".join(info.domains)) \
            if info.domains else ""
        if report.findings:
            notes.append(Line(_("{name} is a real platform; scammers impersonate real platforms.").format(
                name=info.name) + where, ("W7",)))
    sections = [*findings_sections(report.findings), Section(_("Note"), notes),
                Section(_("Checklist"), checklist_lines((0, 1, 2)))]
    return render(Answer(_("Scam check"), lead, sections, buttons=[Button(_("All warning signs"), "scamcheck")],
                         ephemeral=True))
