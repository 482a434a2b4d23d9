"""Answers that are not about one platform: "is it worth it?" from the platforms' own facts, and tax basics."""

from __future__ import annotations

from babel.lists import format_list

from bot.core.i18n import _, babel_locale
from bot.core.model import Button, Reply
from bot.features.knowledge.answers import EXAMPLE_PAID_HOURS, EXAMPLE_UNPAID_HOURS, LEADS, platform
from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.models import PayRange, PlatformInfo, TopicSection
from bot.features.knowledge.money import format_money, format_range
from bot.features.knowledge.render import Answer, Line, Section, render


def section_lines(section: TopicSection, platforms: list[PlatformInfo]) -> list[Line]:
    """The facts a section picks, each with the platform's name and its sources: at most `limit`, taking one
    platform's first fact before another platform's second, so no one platform fills the section."""
    picked: list[list[Line]] = []
    for info in platforms:
        lines = []
        for fact in info.facts:
            text = fact.text.lower()
            if fact.topic in section.topics and any(w in text for w in section.words) and not any(
                    x in text for x in section.exclude):
                lines.append(Line(f"{info.name}: {fact.text}", tuple(fact.sources)))
        if lines:
            picked.append(lines)
    spread = [lines[i] for i in range(max(map(len, picked), default=0)) for lines in picked if i < len(lines)]
    return spread[:section.limit]


def _hourly(info: PlatformInfo) -> PayRange | None:
    return next((p for p in info.pay if p.unit == "hour" and p.role in ("any", "generalist")), None) or next(
        (p for p in info.pay if p.unit == "hour"), None)


def effective_pay_lines(platforms: list[PlatformInfo]) -> list[Line]:
    """A reported hourly figure, and what unpaid onboarding hours do to it."""
    for info in platforms:
        figure = _hourly(info)
        if figure is None:
            continue
        rate = figure.low if figure.low is not None else figure.high or 0
        effective = rate * EXAMPLE_PAID_HOURS / (EXAMPLE_PAID_HOURS + EXAMPLE_UNPAID_HOURS)
        reported = format_range(figure.low, figure.high, figure.currency)
        return [
            Line((_("{name} is reported at {pay}/h ({note}).") if figure.note else
                  _("{name} is reported at {pay}/h.")).format(name=info.name, pay=reported, note=figure.note),
                 tuple(figure.sources)),
            Line(_("After {unpaid} unpaid hours of tests and onboarding, {paid} paid hours at {rate}/h work out at "
                   "{effective}/h.").format(unpaid=EXAMPLE_UNPAID_HOURS, paid=EXAMPLE_PAID_HOURS,
                                            rate=format_money(rate, figure.currency),
                                            effective=format_money(effective, figure.currency))),
        ]
    return []


def worth_it_reply(platform_id: str | None = None) -> Reply:
    """Is AI-training work worth it: pros and cons from the knowledge base's own facts, each sourced and dated."""
    kb = knowledge_base()
    topic = kb.topics.worth_it
    chosen = [platform(platform_id)] if platform_id else list(kb.platforms.values())
    lead = [Line(topic.lead)]
    if platform_id:
        info = chosen[0]
        lead.append(Line(LEADS[info.category].format(name=info.name) + " " + info.category_basis))
    sections = [Section(_("What unpaid hours do to the pay"), effective_pay_lines(chosen), rank=-1, min_lines=1)]
    sections += [Section(s.name, section_lines(s, chosen), min_lines=1) for s in topic.sections]
    buttons = ([Button(_("What does it pay?"), "pay", {"platform": platform_id}),
                Button(_("Is it legit?"), "legit", {"platform": platform_id})] if platform_id else
               [Button(_("Known platforms"), "platforms")])
    title = topic.title if not platform_id else _("Is {name} worth it?").format(name=chosen[0].name)
    return render(Answer(title, lead, [s for s in sections if s.lines], buttons=buttons,
                         note=_("Only facts with a source are shown; what is not here, I do not know.")))


def tax_reply(country: str | None) -> Reply:
    """Tax basics for a country from official pages, or plainly unknown where nothing is sourced."""
    kb = knowledge_base()
    basics = {b.country: b for b in kb.topics.tax}
    covered = format_list([kb.countries[c].name for c in basics], locale=babel_locale())
    if country is not None and country not in basics:
        name = kb.countries[country].name if country in kb.countries else country
        return Reply(
            title=_("Tax on platform income: {country}").format(country=name),
            blocks=[_("Unknown: I have no sourced tax basics for {country}. I have them only for {covered}.").format(
                        country=name, covered=covered),
                    _("Your country's tax authority is the place to ask.") + " " + kb.topics.tax_note],
            ephemeral=True,
        )
    shown = [basics[country]] if country else list(basics.values())
    lead = [Line(kb.topics.tax_note)]
    if country is None:
        lead.insert(0, Line(_("Which country? I have basics for {covered} only; for other countries I know nothing "
                              "sourced. Save yours with /settings to skip this.").format(covered=covered)))
    sections = [Section(_("Tax basics: {country}").format(country=kb.countries[b.country].name),
                        [Line(f.text, tuple(f.sources)) for f in b.facts] +
                        [Line(_("Unknown: {gap}").format(gap=u)) for u in b.unknown],
                        min_lines=1) for b in shown]
    title = _("Tax on platform income: {country}").format(country=kb.countries[country].name) if country else \
        _("Tax on platform income")
    return render(Answer(title, lead, sections))
