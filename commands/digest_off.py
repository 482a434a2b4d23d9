"""/digest_off: stop this community's weekly digest (moderators)."""

from __future__ import annotations

from bot.core.clock import unix
from bot.core.declarations import Access, Command
from bot.core.i18n import N_
from bot.core.model import Invocation, Reply
from bot.features.digest.settings import TURNED_OFF_BY, settings_of, turn_off


async def digest_off(inv: Invocation) -> Reply:
    """Turn the weekly digest off."""
    community = inv.place.community_key or ""
    settings = await settings_of(inv.app, community)
    if settings is None or not settings.enabled:
        return Reply(title="Weekly digest is already off",
                     blocks=["/digest_setup <weekday> <time> <timezone> turns it on."], ephemeral=True)
    who = inv.app.person_key(str(inv.actor.platform), inv.actor.user_id)
    await turn_off(inv.app, community, TURNED_OFF_BY + "a moderator", unix(inv.now), by=who)
    return Reply(title="Weekly digest off", blocks=["No more scheduled digests here. /digest_setup turns it back on; "
                                                    "/digest_post still posts one when you ask."], ephemeral=True)


COMMANDS = (
    Command(
        name="digest_off",
        description=N_("Stop this community's weekly digest"),
        handler=digest_off,
        access=Access.MODERATOR,
    ),
)
