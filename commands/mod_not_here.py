"""/mod_not_here: stop a report from another community showing its project name here; it still counts."""

from __future__ import annotations

from bot.core.declarations import Access, Command, Param, ParamKind
from bot.core.i18n import N_
from bot.core.model import Invocation, Reply
from bot.features.moderation import actions as moderation
from bot.features.moderation import not_here
from bot.features.reports.projects import project_names


async def mod_not_here(inv: Invocation, report_id: int, reason: str) -> Reply:
    """Mark a report from elsewhere as not shown in this community."""
    ctx = moderation.ModContext.of(inv)
    row = await not_here.mark_not_here(ctx, report_id, reason)
    shown = (await project_names(inv.app, [(row["platform"], row["project"])])).of(row["platform"], row["project"])
    return Reply(
        title=f"Report #{report_id} not shown here",
        blocks=[
            f"The project name “{shown}” is no longer shown in this community's /status, alert channel "
            "or digest, whoever reported it. The reports still count everywhere, this community included.",
            f"Reason: {' '.join(reason.split())}",
            f"Logged in /mod_log. Undo with /mod_here_again {report_id}.",
        ],
        ephemeral=True,
    )


COMMANDS = (
    Command(
        name="mod_not_here",
        description=N_("Stop a report from another community showing its text here (moderators)"),
        handler=mod_not_here,
        params=(
            Param("report_id", N_("The report's id from /mod_elsewhere"), kind=ParamKind.INTEGER, min_value=1,
                  example="12"),
            Param("reason", N_("Which rule its text breaks: spam, abuse, personal info, off-topic..."),
                  max_length=moderation.MAX_REASON, example="spam: a link in the project name"),
        ),
        access=Access.MODERATOR,
        examples=("/mod_not_here 12 spam: a link in the project name",),
        help=N_("Reports are pooled, so a project name typed in another community shows here too. You cannot hide "
        "another community's report, but you can stop its text showing here: its project name leaves this "
        "community's /status, alerts and digest; the report still counts. Find ids with /mod_elsewhere."),
    ),
)
