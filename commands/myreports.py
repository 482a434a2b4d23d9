"""/myreports: the member's own reports, with their ids for /retract."""

from __future__ import annotations

from bot.core.clock import unix
from bot.core.declarations import Command
from bot.core.i18n import N_, _
from bot.core.model import Button, Invocation, Reply
from bot.core.timetext import describe_age
from bot.features.knowledge.platforms import get_platform
from bot.features.reports.kinds import KINDS
from bot.features.reports.projects import project_names

SHOWN = 15


def _detail(row) -> str:
    if row["kind"] == "payrate":
        return f" {row['amount']:g} {row['currency']}/h" + (f" ({row['role']})" if row["role"] else "")
    if row["kind"] == "onboarding":
        return f" {row['hours']:g} h, " + (_("paid") if row["paid"] else _("unpaid"))
    return ""


async def myreports(inv: Invocation) -> Reply:
    """List the member's reports."""
    reporter = inv.app.reports.reporter_key(inv.actor)
    rows = await inv.app.reports.mine(inv.actor, SHOWN)
    if not rows:
        return Reply(title=_("Your reports"),
                     blocks=[_("You have no reports. /report, /payrate and /onboarding add one.")],
                     private=True)
    now = unix(inv.now)
    names = await project_names(inv.app, [(row["platform"], row["project"]) for row in rows])
    lines = []
    for row in rows:
        ref = get_platform(inv.app, row["platform"])
        project = f" “{names.of(row['platform'], row['project'])}”" if row["project"] else ""
        hidden = " " + _("(hidden by a moderator)") if row["hidden"] else ""
        lines.append(f"#{row['id']} {ref.name if ref else row['platform']}: {_(KINDS[row['kind']].label)}{project}"
                     f"{_detail(row)}, {describe_age(now - row['updated_at'])}{hidden}")
    total = await inv.app.reports.count_of(reporter)
    footer = _("Showing the latest {shown} of {total}.").format(shown=len(rows), total=total) \
        if total > len(rows) else None
    return Reply(
        title=_("Your reports"),
        blocks=["\n".join(lines), _("/retract <id> removes one; /forget removes everything about you.")],
        buttons=[Button(_("Retract #{id}").format(id=row["id"]), "retract", {"id": str(row["id"])})
                 for row in rows[:3]],
        footer=footer,
        private=True,
    )


COMMANDS = (Command(name="myreports", description=N_("List your own reports (only you see them)"), handler=myreports),)
