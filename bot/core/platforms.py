"""Finding a platform by what a member typed. A stand-in until the knowledge base backs it.

The knowledge-base work replaces the bodies with fuzzy matching over the knowledge base's names
and aliases; the signatures stay, so commands written against them keep working.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.declarations import Choice
from bot.core.errors import NotFound

if TYPE_CHECKING:
    from bot.core.app import App


@dataclass(frozen=True)
class PlatformRef:
    """A known platform: its stable id (used in storage) and its display name."""

    id: str
    name: str


_KNOWN = (
    PlatformRef("dataannotation", "DataAnnotation"),
    PlatformRef("outlier", "Outlier"),
    PlatformRef("appen", "Appen / CrowdGen"),
    PlatformRef("telus", "TELUS Digital"),
    PlatformRef("toloka", "Toloka"),
    PlatformRef("uhrs", "UHRS"),
    PlatformRef("prolific", "Prolific"),
    PlatformRef("mercor", "Mercor"),
)


def all_platforms(app: App) -> list[PlatformRef]:
    """Every known platform, in display order."""
    return list(_KNOWN)


def get_platform(app: App, platform_id: str) -> PlatformRef | None:
    """The platform with this exact id, or None."""
    return next((p for p in _KNOWN if p.id == platform_id), None)


def find_platform(app: App, text: str) -> PlatformRef:
    """The platform a member meant; raises NotFound (with suggestions as buttons) when unsure."""
    wanted = text.strip().lower()
    for platform in _KNOWN:
        if wanted in (platform.id, platform.name.lower()):
            return platform
    raise NotFound(f"I don't know a platform called “{text}”.", hint="Type /platforms to see the ones I know.")


async def platform_autocomplete(app: App, prefix: str) -> list[Choice]:
    """The best 25 platforms for what has been typed so far (Discord autocomplete)."""
    wanted = prefix.strip().lower()
    return [Choice(p.id, p.name) for p in _KNOWN if wanted in p.name.lower() or wanted in p.id][:25]
