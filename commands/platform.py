"""/platform <name>: the full profile card of one platform, every fact with its source and date."""

from __future__ import annotations

from bot.core.declarations import Command, Param
from bot.core.knowledge.answers import profile_reply
from bot.core.model import Invocation, Reply
from bot.core.platforms import find_platform, platform_autocomplete


async def platform_command(inv: Invocation, platform: str) -> Reply:
    """Show a platform's profile."""
    found = find_platform(inv.app, platform, command=inv.command)
    return profile_reply(found.id)


COMMANDS = (
    Command(
        name="platform",
        description="A platform's full profile: owner, work, pay, payouts, checks, problems, sources",
        handler=platform_command,
        params=(Param("platform", "The platform, e.g. outlier or dataannotation", autocomplete=platform_autocomplete,
                      max_length=100, example="toloka"),),
        examples=("/platform toloka", "/platform data annotation"),
    ),
)
