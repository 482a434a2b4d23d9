"""/legit <platform>: its legitimacy category with the sourced facts behind it, and the scam checklist."""

from __future__ import annotations

from bot.core.declarations import Command
from bot.core.i18n import N_
from bot.core.model import Invocation, Reply
from bot.features.knowledge.answers import legit_reply
from bot.features.knowledge.platforms import platform_for, platform_param


async def legit_command(inv: Invocation, platform: str) -> Reply:
    """Say whether a platform is legit, and why; crowd sections join through LEGIT_EXTRA_SECTIONS."""
    found = platform_for(inv, platform)
    return await legit_reply(inv, found.id)


COMMANDS = (
    Command(
        name="legit",
        description=N_("Is a platform legit? Its category, the sourced facts behind it, and scam signs"),
        handler=legit_command,
        params=(platform_param(N_("The platform, e.g. outlier or toloka"), example="toloka"),),
        examples=("/legit toloka", "/legit dataannotation"),
        help=N_("Categories: established, legit with risks (real but harsh), caution (unresolved payment "
        "complaints), unknown. No named platform is called a scam; /scamcheck describes scam patterns."),
    ),
)
