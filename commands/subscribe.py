"""/subscribe: a direct message when a followed platform's drought ends, a project ends or pay goes wrong."""

from __future__ import annotations

from bot.core.declarations import Choice, Command, Param
from bot.core.i18n import N_, Localized, _
from bot.core.model import Invocation, Platform, Reply
from bot.features.alerts.subscriptions import ALERT_KINDS, follow
from bot.features.knowledge.platforms import platform_for, platform_param

EVENT_CHOICES = (
    Choice("all", N_("Everything")),
    Choice("drought_ended", N_("Drought over")),
    Choice("project_ended", N_("Project ended")),
    Choice("payment_problems", N_("Payment problems")),
)
EVENT_NAMES = Localized({"drought_ended": N_("a drought ends"),
                         "project_ended": N_("two or more people report a project ended"),
                         "payment_problems": N_("payment problems rise")})


def deep_link(username: str, platform_id: str) -> str:
    """A t.me link that opens a private chat and sends /start subscribe_<platform>."""
    return f"https://t.me/{username}?start=subscribe_{platform_id}"


async def subscribe(inv: Invocation, platform: str, events: str = "all") -> Reply:
    """Follow a platform's alerts by direct message."""
    found = platform_for(inv, platform)
    actor = inv.actor
    if actor.platform is Platform.TELEGRAM and not inv.place.is_private:
        username = inv.app.bot_usernames.get("telegram")
        if username:
            how = _("Open a private chat with me here, then press Start: {link}").format(
                link=deep_link(username, found.id))
        else:
            how = _("Open a private chat with the bot and send /subscribe {platform} there.").format(platform=found.id)
        return Reply(title=_("Alerts come by private message"),
                     blocks=[_("Telegram lets me message you only after you start a private chat with me."), how],
                     ephemeral=True)
    kinds = ALERT_KINDS if events == "all" else (events,)
    sub = await follow(inv.app, actor, found.id, kinds, inv.now)
    lines = [_("I'll send you a direct message about {name} when {events}.").format(
        name=found.name, events=_("; when ").join(EVENT_NAMES[kind] for kind in sub.events))]
    lines.append(_("At most one alert per platform every six hours. /unsubscribe {platform} stops them.").format(
        platform=found.id))
    if actor.platform is Platform.DISCORD:
        lines.append(_("Keep direct messages from server members allowed, or the alerts cannot reach you."))
    return Reply(title=_("Following {name}").format(name=found.name), blocks=lines, ephemeral=True)


COMMANDS = (
    Command(
        name="subscribe",
        description=N_("Get a direct message when a platform's drought ends, a project ends or pay goes wrong"),
        handler=subscribe,
        params=(
            platform_param(N_("The platform to follow, e.g. Outlier")),
            Param("events", N_("Which alerts (default: everything)"), required=False, choices=EVENT_CHOICES),
        ),
        examples=("/subscribe outlier", "/subscribe dataannotation drought_ended"),
    ),
)
