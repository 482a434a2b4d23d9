"""/digest_post: post the digest now (moderators)."""

from __future__ import annotations

from bot.core.clock import unix
from bot.core.declarations import Access, Command
from bot.core.i18n import N_
from bot.core.model import Invocation, Platform, Reply
from bot.features.digest.schedule import queue_digest
from bot.features.digest.settings import DigestSettings, settings_of


async def digest_post(inv: Invocation) -> Reply:
    """Queue the digest for the community's digest channel (or this chat when none is set)."""
    community = inv.place.community_key or ""
    settings = await settings_of(inv.app, community)
    if settings is None or not settings.enabled:
        settings = DigestSettings(
            community=community, platform=str(inv.place.platform),
            channel_id=inv.place.channel_id or inv.place.community_id or "", weekday=0, local_time="00:00",
            timezone=settings.timezone if settings else "UTC", enabled=True, disabled_reason=None,
            disabled_at=None, updated_at=unix(inv.now),
        )
        where = "this chat"
    elif settings.platform == Platform.DISCORD:
        where = f"<#{settings.channel_id}>"
    else:
        where = "the digest chat"
    # One manual post per minute: a double tap does not post twice.
    queued = await queue_digest(inv.app, settings, inv.now, f"manual-{inv.now:%Y%m%dT%H%M}")
    if not queued:
        return Reply(title="Already on its way", blocks=["A digest was posted a moment ago; it is on its way."],
                     ephemeral=True)
    return Reply(title="Digest posted", blocks=[f"The digest is on its way to {where}. "
                                                "It does not count as the scheduled one of this week."],
                 ephemeral=True)


COMMANDS = (
    Command(
        name="digest_post",
        description=N_("Post this week's digest now"),
        handler=digest_post,
        access=Access.MODERATOR,
        slow=True,
    ),
)
