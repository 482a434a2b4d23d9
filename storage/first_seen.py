"""SQL for reporter_first_seen: when each reporter first reported, per community (kept by triggers on reports).

Migration 0014 creates the table, fills it from the stored reports and adds the triggers that keep it as
reports are written: a new report, or a report whose first time or community changes, lowers the time held
for (reporter, community) when it is earlier. Nothing lowers it back up: a retracted or hidden report was
still made. '' stands for a private chat (a primary key cannot hold NULL as one value); readers get None.
"""

from __future__ import annotations

from collections.abc import Sequence

from storage.database import Database, Executor, Row, one_of


async def firsts(db: Database, reporters: Sequence[str]) -> list[Row]:
    """(reporter, community, first_at) for these reporters: one row per community they reported in (None: private)."""
    among, params = one_of(db.dialect, "reporter", reporters)
    return await db.fetchall(
        f"SELECT reporter, nullif(community, '') AS community, first_at FROM reporter_first_seen WHERE {among}", params)


async def joined_since(db: Database, since: int) -> list[Row]:
    """(reporter, first_ever, latest_first) for each reporter with a first report somewhere (to the bot or in a
    community) since `since`: their earliest first report anywhere, and their latest first report in a community."""
    return await db.fetchall(
        "SELECT reporter, min(first_at) AS first_ever, max(first_at) AS latest_first FROM reporter_first_seen "
        "WHERE reporter IN (SELECT reporter FROM reporter_first_seen WHERE first_at >= ?) GROUP BY reporter",
        (since,),
    )


async def joined_by_reports_since(db: Database, since: int) -> list[Row]:
    """(reporter, first_ever, latest_first) as `joined_since` gives them, for each reporter with a report written
    (or written again) since `since`: every change to this table comes with such a write, so these are the rows
    that can have changed since a read at `since`."""
    return await db.fetchall(
        "SELECT reporter, min(first_at) AS first_ever, max(first_at) AS latest_first FROM reporter_first_seen "
        "WHERE reporter IN (SELECT reporter FROM reports WHERE updated_at >= ?) GROUP BY reporter",
        (since,),
    )


async def delete_reporter(db: Executor, reporter: str) -> int:
    """Delete a reporter's first-report times (/forget); returns the rows deleted."""
    return await db.execute("DELETE FROM reporter_first_seen WHERE reporter = ?", (reporter,))
