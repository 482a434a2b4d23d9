"""SQL for moderation: hiding reports, bars, the audit log and community notes."""

from __future__ import annotations

from collections.abc import Sequence

from storage.database import Database, Executor, Row, one_of

FEW_REPORTERS = 500  # up to this many, their bars are looked up by reporter; more, the active bars are read whole


async def report_in_community(db: Database, report_id: int, community: str) -> Row | None:
    """A report made in this community, or None (reports from elsewhere are invisible to its moderators)."""
    return await db.fetchone("SELECT * FROM reports WHERE id = ? AND community = ?", (report_id, community))


async def report_by_id(db: Database, report_id: int) -> Row | None:
    """Any report, wherever it was made (for operators), or None."""
    return await db.fetchone("SELECT * FROM reports WHERE id = ?", (report_id,))


async def set_hidden(db: Executor, report_id: int, hidden: bool, reason: str | None) -> int:
    """Hide or unhide a report (migration 0019's triggers move it out of or into the aggregates); returns the rows
    changed."""
    return await db.execute(
        "UPDATE reports SET hidden = ?, hidden_reason = ? WHERE id = ?", (int(hidden), reason, report_id)
    )


async def add_log(
    db: Executor, community: str, actor: str, action: str, at: int,
    report_id: int | None = None, platform: str | None = None, reason: str = "",
) -> None:
    """Append one moderator action to the audit log (the actor as a keyed hash, never a name)."""
    await db.execute(
        "INSERT INTO moderation_log (community, actor, action, report_id, platform, reason, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (community, actor, action, report_id, platform, reason, at),
    )


async def recent_log(db: Database, community: str | None, limit: int) -> list[Row]:
    """The newest audit-log entries of a community (None: of every log), newest first."""
    if community is None:
        return await db.fetchall("SELECT * FROM moderation_log ORDER BY at DESC, id DESC LIMIT ?", (limit,))
    return await db.fetchall(
        "SELECT * FROM moderation_log WHERE community = ? ORDER BY at DESC, id DESC LIMIT ?", (community, limit)
    )


async def put_bar(
    db: Executor, reporter: str, community: str, report_id: int, until: int, reason: str, at: int
) -> None:
    """Bar a reporter on behalf of a community (a new bar from the same community replaces the old one)."""
    await db.execute(
        "INSERT INTO reporter_bars (reporter, community, report_id, until, reason, at) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (reporter, community) DO UPDATE SET report_id = excluded.report_id, until = excluded.until, "
        "reason = excluded.reason, at = excluded.at",
        (reporter, community, report_id, until, reason, at),
    )


async def lift_bars(db: Executor, reporter: str, community: str | None) -> list[str]:
    """Lift this community's bar on a reporter (None: every bar on them); returns whose bars were lifted."""
    if community is None:
        rows = await db.fetchall("DELETE FROM reporter_bars WHERE reporter = ? RETURNING community", (reporter,))
    else:
        rows = await db.fetchall("DELETE FROM reporter_bars WHERE reporter = ? AND community = ? RETURNING community",
                                 (reporter, community))
    return sorted(row["community"] for row in rows)


async def bar_by_report(db: Database, report_id: int, community: str | None) -> Row | None:
    """This community's (None: anyone's) bar placed through a report (which may have been deleted since)."""
    if community is None:
        return await db.fetchone("SELECT * FROM reporter_bars WHERE report_id = ? LIMIT 1", (report_id,))
    return await db.fetchone(
        "SELECT * FROM reporter_bars WHERE report_id = ? AND community = ?", (report_id, community)
    )


async def active_bars(db: Database, reporters: Sequence[str], now: int) -> dict[str, Row]:
    """The longest-running active bar of each barred reporter among these."""
    wanted = set(reporters)
    if len(wanted) > FEW_REPORTERS:  # many reporters (a whole 6-hour window): the active bars, a few, in one range
        rows = await db.fetchall("SELECT * FROM reporter_bars WHERE until > ? ORDER BY until", (now,))
        return {row["reporter"]: row for row in rows if row["reporter"] in wanted}
    among, params = one_of(db.dialect, "reporter", wanted)
    rows = await db.fetchall(f"SELECT * FROM reporter_bars WHERE until > ? AND {among} ORDER BY until", (now, *params))
    return {row["reporter"]: row for row in rows}


async def set_note(db: Executor, community: str, platform: str, text: str, author: str, at: int) -> None:
    """Set (or replace) a community's note about a platform."""
    await db.execute(
        "INSERT INTO community_notes (community, platform, text, author, at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (community, platform) DO UPDATE SET text = excluded.text, author = excluded.author, "
        "at = excluded.at",
        (community, platform, text, author, at),
    )


async def clear_note(db: Executor, community: str, platform: str) -> int:
    """Remove a community's note about a platform; returns the rows removed."""
    return await db.execute("DELETE FROM community_notes WHERE community = ? AND platform = ?", (community, platform))


async def get_note(db: Database, community: str, platform: str) -> Row | None:
    """A community's note about a platform, or None."""
    return await db.fetchone(
        "SELECT * FROM community_notes WHERE community = ? AND platform = ?", (community, platform)
    )


async def forget_moderation(db: Database, person_key: str, now: int) -> list[tuple[str, int]]:
    """Remove a person's expired bars; unlink them from the audit log entries and notes they wrote."""
    async with db.transaction() as tx:
        bars = await tx.execute("DELETE FROM reporter_bars WHERE reporter = ? AND until <= ?", (person_key, now))
        log = await tx.execute("UPDATE moderation_log SET actor = '' WHERE actor = ?", (person_key,))
        notes = await tx.execute("UPDATE community_notes SET author = '' WHERE author = ?", (person_key,))
    return [
        ("expired reporting bars", bars),
        ("moderation log entries (no longer linked to you, the actions kept)", log),
        ("community notes (no longer linked to you)", notes),
    ]


async def all_active_bars(db: Database, now: int) -> list[Row]:
    """Every bar still in force, shortest first."""
    return await db.fetchall("SELECT * FROM reporter_bars WHERE until > ? ORDER BY until", (now,))


async def community_reports(db: Database, community: str | None, platform: str | None, limit: int) -> list[Row]:
    """The newest reports made in a community (None: everywhere; hidden ones too), optionally of one platform."""
    where, params = ("community = ?", [community]) if community is not None else ("1 = 1", [])
    if platform:
        where, params = where + " AND platform = ?", [*params, platform]
    return await db.fetchall(
        f"SELECT * FROM reports WHERE {where} ORDER BY updated_at DESC, id DESC LIMIT ?", (*params, limit)
    )
