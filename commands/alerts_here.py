"""/alerts_here on|off: post status-change alerts (droughts, ended projects, payment problems) here (moderators)."""

from __future__ import annotations

from bot.core.declarations import Access, Choice, Command, Param
from bot.core.i18n import N_
from bot.core.model import Invocation, Reply
from bot.features.alerts import subscriptions


async def alerts_here(inv: Invocation, state: str) -> Reply:
    """Turn status-change alerts in this channel on or off."""
    on = state == "on"
    await subscriptions.set_alert_channel(inv.app, inv.place, on, inv.now)
    if on:
        text = ("Status-change alerts will be posted here: droughts starting and ending, projects reported ended "
                "by two or more people, and rising payment problems. /alerts_here off stops them.")
        return Reply(title="Alerts on", blocks=[text], ephemeral=True)
    return Reply(title="Alerts off", blocks=["No more status-change alerts here. /alerts_here on restarts them."],
                 ephemeral=True)


COMMANDS = (
    Command(
        name="alerts_here",
        description=N_("Post status-change alerts in this channel, or stop them"),
        handler=alerts_here,
        params=(Param("state", N_("on or off"), choices=(Choice("on", N_("On")), Choice("off", N_("Off")))),),
        access=Access.MODERATOR,
        examples=("/alerts_here on", "/alerts_here off"),
    ),
)
