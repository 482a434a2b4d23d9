"""Plain-language questions. The knowledge-base feature routes them to answers."""

from __future__ import annotations

from bot.core.model import Invocation, Reply


async def answer(invocation: Invocation, text: str) -> Reply:
    """Answer a plain-language message."""
    return Reply(
        blocks=[
            "I answer commands for now. Type /help to see what I can do.",
        ],
        ephemeral=True,
    )
