"""The kinds of report members file: the one home of their names, labels, windows and groups."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.i18n import N_, _

HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True)
class Kind:
    """A kind of report: its stored name, how people say it, and its dedupe window in seconds."""

    name: str
    label: str
    window: int


# One counted report per person per platform per kind (and project) per window; a repeat refreshes it.
KINDS = {
    k.name: k
    for k in (
        # Availability changes within hours; a repeat within 6 h says "still true" and refreshes the time.
        Kind("drought", N_("no tasks (empty queue)"), 6 * HOUR),
        Kind("tasks_back", N_("tasks are back"), 6 * HOUR),
        # Project and payment news is weekly: payouts are weekly or twice a week on most platforms.
        Kind("project_paused", N_("project paused"), 7 * DAY),
        Kind("project_ended", N_("project ended"), 7 * DAY),
        Kind("paid_on_time", N_("paid on time"), 7 * DAY),
        Kind("paid_late", N_("paid late"), 7 * DAY),
        Kind("payment_missing", N_("payment missing"), 7 * DAY),
        Kind("account_restricted", N_("account restricted"), 7 * DAY),
        # Pay and onboarding are slow facts: one pay figure per person a month, one onboarding story a year.
        Kind("payrate", N_("hourly pay"), 30 * DAY),
        Kind("onboarding", N_("onboarding hours"), 365 * DAY),
    )
}
# The words members use for a kind, beside its name and label: /report accepts any of them (typed lines,
# Telegram, and Discord, whose option then autocompletes from them instead of offering fixed choices).
ALIASES = {
    "drought": ("eq", "empty queue", "empty", "dry", "dried up", "no tasks", "no work", "none", "nothing",
                "queue empty", "zero tasks"),
    "tasks_back": ("back", "flowing", "tasks flowing", "tasks available", "available", "work back",
                   "queue back", "have tasks", "got tasks"),
    "project_paused": ("paused", "project on hold", "on hold"),
    "project_ended": ("ended", "project over", "over", "project done", "project gone", "removed"),
    "paid_on_time": ("paid", "on time", "got paid", "payment received"),
    "paid_late": ("late", "late payment", "payment late", "delayed", "payment delayed"),
    "payment_missing": ("missing", "not paid", "unpaid", "no payment", "payment not received", "never paid"),
    "account_restricted": ("restricted", "banned", "suspended", "deactivated", "locked", "account banned",
                           "account suspended", "account deactivated"),
}
AVAILABILITY_KINDS = ("drought", "tasks_back")  # what the status is computed from
PROJECT_KINDS = ("project_paused", "project_ended")
PROBLEM_KINDS = ("paid_late", "payment_missing")
PAYMENT_KINDS = ("paid_on_time", *PROBLEM_KINDS)
REPORT_WHATS = tuple(k for k in KINDS if k not in ("payrate", "onboarding"))  # the choices of /report


def kind_aliases(kind: str) -> tuple[str, ...]:
    """The other words members use for a kind of report (none for pay and onboarding, which have commands)."""
    return ALIASES.get(kind, ())


def label(kind: str) -> str:
    """How people say a kind of report, e.g. 'paid late'."""
    return _(KINDS[kind].label)
