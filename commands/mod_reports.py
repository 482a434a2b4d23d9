"""/mod_reports: recent reports from this community with ids, notes and reporter trust, never identities."""

from __future__ import annotations

from bot.core.declarations import Access, Command
from bot.core.i18n import N_, _
from bot.core.model import Invocation, Reply
from bot.core.timetext import describe_age
from bot.features.availability import trust
from bot.features.knowledge.platforms import get_platform, platform_for, platform_param
from bot.features.moderation import actions as moderation
from bot.features.reports.projects import ProjectNames, project_names

LIMIT = 20


def _trust_label(weight: float) -> str:
    if weight == trust.BARRED_WEIGHT:
        return _("trust 0 (barred)")
    if weight <= trust.NEW_WEIGHT:
        return _("trust {weight} (new or often contradicted)").format(weight=f"{weight:.2f}")
    if weight >= trust.MAX_WEIGHT:
        return _("trust {weight} (established)").format(weight=f"{weight:.2f}")
    return _("trust {weight}").format(weight=f"{weight:.2f}")


def _line(view: moderation.ReportView, now: int, app, operator: bool, names: ProjectNames) -> str:
    row = view.row
    platform = get_platform(app, row["platform"])
    parts = [f"#{row['id']}", platform.name if platform else row["platform"], row["kind"].replace("_", " ")]
    if row["project"]:
        parts.append(_("project “{name}”").format(name=names.of(row['platform'], row['project'])))
    if row["hourly_usd"] is not None:
        parts.append(f"${row['hourly_usd']:.2f}/h" + (f" ({row['role']})" if row["role"] else ""))
    if row["hours"] is not None:
        parts.append((_("{hours} h onboarding, paid") if row["paid"] else _("{hours} h onboarding, unpaid")).format(
            hours=f"{row['hours']:g}"))
    parts.append(describe_age(now - row["updated_at"]))
    if operator:
        parts.append(_("from {community}").format(community=row["community"]) if row["community"]
                     else _("from a private chat"))
    parts.append(_trust_label(view.weight))
    if view.unconfirmed:
        parts.append(_("UNCONFIRMED (burst of new reporters)"))
    if row["hidden"]:
        parts.append(_("HIDDEN: {reason}").format(reason=row["hidden_reason"] or _("no reason recorded")))
    line = " · ".join(parts)
    if row["note"]:
        line += "\n    " + _("note: “{note}”").format(note=row["note"])
    return line


async def mod_reports(inv: Invocation, platform: str | None = None) -> Reply:
    """List this community's recent reports for moderators."""
    ctx = moderation.ModContext.of(inv)
    platform_id = platform_for(inv, platform).id if platform else None
    views = await moderation.recent_reports(inv.app, ctx.reports_of, platform_id, LIMIT)
    if not views:
        if platform:
            text = (_("No reports about {platform} anywhere yet.") if ctx.operator else
                    _("No reports about {platform} from this community yet.")).format(platform=platform)
        else:
            text = _("No reports anywhere yet.") if ctx.operator else _("No reports from this community yet.")
        return Reply(title=_("Recent reports"), blocks=[text], ephemeral=True)
    names = await project_names(inv.app, [(v.row["platform"], v.row["project"]) for v in views])
    blocks = ["\n".join(_line(v, ctx.now, inv.app, ctx.operator, names) for v in views)]
    flagged = sum(v.unconfirmed for v in views)
    if flagged:
        blocks.append(
            _("{count} unconfirmed: part of a burst of reports from new reporters on one platform. They are "
              "shown in /status as unconfirmed reports and cannot change the status on their own.").format(
                count=flagged)
        )
    blocks.append(
        _("Reporters are never named. Act by id: /mod_hide <id> <reason>, /mod_unhide <id>, "
          "/mod_bar <id> <days> <reason>, /mod_unbar <id>.")
    )
    title = _("Recent reports from every community and private chat ({count})") if ctx.operator else \
        _("Recent reports from this community ({count})")
    return Reply(title=title.format(count=len(views)), blocks=blocks, ephemeral=True)


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
