"""/mod_unbar: lift this community's bar on the sender of a report."""

from __future__ import annotations

from bot.core.declarations import Access, Command, Param, ParamKind
from bot.core.i18n import N_
from bot.core.model import Invocation, Reply
from bot.features.moderation import actions as moderation


async def mod_unbar(inv: Invocation, report_id: int, reason: str | None = None) -> Reply:
    """Lift a bar."""
    ctx = moderation.ModContext.of(inv)
    await moderation.unbar_reporter(ctx, report_id, reason)
    return Reply(
        title="Bar lifted",
        blocks=[f"The person who sent report #{report_id} may report again. Logged in /mod_log."],
        ephemeral=True,
    )


COMMANDS = (
    Command(
        name="mod_unbar",
        description=N_("Lift the bar on the sender of a report (moderators)"),
        handler=mod_unbar,
        params=(
            Param("report_id", N_("The id of the report the bar was placed through"), kind=ParamKind.INTEGER,
                  min_value=1, example="12"),
            Param("reason", N_("Why, for the log"), required=False, max_length=moderation.MAX_REASON,
                  example="appeal accepted"),
        ),
        access=Access.MODERATOR,
        operators=True,
        examples=("/mod_unbar 12", "/mod_unbar 12 appeal accepted"),
    ),
)
