"""/mod_reports: recent reports from this community with ids, notes and reporter trust, never identities."""

from __future__ import annotations

from bot.core.declarations import Access, Command
from bot.core.i18n import N_
from bot.core.model import Invocation, Reply
from bot.core.timetext import describe_age
from bot.features.availability import trust
from bot.features.knowledge.platforms import get_platform, platform_for, platform_param
from bot.features.moderation import actions as moderation
from bot.features.reports.projects import ProjectNames, project_names

LIMIT = 20


def _trust_label(weight: float) -> str:
    if weight == trust.BARRED_WEIGHT:
        return "trust 0 (barred)"
    if weight <= trust.NEW_WEIGHT:
        return f"trust {weight:.2f} (new or often contradicted)"
    return f"trust {weight:.2f}" + (" (established)" if weight >= trust.MAX_WEIGHT else "")


def _line(view: moderation.ReportView, now: int, app, operator: bool, names: ProjectNames) -> str:
    row = view.row
    platform = get_platform(app, row["platform"])
    parts = [f"#{row['id']}", platform.name if platform else row["platform"], row["kind"].replace("_", " ")]
    if row["project"]:
        parts.append(f"project “{names.of(row['platform'], row['project'])}”")
    if row["hourly_usd"] is not None:
        parts.append(f"${row['hourly_usd']:.2f}/h" + (f" ({row['role']})" if row["role"] else ""))
    if row["hours"] is not None:
        parts.append(f"{row['hours']:g} h onboarding, {'paid' if row['paid'] else 'unpaid'}")
    parts.append(describe_age(now - row["updated_at"]))
    if operator:
        parts.append(f"from {row['community']}" if row["community"] else "from a private chat")
    parts.append(_trust_label(view.weight))
    if view.unconfirmed:
        parts.append("UNCONFIRMED (burst of new reporters)")
    if row["hidden"]:
        parts.append(f"HIDDEN: {row['hidden_reason'] or 'no reason recorded'}")
    line = " · ".join(parts)
    if row["note"]:
        line += f"\n    note: “{row['note']}”"
    return line


async def mod_reports(inv: Invocation, platform: str | None = None) -> Reply:
    """List this community's recent reports for moderators."""
    ctx = moderation.ModContext.of(inv)
    platform_id = platform_for(inv, platform).id if platform else None
    views = await moderation.recent_reports(inv.app, ctx.reports_of, platform_id, LIMIT)
    origin = "anywhere" if ctx.operator else "from this community"
    if not views:
        where = f" about {platform}" if platform else ""
        return Reply(title="Recent reports", blocks=[f"No reports{where} {origin} yet."], ephemeral=True)
    names = await project_names(inv.app, [(v.row["platform"], v.row["project"]) for v in views])
    blocks = ["\n".join(_line(v, ctx.now, inv.app, ctx.operator, names) for v in views)]
    flagged = sum(v.unconfirmed for v in views)
    if flagged:
        blocks.append(
            f"{flagged} unconfirmed: part of a burst of reports from new reporters on one platform. They are "
            "shown in /status as unconfirmed reports and cannot change the status on their own."
        )
    blocks.append(
        "Reporters are never named. Act by id: /mod_hide <id> <reason>, /mod_unhide <id>, "
        "/mod_bar <id> <days> <reason>, /mod_unbar <id>."
    )
    title = "Recent reports from every community and private chat" if ctx.operator else \
        "Recent reports from this community"
    return Reply(title=f"{title} ({len(views)})", blocks=blocks, ephemeral=True)


COMMANDS = (
    Command(
        name="mod_reports",
        description=N_("Recent reports from this community, with ids and reporter trust (moderators)"),
        handler=mod_reports,
        params=(
            platform_param(N_("Only this platform, e.g. outlier"), required=False),
        ),
        access=Access.MODERATOR,
        operators=True,
        examples=("/mod_reports", "/mod_reports outlier"),
        help=N_("Shows the newest reports made in this community, hidden ones included, never who sent them. "
        "Trust is how much a reporter's reports weigh (new reporters weigh less). Unconfirmed reports "
        "came in a burst from new reporters and cannot change the status on their own. Operators, in a private "
        "chat with the bot, see every community's reports and private-chat ones."),
    ),
)
