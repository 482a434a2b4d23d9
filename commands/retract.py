"""/retract: a member removes one of their own reports."""

from __future__ import annotations

from bot.core.declarations import Command, Param, ParamKind
from bot.core.errors import NotFound
from bot.core.i18n import N_, _
from bot.core.model import Button, Invocation, Reply
from bot.features.knowledge.platforms import get_platform
from bot.features.reports.kinds import KINDS


async def retract(inv: Invocation, id: int) -> Reply:
    """Delete one of the member's reports."""
    found = await inv.app.reports.retract(inv.actor, id)
    if found is None:
        raise NotFound(_("You have no report #{id}.").format(id=id), hint=_("/myreports lists your reports with their "
                                                                             "ids."),
                       buttons=[Button(_("My reports"), "myreports")])
    row, shown = found
    ref = get_platform(inv.app, row["platform"])
    project = ", " + _("project “{name}”").format(name=shown) if shown else ""
    return Reply(
        title=_("Report retracted"),
        blocks=[_("Deleted #{id}: {name} — {what}").format(id=id, name=ref.name if ref else row["platform"],
                                                           what=_(KINDS[row["kind"]].label)) + f"{project}. "
                + _("It no longer counts anywhere.")],
        ephemeral=True,
    )


COMMANDS = (
    Command(
        name="retract",
        description=N_("Remove one of your reports (see /myreports for ids)"),
        handler=retract,
        params=(Param("id", N_("The report number from /myreports"), kind=ParamKind.INTEGER, min_value=1,
                      example="12"),),
    ),
)
