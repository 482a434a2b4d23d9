"""/report: a member reports what they see on a platform (empty queue, tasks back, project or payment news)."""

from __future__ import annotations

from functools import lru_cache

from bot.core import i18n
from bot.core.declarations import Choice, Command, Param
from bot.core.i18n import N_, Localized, _
from bot.core.model import Button, Invocation, Reply
from bot.core.timetext import describe_span
from bot.features.availability.status import MIN_DURATION, MIN_REPORTERS
from bot.features.knowledge.platforms import platform_for, platform_param
from bot.features.reports import reliability
from bot.features.reports.kinds import KINDS, REPORT_WHATS, kind_aliases
from bot.features.reports.recording import NOTE_MAX, Recorded

PROJECT_NEWS = N_("It shows under the platform's /status for 14 days, so no one mistakes it for a platform drought.")
PAYMENT_NEWS = N_("It counts in the payment record /legit shows (x of n, last {days} days and all time).")
HOW_IT_COUNTS = Localized({
    "drought": N_("I call a drought likely once at least {members} members report one and it has held for "
                  "{minutes} minutes."),
    "tasks_back": N_("Enough “tasks are back” reports turn the status back to tasks flowing, and subscribers hear "
                     "of it."),
    "project_paused": PROJECT_NEWS,
    "project_ended": PROJECT_NEWS,
    "paid_on_time": PAYMENT_NEWS,
    "paid_late": PAYMENT_NEWS,
    "payment_missing": PAYMENT_NEWS,
    "account_restricted": N_("It counts in the platform's restriction reports for the last 90 days."),
})
WORDINGS_KEPT = 2048  # acknowledgement wordings remembered (locale, platform, kind, project, ...)
COUNTS = {"days": reliability.RECENT_SPAN // 86400, "members": MIN_REPORTERS, "minutes": MIN_DURATION // 60}


def acknowledgement(name: str, recorded: Recorded, extra: str = "", note: bool = False) -> Reply:
    """The private reply to a report: what was recorded (or which earlier report it refreshed) and how it counts."""
    title, blocks = _worded(i18n.current(), name, recorded.kind, recorded.project_name, recorded.window,
                            recorded.refreshed, extra, note)
    buttons = [Button(_("My reports"), "myreports")]
    if recorded.kind in ("drought", "tasks_back"):
        buttons.insert(0, Button(_("Status"), "status", {"platform": recorded.platform}))
    return Reply(title=title, blocks=list(blocks), buttons=buttons, ephemeral=True)


@lru_cache(maxsize=WORDINGS_KEPT)  # every report is acknowledged; most say the same as many before them
def _worded(locale: str, name: str, kind: str, project_name: str, window: int, refreshed: bool, extra: str,
            note: bool) -> tuple[str, tuple[str, ...]]:
    """The title and text blocks of an acknowledgement in `locale` (the current one, which `_` reads: a key here)."""
    what = _(KINDS[kind].label)
    project = ", " + _("project “{name}”").format(name=project_name) if project_name else ""
    span = describe_span(window)
    counts = (HOW_IT_COUNTS.get(kind) or "").format(**COUNTS)
    if refreshed:
        title = _("Updated your earlier report")
        blocks = [_("Updated: {name} — {what}").format(name=name, what=what) + f"{project}.{extra}",
                  _("You had already reported this within {span}, so I updated your earlier report (its time and "
                    "details) instead of counting you twice.").format(span=span) + " " + counts]
    else:
        title = _("Thanks, report recorded")
        blocks = [_("Recorded: {name} — {what}").format(name=name, what=what) + f"{project}.{extra}",
                  _("It counts once per person: the same report again within {span} refreshes this one instead of "
                    "adding another.").format(span=span) + " " + counts]
    if note:
        blocks.append(_("Your note is shown only to moderators."))
    return title, tuple(b.strip() for b in blocks)


async def report(
    inv: Invocation, platform: str, what: str, project: str | None = None, note: str | None = None
) -> Reply:
    """Record a crowd report."""
    ref = platform_for(inv, platform)
    recorded = await inv.app.reports.record(
        inv.actor, inv.place.community_key, ref.id, what, inv.now, project=project, note=note
    )
    return acknowledgement(ref.name, recorded, note=bool(note and note.strip()))


COMMANDS = (
    Command(
        name="report",
        description=N_("Report what you see: empty queue, tasks back, project paused/ended, payment news"),
        handler=report,
        params=(
            platform_param(),
            Param("what", N_("What happened, e.g. drought (EQ, dry, no tasks) or tasks_back (back)"),
                  choices=tuple(Choice(k, KINDS[k].label, kind_aliases(k)) for k in REPORT_WHATS)),
            Param("project", N_("The project, if it is about one project (quote names with spaces)"),
                  required=False, max_length=60),
            Param("note", N_("A short note for moderators (up to 200 characters)"), required=False,
                  max_length=NOTE_MAX),
        ),
        examples=("/report outlier drought", '/report dataannotation project_ended "Project Falcon"',
                  "/report appen paid_late"),
        help=N_("One report per person counts per platform, kind and project in a window; repeating it refreshes "
        "it. Reports are stored under a keyed hash of your account, never your name. /myreports lists yours."),
    ),
)
