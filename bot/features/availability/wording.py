"""The availability states in words, their one home: labels, the summary line and the explanation.

/status (availability/reply.py), alerts (alerts/alerts.py) and the digest (digest/) say a state only through
these, so one state reads the same everywhere. A state with no clear signal ("none") is told apart by why:
nothing reported, drought reports still building, or too few reports.
"""

from __future__ import annotations

from bot.core.plural import plural
from bot.core.timetext import describe_age, describe_span
from bot.features.availability.status import LOOKBACK, Status

STATE_LABELS = {
    "drought": "drought likely",
    "mixed": "mixed reports",
    "none": "no recent reports",
    "flowing": "tasks flowing",
}
BUILDING = "drought reports building"  # drought evidence that has not yet held MIN_DURATION
TOO_FEW = "too few reports to say"


def state_label(state: str) -> str:
    """A stored state in words (an event's old or new state)."""
    return STATE_LABELS.get(state, state)


def label(status: Status) -> str:
    """A status in words: its state, or for no clear state, why there is none."""
    if status.state != "none":
        return STATE_LABELS[status.state]
    if status.pending_until is not None:
        return BUILDING
    if status.n or status.unconfirmed:
        return TOO_FEW
    return STATE_LABELS["none"]


def confidence_label(confidence: float) -> str:
    """Confidence in words."""
    if confidence >= 0.7:
        return "high"
    if confidence >= 0.4:
        return "medium"
    return "low"


def summary(status: Status, now: int) -> str:
    """One line: the label, n, and for a clear state its confidence and since when ("since 35 min ago")."""
    text = label(status)
    if status.n:
        text += f" · n = {status.n}"
    if status.state != "none":
        text += f" · {confidence_label(status.confidence)} confidence"
        if status.since is not None:
            text += f" · since {describe_age(now - status.since)}"
    if status.unconfirmed:
        text += f" · {plural(status.unconfirmed, 'unconfirmed report')}"
    return text


def _unconfirmed_note(status: Status) -> str:
    if not status.unconfirmed:
        return ""
    return (f" {plural(status.unconfirmed, 'unconfirmed report')} came in a burst from new reporters, so they cannot "
            "change the status on their own.")


def explanation(status: Status, now: int, projects: int = 0) -> str:
    """What the status is made of, and what would change it; `projects`: how many of its projects have reports
    of their own (they do not make the platform's status)."""
    if status.n == 0:
        whole = " about the platform as a whole" if projects else ""
        below = f" {plural(projects, 'project')} with reports of its own below." if projects else ""
        return (f"No one has reported an empty queue or tasks coming back{whole} in the last "
                f"{describe_span(LOOKBACK)}.{_unconfirmed_note(status)}{below}")
    text = (f"{plural(status.drought_n, 'member')} reported no tasks, {plural(status.flowing_n, 'member')} tasks "
            "back." + _unconfirmed_note(status))
    if status.pending_until is not None:
        minutes = max(1, (status.pending_until - now + 59) // 60)
        return f"{text} Drought reports are building: I'll call it a drought if they hold for {minutes} more min."
    if status.state == "none" and status.drought_n and status.drought_n < status.needed:
        usual = f" (usual at this time of week: {status.baseline:.1f})" if status.baseline else ""
        return f"{text} A drought needs at least {plural(status.needed, 'member')} reporting one{usual}."
    return text
