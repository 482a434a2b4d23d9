"""/unsubscribe: stop a platform's alerts."""

from __future__ import annotations

from bot.core.declarations import Command
from bot.core.errors import NotFound
from bot.core.i18n import N_, _
from bot.core.model import Invocation, Reply
from bot.features.alerts.subscriptions import unfollow
from bot.features.knowledge.platforms import platform_for, platform_param


async def unsubscribe(inv: Invocation, platform: str) -> Reply:
    """Stop following a platform."""
    found = platform_for(inv, platform)
    if not await unfollow(inv.app, inv.actor, found.id):
        raise NotFound(_("You don't follow {name}.").format(name=found.name),
                       hint=_("/subscriptions lists the platforms you follow."))
    return Reply(title=_("Stopped {name} alerts").format(name=found.name),
                 blocks=[_("No more alerts about {name}. /subscribe {platform} starts them again.").format(
                     name=found.name, platform=found.id)],
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
