"""Each community's digest schedule and channel, and what went wrong with its delivery (and how to fix it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.clock import unix
from bot.core.delivery import Destination
from bot.core.feature import Person
from bot.core.i18n import N_, _
from storage import digests, outbox
from storage.database import Row
from storage.digests import DigestSettings

if TYPE_CHECKING:
    from bot.wiring import App

__all__ = ["DigestSettings"]

UNCERTAIN_DAYS = 30
DATA_KEPT = ((
    N_("Digest"),
    N_("if you are a moderator and turned a community's weekly digest off: your keyed hash on that setting "
       "(shown as \"a moderator\")"),
),)
# Outbox origin kinds: only a failed scheduled digest turns the schedule off; a failed manual post is only reported.
SCHEDULED = "digest"
MANUAL = "digest_manual"
TURNED_OFF_BY = "turned off by "
# (words in the platform's refusal, how the moderator fixes it), first match wins.
FIXES = (
    (("not enough rights", "missing permissions", "have no rights", "administrator"),
     N_("give the bot the right to post messages and photos there ({rights})")),
    (("kicked", "not a member", "chat not found", "removed", "deleted", "unknown channel", "missing access",
      "blocked", "deactivated"),
     N_("add the bot back to that chat or channel, or choose another one")),
)
RIGHTS = {"discord": N_("View Channel, Send Messages, Embed Links and Attach Files"),
          "telegram": N_("in a channel, make it an admin that may post")}
OTHER_RIGHTS = N_("sending messages and images")
UNKNOWN_FIX = N_("check that the bot can still post there; if it keeps failing, give the bot's operator the reason "
                 "above")


async def settings_of(app: App, community: str) -> DigestSettings | None:
    """A community's digest settings, or None when it never set one up."""
    return await digests.get_settings(app.db, community)


async def save(app: App, settings: DigestSettings) -> None:
    """Create or replace a community's digest settings (turning it back on)."""
    await digests.save_settings(app.db, settings)


async def turn_off(app: App, community: str, reason: str, at: int, by: str | None = None) -> None:
    """Stop a community's scheduled digest, recording why and who (a keyed hash, never a name)."""
    await digests.disable_digest(app.db, community, reason, at, by)


async def forget_digest_actions(app: App, person: Person) -> list[tuple[str, int]]:
    """Unlink a moderator from the digests they turned off (the digest stays off)."""
    return [(N_("digests you turned off (no longer linked to you)"), await digests.forget_disabler(app.db, person.key))]


async def last_failure(app: App, community: str) -> Row | None:
    """The newest scheduled digest delivery to this community that failed for good, or None."""
    rows = await outbox.failures(app.db, SCHEDULED, community, limit=1)
    return rows[0] if rows else None


async def uncertain_sends(app: App, community: str, days: int = UNCERTAIN_DAYS) -> Row | None:
    """This community's digest posts (scheduled or manual) of the last `days` days that got no answer in time (so
    they may show twice, or, when not tried again, may be missing): n, unconfirmed, latest; None if there are none."""
    since = unix(app.clock.now()) - days * 86_400
    return await outbox.uncertain_sends(app.db, (SCHEDULED, MANUAL), community, since)


def how_to_fix(reason: str, platform: str) -> str:
    """What a moderator can do about a platform's refusal, in words."""
    lowered = reason.lower()
    fix = next((fix for words, fix in FIXES if any(word in lowered for word in words)), UNKNOWN_FIX)
    return _(fix).format(rights=_(RIGHTS.get(platform, OTHER_RIGHTS)))


def why_off(settings: DigestSettings, viewer: str | None = None) -> str:
    """Why a community's schedule is off and how to turn it back on (it must be off); "you" for the viewer's own."""
    # Stored in English ("turned off by a moderator", or the platform's own refusal); said in the reply's language.
    reason = settings.disabled_reason or _("no reason recorded")
    if reason.startswith(TURNED_OFF_BY):
        if viewer is not None and settings.disabled_by == viewer:
            return _("turned off by you. /digest_setup turns it on again.")
        return _("turned off by a moderator. /digest_setup turns it on again.")
    return _("the digest could not be delivered: {reason}. To fix it, {fix}; then run /digest_setup to turn it on "
             "again.").format(reason=reason, fix=how_to_fix(reason, settings.platform))


async def post_failure(app: App, community: str) -> digests.PostFailure | None:
    """Why and when the community's last manual /digest_post could not be delivered, or None."""
    return await digests.post_failure(app.db, community)


async def digest_undeliverable(app: App, destination: Destination, community: str, reason: str) -> None:
    """The outbox cannot deliver a scheduled digest: switch the schedule off, saying why."""
    await digests.disable_digest(app.db, community, reason, unix(app.clock.now()))


async def manual_post_undeliverable(app: App, destination: Destination, community: str, reason: str) -> None:
    """The outbox cannot deliver a manual /digest_post: record why for /digest_preview; the schedule stays on."""
    await digests.record_post_failure(app.db, community, digests.PostFailure(destination.platform, reason,
                                                                             unix(app.clock.now())))
