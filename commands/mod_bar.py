"""/mod_bar: bar the reporter of a report from reporting for some days, without revealing who it is."""

from __future__ import annotations

from bot.core.declarations import Access, Command, Param, ParamKind
from bot.core.i18n import N_, _
from bot.core.model import Invocation, Reply
from bot.core.timetext import format_time
from bot.features.moderation import actions as moderation


async def mod_bar(inv: Invocation, report_id: int, days: int, reason: str) -> Reply:
    """Bar a report's reporter from reporting."""
    ctx = moderation.ModContext.of(inv)
    until = await moderation.bar_reporter(ctx, report_id, days, reason)
    reviewers = _("the bot's operators") if ctx.operator else _("this community's moderators")
    return Reply(
        title=_("Reporter barred"),
        blocks=[
            _("The person who sent report #{report_id} can't send reports until {until}, "
              "and their reports now count for nothing. Nobody, including you, is told who they are.").format(
                report_id=report_id, until=format_time(until)),
            _("If they try to report, they are told why and until when, and to ask {reviewers} to review it. "
              "Logged in /mod_log. Lift it with /mod_unbar {report_id}.").format(reviewers=reviewers,
                                                                                 report_id=report_id),
        ],
        ephemeral=True,
    )


COMMANDS = (
    Command(
        name="mod_bar",
        description=N_("Bar the sender of a report from reporting for some days (moderators)"),
        handler=mod_bar,
        params=(
            Param("report_id", N_("The report's id from /mod_reports"), kind=ParamKind.INTEGER, min_value=1,
                  example="12"),
            Param("days", N_("How many days the bar lasts (1-365)"), kind=ParamKind.INTEGER, min_value=1,
                  max_value=moderation.MAX_BAR_DAYS, example="14"),
            Param("reason", N_("Which rule they broke: spam, abuse, false reports, brigading..."),
                  max_length=moderation.MAX_REASON, example="brigading: 20 identical reports"),
        ),
        access=Access.MODERATOR,
        operators=True,
        examples=("/mod_bar 12 14 brigading: coordinated false drought reports",),
        help=N_("Bars whoever sent that report from sending reports anywhere the bot runs, without revealing who it "
            "is. Bar for a broken rule (spam or advertising, abuse or harassment, personal information, "
            "off-topic, a duplicate, or false/brigading), never for being negative."),
    ),
)
