"""Who follows which platform's alerts (members by direct message, communities in a channel)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.clock import unix
from bot.core.delivery import Destination
from bot.core.feature import Person
from bot.core.i18n import N_
from bot.core.model import Actor, Place
from storage import alert_channels, subscriptions
from storage.alert_channels import AlertChannel
from storage.subscriptions import ALERT_KINDS, Subscription

if TYPE_CHECKING:
    from datetime import datetime

    from bot.wiring import App

__all__ = ["ALERT_KINDS", "AlertChannel", "Subscription"]

DATA_KEPT = ((
    N_("alerts"),
    N_("the platforms you follow (/subscribe) with your platform user id, the one place a raw id is kept, "
       "because alerts are delivered to you directly"),
),)


async def follow(app: App, actor: Actor, gig_platform: str, kinds: tuple[str, ...], now: datetime) -> Subscription:
    """Subscribe a member to a platform's alerts (adding to the kinds they already follow)."""
    return await subscriptions.subscribe(app.db, str(actor.platform), actor.user_id, gig_platform, kinds, unix(now))


async def unfollow(app: App, actor: Actor, gig_platform: str) -> bool:
    """Stop a member's alerts for a platform; False when they followed none."""
    return await subscriptions.unsubscribe(app.db, str(actor.platform), actor.user_id, gig_platform)


async def followed(app: App, actor: Actor) -> list[Subscription]:
    """A member's subscriptions, by gig platform."""
    return await subscriptions.subscriptions_of(app.db, str(actor.platform), actor.user_id)


async def set_alert_channel(app: App, place: Place, on: bool, now: datetime) -> None:
    """Turn status-change alerts on or off for the channel a moderator is in."""
    await alert_channels.set_alert_channel(app.db, place.community_key or "", str(place.platform),
                                           place.channel_id or place.community_id or "", on, unix(now))


async def alert_channel(app: App, community: str) -> AlertChannel | None:
    """A community's alert channel, or None."""
    return await alert_channels.get_alert_channel(app.db, community)


async def forget_subscriptions(app: App, person: Person) -> list[tuple[str, int]]:
    """Delete the member's alert subscriptions and any alert still waiting to be sent to them."""
    return [(N_("alert subscriptions and pending alerts"),
             await subscriptions.forget_member(app.db, person.platform, person.user_id))]


async def channel_undeliverable(app: App, destination: Destination, community: str, reason: str) -> None:
    """The outbox cannot reach a community's alert channel any more: stop its alerts, saying why."""
    await alert_channels.disable_alert_channel(app.db, community, reason)


async def member_undeliverable(app: App, destination: Destination, ref: str, reason: str) -> None:
    """The outbox cannot reach a member any more (they blocked the bot, or left): pause their alerts."""
    await subscriptions.disable_subscriptions(app.db, destination.platform, destination.id, reason)
