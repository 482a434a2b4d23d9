"""/status: is it just me, or is the queue empty? One platform in detail, or every platform with recent reports."""

from __future__ import annotations

from bot.core.declarations import Command
from bot.core.i18n import N_
from bot.core.model import Invocation, Reply
from bot.features.availability.links import live_status_line
from bot.features.availability.reply import all_status, platform_status
from bot.features.knowledge.platforms import platform_for, platform_param


async def status(inv: Invocation, platform: str | None = None) -> Reply:
    """Show availability status."""
    if platform is None:
        reply = await all_status(inv.app, inv.now)
    else:
        ref = platform_for(inv, platform)
        reply = await platform_status(inv.app, ref.id, ref.name, inv.now, inv.place.community_key)
    link = live_status_line(inv.app, None if platform is None else ref.id)
    if link is not None:
        reply.blocks.append(link)
    return reply


COMMANDS = (
    Command(
        name="status",
        description=N_("Is the queue empty? Crowd-reported task availability, per platform"),
        handler=status,
        params=(platform_param(N_("A platform for details, e.g. outlier"), required=False),),
        examples=("/status", "/status outlier"),
        help=N_("States: tasks flowing, mixed reports, drought likely, no recent reports. Each member counts once; "
        "recent reports weigh more; a drought needs several members over at least 30 minutes."),
    ),
)
