"""Answers about web addresses and recruiters: the look-alike or impersonation warning and the official
domains come first, then what the knowledge base says about the real platform."""

from __future__ import annotations

import re

from bot.core.errors import shorten
from bot.core.i18n import _, ngettext
from bot.core.model import Button, Reply
from bot.features.knowledge.answers import LEADS, platform
from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.matching import host_of, matcher
from bot.features.knowledge.models import PlatformInfo
from bot.features.knowledge.render import Answer, Line, Section, render


def _signal(signal_id: str) -> Line | None:
    """A scam signal's explanation with its sources, if the knowledge base has it."""
    found = next((s for s in knowledge_base().scams.signals if s.id == signal_id), None)
    return Line(found.explain, tuple(found.sources)) if found else None


def _checklist(*words: str) -> list[Line]:
    """The checklist items that mention every one of the words (whole words, any case)."""
    return [Line(item.text, tuple(item.sources)) for item in knowledge_base().scams.checklist
            if all(re.search(rf"\b{re.escape(w)}\b", item.text, re.IGNORECASE) for w in words)]


def official_domains(info: PlatformInfo) -> str:
    """A sentence naming a platform's official domains (or saying none is on file)."""
    if not info.domains:
        return _("I have no sourced official web address for {name}.").format(name=info.name)
    return ngettext("{name}'s official domain: {domains}.", "{name}'s official domains: {domains}.",
                    len(info.domains)).format(name=info.name, domains=", ".join(info.domains))


def _verdict(info: PlatformInfo) -> Section:
    return Section(_("The real {name}").format(name=info.name), [Line(LEADS[info.category].format(name=info.name) + " "
                                                  + info.category_basis)], keep=True)


def _buttons(platform_id: str | None) -> list[Button]:
    legit = [Button(_("Is it legit?"), "legit", {"platform": platform_id})] if platform_id else []
    return [*legit, Button(_("Scam warning signs"), "scamcheck")]


def is_official(info: PlatformInfo, host: str) -> bool:
    """True when a host is one of the platform's domains or under one."""
    return any(host == d or host.endswith("." + d) for d in (host_of(d) for d in info.domains))


def domain_reply(host: str | None, platform_id: str | None) -> Reply:
    """A web address asked about: whose it is, or whose it imitates, with the official domains, then the verdict."""
    shown = shorten(host) if host else ""
    if host:
        found = matcher().match(host)
        platform_id = found.platform_id or (found.suggestions[0] if found.suggestions else None)
        if platform_id is None:
            return render(Answer(
                _("I don't know {address}").format(address=shown),
                [Line(_("{address} is not an address of any platform I know. That does not make it a scam, or safe: "
                        "I have no sourced facts about it.").format(address=shown))],
                [Section(_("Check it against the warning signs"), _checklist("WhatsApp") + _checklist("pay anything"),
                         keep=True)],
                buttons=_buttons(None), ephemeral=True))
        info = platform(platform_id)
        if is_official(info, host):
            title = _("{address} is {name}'s own address").format(address=shown, name=info.name)
            lead = [Line(_("{address} belongs to {name}.").format(address=shown, name=info.name) + " "
                         + official_domains(info))]
        else:
            title = _("Warning: {address} is not {name}'s address").format(address=shown, name=info.name)
            lead = [Line(found.note or _("{address} is not an address of {name}.").format(address=shown, name=info.name)
                         + " " + official_domains(info)),
                    *filter(None, [_signal("lookalike")])]
    else:
        info = platform(platform_id or "")
        title = _("{name}'s official web address").format(name=info.name)
        lead = [Line(official_domains(info) + " " + _("Anything else that claims to be {name} is not its site.").format(
                    name=info.name)),
                *filter(None, [_signal("lookalike")])]
    return render(Answer(title, lead, [_verdict(info)], buttons=_buttons(info.id)))


def impersonation_reply(platform_id: str) -> Reply:
    """A recruiter or a channel claiming to be a platform: the impersonation warning and the official domains
    first, then the verdict on the real platform."""
    info = platform(platform_id)
    warnings = [line for line in (_signal("messaging"),) if line]
    warnings += [Line(f"{info.name}: {f.text}", tuple(f.sources)) for f in info.facts_about("problems")
                 if "impersonat" in f.text.lower()]
    lead = [*warnings, Line(official_domains(info) + " " + _("Apply and talk to {name} only there.").format(
        name=info.name))]
    sections = [Section(_("Before you reply"), _checklist("pay anything") + _checklist("ID"), keep=True),
                _verdict(info)]
    return render(Answer(_("Is that really {name}? Recruiters on WhatsApp and Telegram are the top scam sign").format(
                             name=info.name),
                         lead, sections, buttons=[Button(_("Check a message for scam signs"), "scamcheck"),
                                                  Button(_("Is it legit?"), "legit", {"platform": platform_id})]))
