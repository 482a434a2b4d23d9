"""The availability status as a reply: one platform in detail (with the "me too" buttons), or every platform.

Shared by /status and by plain questions about the queue ("is outlier dry?").
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.clock import unix
from bot.core.i18n import N_, _, number
from bot.core.model import Button, Field, Reply
from bot.core.plural import plural
from bot.core.timetext import describe_age, describe_span
from bot.features.availability.status import LOOKBACK, PROJECT_CHANGES_SPAN, worst_first
from bot.features.availability.wording import explanation, label, summary
from bot.features.knowledge.platforms import get_platform
from bot.features.moderation.not_here import not_shown
from bot.features.reports.projects import project_names

if TYPE_CHECKING:
    from bot.wiring import App

PROJECT_STATES = {"project_paused": N_("paused"), "project_ended": N_("ended")}
MAX_LISTED = 25  # the all-platforms list stays within every platform's message limits


async def platform_status(app: App, platform_id: str, name: str, now: datetime,
                          community: str | None = None) -> Reply:
    """The public status of one platform: state, n, confidence, since, last report, projects, buttons.

    Project names the community's moderators do not show are replaced, their counts kept."""
    at = unix(now)
    hidden = await not_shown(app, community)
    statuses = await app.availability.statuses(now, platform_id)
    main = next(s for s in statuses if s.project == "")
    projects = sorted((s for s in statuses if s.project and s.n), key=lambda s: (s.rank, -s.n))
    fields = [
        Field(_("Status"), summary(main, at)),
        Field(_("Reports"), explanation(main, at, projects=len(projects))),
    ]
    # The last report the status is made of (an empty queue or tasks back, platform-wide), so the two agree.
    last = main.last_at or await app.availability.last_report_at(platform_id)
    fields.append(Field(_("Last report"), describe_age(at - last) if last is not None else _("none yet")))
    changes = await app.availability.project_changes(platform_id, at - PROJECT_CHANGES_SPAN)
    keys = [*(s.project for s in projects[:10]), *(row["project"] for row in changes[:10])]
    names = await project_names(app, [(platform_id, key) for key in keys])

    def shown(key: str) -> str:
        return hidden.project(platform_id, key, names.of(platform_id, key))

    if projects:
        fields.append(Field(_("Projects"), "\n".join(f"{shown(s.project)}: {summary(s, at)}" for s in projects[:10])))
    if changes:
        fields.append(Field(
            _("Projects paused or ended (14 days)"),
            "\n".join(f"{shown(row['project'])}: {_(PROJECT_STATES.get(row['kind'], row['kind']))} "
                      + _("(n = {n}, last {age})").format(n=row["reporters"], age=describe_age(at - row["last_at"]))
                      for row in changes[:10]),
        ))
    return Reply(
        title=f"{name}: {label(main)}",
        fields=fields,
        buttons=[
            Button(_("Me too: no tasks"), "report", {"platform": platform_id, "what": "drought"}),
            Button(_("Tasks are back"), "report", {"platform": platform_id, "what": "tasks_back"}, style="primary"),
        ],
        footer=_("Crowd reports from every community the bot serves; each member counts once."),
    )


async def all_status(app: App, now: datetime) -> Reply:
    """The public status of every platform with recent reports, worst first."""
    at = unix(now)
    shown = worst_first(await app.availability.statuses(now, projects=False))
    if not shown:
        return Reply(
            title=_("Task availability"),
            blocks=[_("No one has reported an empty queue or tasks coming back in the last {span}.").format(
                        span=describe_span(LOOKBACK)),
                    _("Seeing an empty queue? /report <platform> drought")],
        )
    lines = []
    for status in shown[:MAX_LISTED]:
        ref = get_platform(app, status.platform)
        lines.append(f"{ref.name if ref else status.platform}: {summary(status, at)}")
    if len(shown) > MAX_LISTED:
        lines.append(_("…and {count} more; /status <platform> shows one in detail.").format(
            count=number(len(shown) - MAX_LISTED)))
    return Reply(
        title=_("Task availability: {platforms} with recent reports").format(
            platforms=plural(len(shown), "platform", "platforms")),
        blocks=["\n".join(lines)],
        footer=_("Worst first. /status <platform> for details and the “me too” button."),
    )
