"""/unsubscribe: stop a platform's alerts."""

from __future__ import annotations

from bot.core.declarations import Command
from bot.core.errors import NotFound
from bot.core.i18n import N_
from bot.core.model import Invocation, Reply
from bot.features.alerts.subscriptions import unfollow
from bot.features.knowledge.platforms import platform_for, platform_param


async def unsubscribe(inv: Invocation, platform: str) -> Reply:
    """Stop following a platform."""
    found = platform_for(inv, platform)
    if not await unfollow(inv.app, inv.actor, found.id):
        raise NotFound(f"You don't follow {found.name}.", hint="/subscriptions lists the platforms you follow.")
    return Reply(title=f"Stopped {found.name} alerts", blocks=[f"No more alerts about {found.name}. "
                                                                f"/subscribe {found.id} starts them again."],
                 ephemeral=True)


COMMANDS = (
    Command(
        name="unsubscribe",
        description=N_("Stop alerts about a platform"),
        handler=unsubscribe,
        params=(platform_param(N_("The platform to stop following")),),
        examples=("/unsubscribe outlier",),
    ),
)
