"""/mod_elsewhere: recent reports from other communities and private chats whose project names show here."""

from __future__ import annotations

from bot.core.declarations import Access, Command
from bot.core.i18n import N_
from bot.core.model import Invocation, Reply
from bot.core.timetext import describe_age, describe_span
from bot.features.knowledge.platforms import get_platform, platform_for, platform_param
from bot.features.moderation import actions as moderation
from bot.features.moderation import not_here
from bot.features.reports.projects import ProjectNames, project_names

LIMIT = 20


def _line(report: not_here.FromElsewhere, now: int, app, names: ProjectNames) -> str:
    row = report.row
    platform = get_platform(app, row["platform"])
    parts = [f"#{row['id']}", platform.name if platform else row["platform"], row["kind"].replace("_", " "),
             f"project “{names.of(row['platform'], row['project'])}”", describe_age(now - row["updated_at"])]
    if report.marked:
        parts.append("NOT SHOWN HERE (marked)")
    elif report.name_hidden:
        parts.append("NOT SHOWN HERE (a marked report has the same name)")
    return " · ".join(parts)


async def mod_elsewhere(inv: Invocation, platform: str | None = None) -> Reply:
    """List recent reports from elsewhere that show a project name in this community."""
    ctx = moderation.ModContext.of(inv)
    platform_id = platform_for(inv, platform).id if platform else None
    rows = await not_here.from_elsewhere(ctx, platform_id, LIMIT)
    span = describe_span(not_here.ELSEWHERE_SPAN)
    names = await project_names(inv.app, [(r.row["platform"], r.row["project"]) for r in rows])
    if not rows:
        return Reply(title="Reports from elsewhere",
                     blocks=[f"No report from another community named a project in the last {span}."],
                     ephemeral=True)
    return Reply(
        title=f"Reports from elsewhere naming a project ({len(rows)})",
        blocks=[
            "\n".join(_line(row, ctx.now, inv.app, names) for row in rows),
            "They count everywhere. To stop a project name showing in this community: "
            "/mod_not_here <id> <reason>; undo with /mod_here_again <id>.",
        ],
        footer=f"Newest first, last {span}. Reporters and communities are never named.",
        ephemeral=True,
    )


COMMANDS = (
    Command(
        name="mod_elsewhere",
        description=N_("Reports from other communities whose project names show here, with ids (moderators)"),
        handler=mod_elsewhere,
        params=(platform_param(N_("Only this platform, e.g. outlier"), required=False),),
        access=Access.MODERATOR,
        examples=("/mod_elsewhere", "/mod_elsewhere outlier"),
    ),
)
