"""/about: what the bot does, where its facts come from, and how reports stay anonymous."""

from __future__ import annotations

from bot import __version__
from bot.core.declarations import Command
from bot.core.i18n import N_, _
from bot.core.model import Invocation, Reply
from bot.features import privacy

ABOUT_BLOCKS = (
    N_("queuewatch helps people who do AI-training gig work (rating, annotation, RLHF writing, expert "
    "evaluation) on platforms such as DataAnnotation, Outlier, Appen, TELUS Digital, Toloka, UHRS, "
    "Prolific and Mercor."),
    N_("Answers come from two places: a curated knowledge base in which every fact carries its source and "
    "date, and reports from members of every community the bot serves (Discord and Telegram), pooled "
    "into one data set. Pay figures are reported ranges at a point in time, never promises."),
    N_("Privacy: reports are stored under a keyed hash of your account, never your name or id. Your "
    "platform id is kept only where delivery needs it (alert subscriptions). /forget deletes everything "
    "about you (a moderator's bar on reporting stays until it ends, and a reporting weight below a "
    "newcomer's stays as it was, in a record linked to nothing else)."),
)
NEVER_KEPT = N_(
    "Never kept: your name or username (moderation actions show \"a moderator\"), your IP address, or "
    "anything linking your reports to your account other than the keyed hash. "
    "Moderators never see who sent a report. Exports for research carry no hash, id, community or note, "
    "and their times are rounded to the hour."
)


def data_kept(kept: list[tuple[str, str]]) -> str:
    """What the bot keeps about a member, one line per feature (from the features' own declarations)."""
    return _("What the bot keeps about you:") + "\n" + "\n".join(f"- {feature}: {what}" for feature, what in kept)


async def about(inv: Invocation) -> Reply:
    """Explain the bot."""
    kept = privacy.data_kept(inv.app)
    about_blocks = [_(block) for block in ABOUT_BLOCKS]
    blocks = [*about_blocks, data_kept(kept), _(NEVER_KEPT)] if kept else [*about_blocks, _(NEVER_KEPT)]
    return Reply(title=_("About queuewatch"), blocks=blocks, footer=f"queuewatch {__version__}")


COMMANDS = (
    Command(name="about", description=N_("What this bot does, where its facts come from, your privacy"), handler=about),
)
