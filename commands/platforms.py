"""/platforms: the platforms the knowledge base knows, grouped by category."""

from __future__ import annotations

from bot.core.declarations import Command
from bot.core.i18n import N_
from bot.core.model import Invocation, Reply
from bot.features.knowledge.answers import platforms_reply
from bot.features.knowledge.loader import knowledge_base

knowledge_base()  # validate the shipped knowledge base when the commands load, i.e. at start-up


async def platforms_command(inv: Invocation) -> Reply:
    """List the known platforms by category."""
    return platforms_reply()


COMMANDS = (
    Command(
        name="platforms",
        description=N_("The platforms I know, grouped by category (established, legit with risks, ...)"),
        handler=platforms_command,
    ),
)
