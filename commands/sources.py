"""/sources <platform>: every source behind what the bot knows about a platform (the "All sources" button)."""

from __future__ import annotations

from bot.core.declarations import Command
from bot.core.i18n import N_
from bot.core.model import Invocation, Reply
from bot.features.knowledge.answers import sources_reply
from bot.features.knowledge.platforms import platform_for, platform_param


async def sources_command(inv: Invocation, platform: str) -> Reply:
    """List a platform's sources with their dates and kinds."""
    found = platform_for(inv, platform)
    return sources_reply(found.id)


COMMANDS = (
    Command(
        name="sources",
        description=N_("Every source behind what I know about a platform, with its date and kind"),
        handler=sources_command,
        params=(platform_param(N_("The platform, e.g. outlier or toloka"), example="toloka"),),
        examples=("/sources toloka", "/sources outlier"),
    ),
)
