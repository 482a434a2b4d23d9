"""/digest_preview: the digest as it would be posted now, plus why delivery stopped if it did (moderators)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.declarations import Access, Command
from bot.features.digest import build_digest, digest_reply
from bot.core.model import Invocation, Reply
from bot.features.digest.schedule import describe_schedule
from storage import digests as store
from storage import outbox as outbox_store


def _when(at: int | None) -> str:
    return "" if at is None else f" on {datetime.fromtimestamp(at, UTC):%d %b %Y %H:%M} UTC"


async def digest_preview(inv: Invocation) -> Reply:
    """Show the digest privately, with the schedule and any delivery problem."""
    community = inv.place.community_key or ""
    db = inv.app.db
    settings = await store.get_settings(db, community)
    intro = ["Preview: only you can see this."]
    if settings is None:
        intro.append("No schedule yet: /digest_setup <weekday> <time> <timezone> sets one; /digest_post posts now.")
    elif settings.enabled:
        intro.append(f"Scheduled {describe_schedule(settings, inv.now)}.")
    else:
        reason = settings.disabled_reason or "no reason recorded"
        intro.append(f"⚠ The weekly digest is off{_when(settings.disabled_at)}: {reason}."
                     " Fix that (e.g. give the bot back its access), then run /digest_setup to turn it on again.")
    channel = await store.get_alert_channel(db, community)
    if channel is not None and not channel.enabled and channel.disabled_reason:
        intro.append(f"⚠ Status alerts to this community stopped: {channel.disabled_reason}. "
                     "/alerts_here on turns them back on.")
    for row in await outbox_store.failures(db, f"digest:{community}", limit=1):
        intro.append(f"Last failed digest delivery{_when(row['created_at'])}: {row['last_error']}.")
    digest = await build_digest(inv.app, community, inv.now, settings.timezone if settings else "UTC")
    reply = digest_reply(digest, intro)
    reply.ephemeral = reply.private = True
    return reply


COMMANDS = (
    Command(
        name="digest_preview",
        description="See this week's digest privately, and whether delivery works",
        handler=digest_preview,
        access=Access.MODERATOR,
        slow=True,
    ),
)
