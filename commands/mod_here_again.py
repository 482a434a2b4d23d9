"""/mod_here_again: show a report from another community here again, undoing /mod_not_here."""

from __future__ import annotations

from bot.core.declarations import Access, Command, Param, ParamKind
from bot.core.i18n import N_
from bot.core.model import Invocation, Reply
from bot.features.moderation import actions as moderation
from bot.features.moderation import not_here


async def mod_here_again(inv: Invocation, report_id: int, reason: str | None = None) -> Reply:
    """Show a report from elsewhere in this community again."""
    ctx = moderation.ModContext.of(inv)
    await not_here.show_here_again(ctx, report_id, reason)
    return Reply(
        title=f"Report #{report_id} shown here again",
        blocks=["Its project name shows in this community again (unless another mark holds it back). "
                "Logged in /mod_log."],
        ephemeral=True,
    )


COMMANDS = (
    Command(
        name="mod_here_again",
        description=N_("Show a report from another community here again (moderators)"),
        handler=mod_here_again,
        params=(
            Param("report_id", N_("The report's id from /mod_elsewhere"), kind=ParamKind.INTEGER, min_value=1,
                  example="12"),
            Param("reason", N_("Why, for the log"), required=False, max_length=moderation.MAX_REASON,
                  example="marked by mistake"),
        ),
        access=Access.MODERATOR,
        examples=("/mod_here_again 12", "/mod_here_again 12 marked by mistake"),
    ),
)
