"""/mod_unhide: show a hidden report again."""

from __future__ import annotations

from bot.core.declarations import Access, Command, Param, ParamKind
from bot.core.i18n import N_
from bot.core.model import Invocation, Reply
from bot.features.moderation import actions as moderation


async def mod_unhide(inv: Invocation, report_id: int, reason: str | None = None) -> Reply:
    """Show a hidden report again."""
    ctx = moderation.ModContext.of(inv)
    await moderation.unhide_report(ctx, report_id, reason)
    return Reply(
        title=f"Report #{report_id} shown again",
        blocks=["It counts again everywhere it did before. Logged in /mod_log."],
        ephemeral=True,
    )


COMMANDS = (
    Command(
        name="mod_unhide",
        description=N_("Show a hidden report again (moderators)"),
        handler=mod_unhide,
        params=(
            Param("report_id", N_("The report's id from /mod_reports"), kind=ParamKind.INTEGER, min_value=1,
                  example="12"),
            Param("reason", N_("Why, for the log"), required=False, max_length=moderation.MAX_REASON,
                  example="hidden by mistake"),
        ),
        access=Access.MODERATOR,
        operators=True,
        examples=("/mod_unhide 12", "/mod_unhide 12 hidden by mistake"),
    ),
)
