"""/onboarding: a member reports the hours spent on assessments and training, paid or not."""

from __future__ import annotations

from bot.core.declarations import Command, Param, ParamKind
from bot.core.i18n import N_, _
from bot.core.model import Invocation, Reply
from bot.features.knowledge.platforms import platform_for, platform_param
from commands.report import acknowledgement


async def onboarding(inv: Invocation, platform: str, hours: float, paid: bool = False) -> Reply:
    """Record onboarding hours."""
    ref = platform_for(inv, platform)
    recorded = await inv.app.reports.record_onboarding(
        inv.actor, inv.place.community_key, ref.id, hours, paid, inv.now
    )
    how = _("paid") if paid else _("unpaid (add “paid” if you were paid for them)")
    return acknowledgement(
        ref.name, recorded,
        extra=" " + _("{hours} hours, {how}.").format(hours=f"{hours:g}", how=how) + " "
        + _("/pay shows the median unpaid hours and what they do to the effective hourly rate."),
    )


COMMANDS = (
    Command(
        name="onboarding",
        description=N_("Report hours spent on assessments and training before paid work"),
        handler=onboarding,
        params=(
            platform_param(),
            Param("hours", N_("Hours spent on assessments, tests and training"), kind=ParamKind.NUMBER, example="6"),
            Param("paid", N_("Were those hours paid? (yes/no; default no)"), kind=ParamKind.BOOLEAN, required=False),
        ),
        examples=("/onboarding outlier 6", "/onboarding telus 3 paid"),
    ),
)
