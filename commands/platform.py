"""/platform <name>: the full profile card of one platform, every fact with its source and date."""

from __future__ import annotations

from bot.core.declarations import Command
from bot.core.i18n import N_
from bot.core.model import Invocation, Reply
from bot.features.knowledge.answers import profile_reply
from bot.features.knowledge.platforms import platform_for, platform_param


async def platform_command(inv: Invocation, platform: str) -> Reply:
    """Show a platform's profile."""
    found = platform_for(inv, platform)
    return profile_reply(found.id)


COMMANDS = (
    Command(
        name="platform",
        description=N_("A platform's full profile: owner, work, pay, payouts, checks, problems, sources"),
        handler=platform_command,
        params=(platform_param(N_("The platform, e.g. outlier or dataannotation"), example="toloka"),),
        examples=("/platform toloka", "/platform data annotation"),
    ),
)
