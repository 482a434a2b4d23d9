"""/mod_hide: hide a report that breaks a rule, with a reason; it stops counting everywhere."""

from __future__ import annotations

from bot.core.declarations import Access, Command, Param, ParamKind
from bot.core.i18n import N_, _
from bot.core.model import Invocation, Reply
from bot.features.moderation import actions as moderation


async def mod_hide(inv: Invocation, report_id: int, reason: str) -> Reply:
    """Hide a report for a stated rule."""
    ctx = moderation.ModContext.of(inv)
    await moderation.hide_report(ctx, report_id, reason)
    return Reply(
        title=_("Report #{report_id} hidden").format(report_id=report_id),
        blocks=[
            _("It no longer counts anywhere: status, pay figures, payment reliability and digests."),
            _("Reason: {reason}").format(reason=" ".join(reason.split())),
            _("Logged in /mod_log. Undo with /mod_unhide {report_id}.").format(report_id=report_id),
        ],
        ephemeral=True,
    )


COMMANDS = (
    Command(
        name="mod_hide",
        description=N_("Hide a report that breaks a rule (a reason is required) (moderators)"),
        handler=mod_hide,
        params=(
            Param("report_id", N_("The report's id from /mod_reports"), kind=ParamKind.INTEGER, min_value=1,
                  example="12"),
            Param("reason", N_("Which rule it breaks: spam, abuse, personal info, off-topic, duplicate, false"),
                  max_length=moderation.MAX_REASON, example="spam: referral link"),
        ),
        access=Access.MODERATOR,
        operators=True,
        examples=("/mod_hide 12 spam: referral link", "/mod_hide 40 personal info: names a team lead"),
        help=N_("Hide a report only when it breaks a rule: spam or advertising, abuse or harassment, personal "
            "information, off-topic, a duplicate, or false/brigading. Never hide a report for being negative; "
            "negative reports are how members warn each other."),
    ),
)
