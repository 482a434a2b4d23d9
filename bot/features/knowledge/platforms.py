"""Finding a platform by what a member typed, backed by the knowledge base's names, aliases and domains."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.declarations import Choice, Param
from bot.core.errors import NotFound, quoted
from bot.core.i18n import N_, _
from bot.core.model import Button
from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.matching import matcher

if TYPE_CHECKING:
    from bot.core.model import Invocation
    from bot.wiring import App

MAX_CHOICES = 25
# Where a member asks whether to trust a platform (a plain question is None): there, "I don't know it" must add
# that this says nothing about whether it is a scam.
ASKS_ABOUT_IT = frozenset({None, "legit", "platform", "pay"})


@dataclass(frozen=True)
class PlatformRef:
    """A known platform: its stable id (used in storage) and its display name."""

    id: str
    name: str


def all_platforms(app: App) -> list[PlatformRef]:
    """Every known platform, in display order."""
    return [PlatformRef(pid, p.name) for pid, p in knowledge_base().platforms.items()]


def get_platform(app: App, platform_id: str) -> PlatformRef | None:
    """The platform with this exact id, or None."""
    info = knowledge_base().platforms.get(platform_id)
    return None if info is None else PlatformRef(platform_id, info.name)


def find_platform(
    app: App,
    text: str,
    command: str | None = None,
    args: dict[str, str] | None = None,
    param: str = "platform",
) -> PlatformRef:
    """The platform a member meant; raises NotFound with "did you mean" buttons when unsure.

    The buttons re-run `command` (default /platform) with `args` and the suggested platform as `param`.
    """
    found = matcher().match(text)
    if found.platform_id is not None:
        return PlatformRef(found.platform_id, knowledge_base().platforms[found.platform_id].name)
    shown = quoted(text)
    target = command or "platform"
    # The other arguments are what the member typed (a note, a project): only they may press these.
    buttons = [Button(knowledge_base().platforms[pid].name, target, {**(args or {}), param: pid}, personal=bool(args))
               for pid in found.suggestions]
    if found.suggestions:
        names = _(" or ").join(knowledge_base().platforms[pid].name for pid in found.suggestions)
        message = (found.note + " " if found.note else "") + _("Did you mean {commands}?").format(commands=names)
        raise NotFound(message, hint=_("I don't know a platform called {name}. Type /platforms to see them "
                                       "all.").format(name=shown), buttons=buttons)
    if command not in ASKS_ABOUT_IT:  # /subscribe, /report, /status...: an unknown name is only a typo or a gap
        raise NotFound(_("I don't know a platform called {name}.").format(name=shown),
                       hint=_("Check the spelling, or type /platforms to see the ones I know."),
                       buttons=[Button(_("Known platforms"), "platforms")])
    raise NotFound(
        _("I don't know a platform called {name}. That does not make it a scam, or safe: I have no sourced "
          "facts about it.").format(name=shown),
        hint=_("Check any offer against the scam warning signs (/scamcheck), or type /platforms to see the ones I "
               "know."),
        buttons=[Button(_("Scam warning signs"), "scamcheck"), Button(_("Known platforms"), "platforms")],
    )


async def platform_autocomplete(app: App, prefix: str) -> list[Choice]:
    """The best 25 platforms for what has been typed so far (Discord autocomplete)."""
    platforms = knowledge_base().platforms
    return [Choice(pid, platforms[pid].name) for pid in matcher().autocomplete(prefix, MAX_CHOICES)]


def platform_param(
    description: str = N_("The platform, e.g. outlier"), required: bool = True, example: str = "outlier"
) -> Param:
    """The platform parameter commands share: autocompleted from the knowledge base, length-capped."""
    return Param("platform", description, required=required, autocomplete=platform_autocomplete, max_length=100,
                 example=example)


def platform_for(inv: Invocation, text: str, param: str = "platform") -> PlatformRef:
    """The platform a command's argument names; "did you mean" buttons re-run that command with its other
    arguments unchanged."""
    args = {name: str(value) for name, value in inv.params.items() if name != param and value is not None}
    return find_platform(inv.app, text, command=inv.command, args=args, param=param)
