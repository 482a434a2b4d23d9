"""/about: what the bot does, where its facts come from, and how reports stay anonymous."""

from __future__ import annotations

from bot import __version__
from bot.core.declarations import Command
from bot.core.model import Invocation, Reply

ABOUT_BLOCKS = (
    "queuewatch helps people who do AI-training gig work (rating, annotation, RLHF writing, expert "
    "evaluation) on platforms such as DataAnnotation, Outlier, Appen, TELUS Digital, Toloka, UHRS, "
    "Prolific and Mercor.",
    "Answers come from two places: a curated knowledge base in which every fact carries its source and "
    "date, and reports from members of every community the bot serves (Discord and Telegram), pooled "
    "into one data set. Pay figures are reported ranges at a point in time, never promises.",
    "Privacy: reports are stored under a keyed hash of your account, never your name or id. Your "
    "platform id is kept only where delivery needs it (alert subscriptions). /forget deletes everything "
    "about you.",
)


async def about(inv: Invocation) -> Reply:
    """Explain the bot."""
    return Reply(title="About queuewatch", blocks=list(ABOUT_BLOCKS), footer=f"queuewatch {__version__}")


COMMANDS = (
    Command(name="about", description="What this bot does, where its facts come from, your privacy", handler=about),
)
