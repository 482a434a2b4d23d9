"""/scamcheck [message]: the task-scam warning signs, or the signs a pasted recruiter message shows."""

from __future__ import annotations

from bot.core.declarations import Command, Param
from bot.core.i18n import N_
from bot.core.model import Invocation, Reply
from bot.features.knowledge.answers import scam_signs_reply, scamcheck_reply


async def scamcheck_command(inv: Invocation, message: str | None = None) -> Reply:
    """List the warning signs, or check a message for them."""
    return scamcheck_reply(message) if message else scam_signs_reply()


COMMANDS = (
    Command(
        name="scamcheck",
        description=N_("Task-scam warning signs, or check a recruiter message you paste for them"),
        handler=scamcheck_command,
        params=(Param("message", N_("The recruiter message to check"), required=False, max_length=2000,
                      example="Hi, I'm a recruiter on WhatsApp..."),),
        examples=("/scamcheck", "/scamcheck Hi! I'm a recruiter from DataAnnotation on WhatsApp, deposit 50 USDT"),
    ),
)
