"""Not shown here: a community's moderators stop text from another community's report showing in their community.

Reports are pooled, so a project name typed in one community (or a private chat) shows in every community's
/status, alert channel and digest. Moderators cannot hide a report from elsewhere (it is not theirs to judge),
but they can mark it "not shown here": its project name, whoever else used it, is no longer shown in their
community, while every report still counts everywhere. Notes need no such mark: they are only ever shown to
the moderators of the community a report came from (and to operators).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.errors import BadArgument, NotFound
from bot.core.i18n import N_, _
from bot.features.availability.status import PROJECT_CHANGES_SPAN
from bot.features.moderation.actions import MAX_REASON, ModContext, check_reason
from bot.features.reports.kinds import AVAILABILITY_KINDS, PROJECT_KINDS
from storage import moderation as store
from storage import not_shown_here as marks
from storage.database import Row

if TYPE_CHECKING:
    from bot.wiring import App

# What is shown instead of a project name this community does not show.
NOT_SHOWN = N_("a project whose name is not shown here")
# The reports whose project names are shown in /status, alerts and digests (and how far back they go).
SHOWN_KINDS = (*AVAILABILITY_KINDS, *PROJECT_KINDS)
ELSEWHERE_SPAN = PROJECT_CHANGES_SPAN


@dataclass(frozen=True)
class NotShown:
    """The (platform, project) names one community does not show."""

    names: frozenset[tuple[str, str]] = frozenset()

    def project(self, platform: str, project: str, shown: str | None = None) -> str:
        """The project (its key) as this community shows it: its shown name (default: the key), or NOT_SHOWN."""
        return _(NOT_SHOWN) if (platform, project) in self.names else shown or project

    def quoted(self, platform: str, project: str, shown: str | None = None) -> str:
        """'project “name”', or NOT_SHOWN."""
        return _(NOT_SHOWN) if (platform, project) in self.names else _("project “{name}”").format(
            name=shown or project)

    def hides(self, platform: str, project: str) -> bool:
        """True when this community does not show that project name."""
        return (platform, project) in self.names


async def not_shown(app: App, community: str | None) -> NotShown:
    """What a community does not show (nothing is held back in a private chat or for everyone)."""
    if community is None:
        return NotShown()
    rows = await marks.names_not_shown(app.db, community)
    return NotShown(frozenset((row["platform"], row["project"]) for row in rows))


async def not_shown_everywhere(app: App) -> dict[str, NotShown]:
    """What each community does not show, by community key."""
    found: dict[str, set[tuple[str, str]]] = {}
    for row in await marks.names_not_shown(app.db):
        found.setdefault(row["community"], set()).add((row["platform"], row["project"]))
    return {community: NotShown(frozenset(names)) for community, names in found.items()}


async def _report_from_elsewhere(ctx: ModContext, report_id: int) -> Row:
    row = await store.report_by_id(ctx.app.db, report_id)
    if row is None:
        raise NotFound(f"There's no report #{report_id}.", hint="Use /mod_elsewhere to see reports and their ids.")
    if row["community"] == ctx.community:
        raise BadArgument(
            f"Report #{report_id} was sent in this community, so it is yours to moderate.",
            hint=f"If it breaks a rule, hide it everywhere: /mod_hide {report_id} <reason>.",
        )
    return row


async def mark_not_here(ctx: ModContext, report_id: int, reason: str) -> Row:
    """Stop a report from elsewhere showing its project name in this community; logged. Returns the report."""
    text = check_reason(reason, "stop showing a report here",
                        f"/mod_not_here {report_id} spam: a link planted in a project name")
    row = await _report_from_elsewhere(ctx, report_id)
    if not row["project"]:
        raise BadArgument(
            f"Report #{report_id} names no project: it shows here only as a count, and counts are pooled "
            "for everyone, so there is no text of it to stop showing.",
            hint="If it breaks a rule, ask an operator of the bot to hide it everywhere.",
        )
    async with ctx.app.db.transaction() as tx:
        if not await marks.mark(tx, ctx.community, report_id, text, ctx.now):
            raise BadArgument(f"Report #{report_id} is already not shown here.",
                              hint=f"Undo with /mod_here_again {report_id}.")
        await store.add_log(tx, ctx.community, ctx.actor, "not_here", ctx.now, report_id,
                            row["platform"], text)
    return row


async def show_here_again(ctx: ModContext, report_id: int, reason: str | None) -> Row:
    """Show a report from elsewhere in this community again; logged. Returns the report."""
    row = await _report_from_elsewhere(ctx, report_id)
    async with ctx.app.db.transaction() as tx:
        if not await marks.unmark(tx, ctx.community, report_id):
            raise BadArgument(f"Report #{report_id} is not marked as not shown here.",
                              hint="Use /mod_elsewhere to see which reports are.")
        await store.add_log(tx, ctx.community, ctx.actor, "here_again", ctx.now, report_id,
                            row["platform"], " ".join((reason or "").split())[:MAX_REASON])
    return row


@dataclass(frozen=True)
class FromElsewhere:
    """A report from elsewhere as this community's moderators see it."""

    row: Row
    marked: bool  # marked not shown here by this community
    name_hidden: bool  # its project name is not shown here (through this mark or another naming it)


async def from_elsewhere(ctx: ModContext, platform: str | None, limit: int) -> list[FromElsewhere]:
    """Recent reports from elsewhere whose project names show in this community (or would, but are held back)."""
    since = ctx.now - ELSEWHERE_SPAN
    rows = await marks.reports_from_elsewhere(ctx.app.db, ctx.community, SHOWN_KINDS, since, platform, limit)
    hidden = await not_shown(ctx.app, ctx.community)
    return [FromElsewhere(row, bool(row["not_here"]), hidden.hides(row["platform"], row["project"])) for row in rows]
