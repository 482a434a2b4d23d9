"""What a state change means to people following a platform: a drought started, or tasks flow again after one.

Alerts and the digest read state changes (status_events rows) through these, so they agree on what happened.
A move from a drought to mixed reports is not the end of it; tasks flowing again, after a drought with no
flowing in between, is.
"""

from __future__ import annotations

from collections.abc import Sequence

from storage import status_events
from storage.database import Executor, Row

EPISODE_STATES = ("drought", "flowing")  # the states that open or close a drought


def starts_drought(event: Row) -> bool:
    """True when the change makes a drought likely."""
    return event["new_state"] == "drought" and event["old_state"] != "drought"


async def drought_endings(db: Executor, events: Sequence[Row]) -> set[int]:
    """The ids of the events (oldest first) that end a drought: a change to tasks flowing whose last drought-or-
    flowing state before it was a drought. What came before the first event is read once per platform (or
    project), and only when it matters: all those look-ups in one statement."""
    unknown = []
    seen: set[tuple[str, str]] = set()
    for event in events:  # the events whose state before them is not told by an earlier event
        key = (event["platform"], event["project"])
        if key not in seen and event["new_state"] == "flowing" and event["old_state"] != "drought":
            unknown.append((*key, event["id"]))
        if event["new_state"] in EPISODE_STATES or event["old_state"] in EPISODE_STATES:
            seen.add(key)
    stored = await status_events.last_states_among(db, unknown, EPISODE_STATES)
    last: dict[tuple[str, str], str | None] = {}
    endings = set()
    for event in events:
        key = (event["platform"], event["project"])
        if event["new_state"] == "flowing":
            before = "drought" if event["old_state"] == "drought" else last.get(key, "?")
            if before == "?":
                before = stored[event["id"]]
            if before == "drought":
                endings.add(event["id"])
        if event["new_state"] in EPISODE_STATES:
            last[key] = event["new_state"]
        elif key not in last and event["old_state"] in EPISODE_STATES:
            last[key] = event["old_state"]
    return endings
