"""/subscriptions: the platforms you follow, and any alerts that could not reach you."""

from __future__ import annotations

from bot.core.declarations import Command
from bot.core.i18n import N_, _
from bot.core.model import Button, Invocation, Reply
from bot.features.alerts.subscriptions import followed
from bot.features.digest.build import platform_name


async def subscriptions(inv: Invocation) -> Reply:
    """List the member's alert subscriptions."""
    subs = await followed(inv.app, inv.actor)
    if not subs:
        return Reply(title=_("No alerts yet"), blocks=[_("/subscribe <platform> sends you a direct message when its "
                                                       "drought ends, a project ends or payment problems rise.")],
                     private=True)
    lines = []
    for sub in subs:
        what = ", ".join(kind.replace("_", " ") for kind in sub.events)
        state = "" if sub.enabled else " — " + _("paused: {reason}. /subscribe {platform} resumes").format(
            reason=sub.disabled_reason, platform=sub.gig_platform)
        lines.append(f"• {platform_name(inv.app, sub.gig_platform)}: {what}{state}")
    buttons = [Button(_("Stop {name}").format(name=platform_name(inv.app, s.gig_platform)), "unsubscribe",
                      {"platform": s.gig_platform}) for s in subs[:5]]
    return Reply(title=_("Your alerts"), blocks=["\n".join(lines)], buttons=buttons, private=True)


COMMANDS = (
    Command(name="subscriptions", description=N_("The platforms whose alerts you get"), handler=subscriptions),
)
