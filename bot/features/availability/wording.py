"""The availability states in words, their one home: labels, the summary line and the explanation.

/status (availability/reply.py), alerts (alerts/alerts.py) and the digest (digest/) say a state only through
these, so one state reads the same everywhere. A state with no clear signal ("none") is told apart by why:
nothing reported, drought reports still building, or too few reports.
"""

from __future__ import annotations

from bot.core.i18n import N_, _, ngettext, number
from bot.core.plural import plural
from bot.core.timetext import describe_age, describe_span
from bot.features.availability.status import LOOKBACK, Status

STATE_LABELS = {
    "drought": N_("drought likely"),
    "mixed": N_("mixed reports"),
    "none": N_("no recent reports"),
    "flowing": N_("tasks flowing"),
}
BUILDING = N_("drought reports building")  # drought evidence that has not yet held MIN_DURATION
TOO_FEW = N_("too few reports to say")


def state_label(state: str) -> str:
    """A stored state in words (an event's old or new state)."""
    return _(STATE_LABELS[state]) if state in STATE_LABELS else state


def label(status: Status) -> str:
    """A status in words: its state, or for no clear state, why there is none."""
    if status.state != "none":
        return _(STATE_LABELS[status.state])
    if status.pending_until is not None:
        return _(BUILDING)
    if status.n or status.unconfirmed:
        return _(TOO_FEW)
    return _(STATE_LABELS["none"])


def confidence_label(confidence: float) -> str:
    """Confidence in words."""
    if confidence >= 0.7:
        return _("high")
    if confidence >= 0.4:
        return _("medium")
    return _("low")


def summary(status: Status, now: int) -> str:
    """One line: the label, n, and for a clear state its confidence and since when ("since 35 min ago")."""
    text = label(status)
    if status.n:
        text += f" · n = {status.n}"
    if status.state != "none":
        text += " · " + _("{level} confidence").format(level=confidence_label(status.confidence))
        if status.since is not None:
            text += " · " + _("since {age}").format(age=describe_age(now - status.since))
    if status.unconfirmed:
        text += f" · {plural(status.unconfirmed, 'unconfirmed report', 'unconfirmed reports')}"
    return text


def _unconfirmed_note(status: Status) -> str:
    if not status.unconfirmed:
        return ""
    return " " + _("{reports} came in a burst from new reporters, so they cannot change the status on their "
                   "own.").format(reports=plural(status.unconfirmed, "unconfirmed report", "unconfirmed reports"))


def explanation(status: Status, now: int, projects: int = 0) -> str:
    """What the status is made of, and what would change it; `projects`: how many of its projects have reports
    of their own (they do not make the platform's status)."""
    if status.n == 0:
        span = describe_span(LOOKBACK)
        text = (_("No one has reported an empty queue or tasks coming back about the platform as a whole in the "
                  "last {span}.") if projects else
                _("No one has reported an empty queue or tasks coming back in the last {span}.")).format(span=span)
        below = " " + ngettext("{count} project with reports of its own below.",
                               "{count} projects with reports of their own below.",
                               projects).format(count=number(projects)) if projects else ""
        return f"{text}{_unconfirmed_note(status)}{below}"
    text = _("{dry} reported no tasks, {back} tasks back.").format(
        dry=plural(status.drought_n, "member", "members"),
        back=plural(status.flowing_n, "member", "members")) + _unconfirmed_note(status)
    if status.pending_until is not None:
        minutes = max(1, (status.pending_until - now + 59) // 60)
        return text + " " + _("Drought reports are building: I'll call it a drought if they hold for {minutes} more "
                              "min.").format(minutes=number(minutes))
    if status.state == "none" and status.drought_n and status.drought_n < status.needed:
        usual = " " + _("(usual at this time of week: {baseline})").format(
            baseline=number(status.baseline, 1)) if status.baseline else ""
        return text + " " + _("A drought needs at least {members} reporting one{usual}.").format(
            members=plural(status.needed, "member", "members"), usual=usual)
    return text
