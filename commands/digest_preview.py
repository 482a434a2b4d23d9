"""/digest_preview: the digest as it would be posted now, plus why delivery stopped if it did (moderators)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.declarations import Access, Command
from bot.core.i18n import N_, use_locale
from bot.core.model import Invocation, Reply
from bot.features.alerts.subscriptions import alert_channel
from bot.features.digest import build_digest, digest_reply
from bot.features.digest.schedule import describe_schedule
from bot.features.digest.settings import (
    UNCERTAIN_DAYS,
    how_to_fix,
    last_failure,
    post_failure,
    settings_of,
    uncertain_sends,
    why_off,
)
from bot.features.languages import community_locale


def _when(at: int | None) -> str:
    return "" if at is None else f" on {datetime.fromtimestamp(at, UTC):%d %b %Y %H:%M} UTC"


def _uncertain_note(count: int, unconfirmed: int, latest: int | None) -> str:
    """Say what we know of digest posts whose send got no answer: they may show twice, or may be missing."""
    posts = "1 digest post" if count == 1 else f"{count} digest posts"
    note = (f"⚠ {posts} of the last {UNCERTAIN_DAYS} days got no answer from the platform in time (the newest "
            f"queued{_when(latest)}).")
    resent = count - unconfirmed
    if resent:
        note += (" It was sent once more, so the channel may show it twice." if resent == count == 1 else
                 f" {resent} of them {'was' if resent == 1 else 'were'} sent once more, so the channel may show "
                 f"{'it' if resent == 1 else 'them'} twice.")
    if unconfirmed:
        note += (f" {unconfirmed} of them got no answer twice and {'was' if unconfirmed == 1 else 'were'} not sent "
                 "again: check the channel, and use /digest_post if a digest is missing.")
    return note


async def digest_preview(inv: Invocation) -> Reply:
    """Show the digest privately, with the schedule and any delivery problem."""
    community = inv.place.community_key or ""
    settings = await settings_of(inv.app, community)
    intro = ["Preview: only you can see this."]
    if settings is None:
        intro.append("No schedule yet: /digest_setup <weekday> <time> <timezone> sets one; /digest_post posts now.")
    elif settings.enabled:
        intro.append(f"Scheduled {describe_schedule(settings, inv.now)}.")
    else:
        viewer = inv.app.person_key(str(inv.actor.platform), inv.actor.user_id)
        intro.append(f"⚠ The weekly digest is off{_when(settings.disabled_at)}: {why_off(settings, viewer)}")
    manual = await post_failure(inv.app, community)
    if manual is not None:
        still_on = " The weekly digest is still on: only that post failed." if settings and settings.enabled else ""
        intro.append(f"⚠ The /digest_post{_when(manual.at)} was not delivered: {manual.reason}. To fix it, "
                     f"{how_to_fix(manual.reason, manual.platform)}; then /digest_post tries again.{still_on}")
    channel = await alert_channel(inv.app, community)
    if channel is not None and not channel.enabled and channel.disabled_reason:
        intro.append(f"⚠ Status alerts to this community stopped: {channel.disabled_reason}. "
                     "/alerts_here on turns them back on.")
    failure = await last_failure(inv.app, community) if settings and settings.enabled else None
    if failure is not None and failure["created_at"] >= settings.updated_at:  # since the schedule was last set
        intro.append(f"Last failed scheduled digest{_when(failure['created_at'])}: {failure['last_error']}.")
    unsure = await uncertain_sends(inv.app, community)
    if unsure is not None:
        intro.append(_uncertain_note(unsure["n"], unsure["unconfirmed"] or 0, unsure["latest"]))
    with use_locale(await community_locale(inv.app, community)):  # the digest as it will be posted
        digest = await build_digest(inv.app, community, inv.now, settings.timezone if settings else "UTC")
        reply = digest_reply(digest, intro)
    reply.ephemeral = reply.private = True
    return reply


COMMANDS = (
    Command(
        name="digest_preview",
        description=N_("See this week's digest privately, and whether delivery works"),
        handler=digest_preview,
        access=Access.MODERATOR,
        slow=True,
    ),
)
