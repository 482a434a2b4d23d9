"""What a state change means to people following a platform: a drought started, or tasks flow again after one.

Alerts and the digest read state changes (status_events rows) through these, so they agree on what happened.
A move from a drought to mixed reports is not the end of it; tasks flowing again, after a drought with no
flowing in between, is.
"""

from __future__ import annotations

from storage import status_events
from storage.database import Executor, Row


def starts_drought(event: Row) -> bool:
    """True when the change makes a drought likely."""
    return event["new_state"] == "drought" and event["old_state"] != "drought"


async def ends_drought(db: Executor, event: Row) -> bool:
    """True when the change is to tasks flowing and the last drought-or-flowing state before it was a drought."""
    if event["new_state"] != "flowing":
        return False
    if event["old_state"] == "drought":
        return True
    before = await status_events.last_state_among(db, event["platform"], event["project"], event["id"],
                                                  ("drought", "flowing"))
    return before == "drought"
