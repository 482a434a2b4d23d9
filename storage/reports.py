"""SQL for crowd reports and availability state. Times are unix seconds; reporters are keyed hashes.

Every query here is served by an index of storage/migrations/0003_reports.sql or 0014 (see the EXPLAIN QUERY PLAN
test). The per-reporter latest opinion uses SQLite's documented bare-column rule: with max(), the other
columns come from the row holding the maximum; PostgreSQL's form is DISTINCT ON. Where the dialects differ, a
statement comes in both (picked by `db.dialect`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from storage import aggregates
from storage.database import LEAST, Database, Executor, Row, one_of
from storage.multirow import RowInsert

_COLUMNS = """
INSERT INTO reports (reporter, platform, kind, project, window_start, created_at, updated_at, community,
                     amount, currency, hourly_usd, role, hours, paid, note)
VALUES """
_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_CONFLICT = """
ON CONFLICT (reporter, platform, kind, project, window_start) DO UPDATE SET
    created_at = {least}(reports.created_at, excluded.created_at),  -- a time stamped by a clock that ran ahead
    updated_at = excluded.updated_at,
    community  = coalesce(excluded.community, reports.community),
    amount     = excluded.amount,
    currency   = excluded.currency,
    hourly_usd = excluded.hourly_usd,
    role       = excluded.role,
    hours      = excluded.hours,
    paid       = excluded.paid,
    note       = coalesce(excluded.note, reports.note)"""
UPSERT_REPORTS = {dialect: _COLUMNS + _ROW + _CONFLICT.format(least=least) + "\n" for dialect, least in LEAST.items()}
UPSERT_REPORT = UPSERT_REPORTS["sqlite"]  # also run through sqlite3 itself (benchmarks)
# One report, as the bot records it: the same, counting repeats, so the member hears "updated your earlier report".
# (UPSERT_REPORT itself, for bulk loads, leaves `repeats` alone: it also runs on schemas before migration 0015.)
# Its RETURNING leads with the dedupe key, so concurrent reports may share one statement (storage/multirow.py).
UPSERT_ONE_REPORTS = {
    dialect: RowInsert(_COLUMNS, _ROW, _CONFLICT.format(least=least) + ",\n    repeats    = reports.repeats + 1\n"
                       "RETURNING reporter, platform, kind, project, window_start, repeats", key=5)
    for dialect, least in LEAST.items()}
UPSERT_ONE_REPORT = UPSERT_ONE_REPORTS["sqlite"]

# Report times later than a moment (stamped by a clock that ran ahead) brought back to a given time.
# Served by reports_by_kind_time: one range per kind.
CLAMP_FUTURE = {dialect: f"UPDATE reports SET created_at = {least}(created_at, ?), updated_at = {least}(updated_at, ?) "
                           "WHERE kind IN ({marks}) AND updated_at > ?" for dialect, least in LEAST.items()}
CLAMP_FUTURE_SQL = CLAMP_FUTURE["sqlite"]


@dataclass(slots=True)
class NewReport:
    """One report as it is written: the dedupe key, the times and the kind-specific values."""

    reporter: str
    platform: str
    kind: str
    project: str
    window_start: int
    at: int
    community: str | None = None
    amount: float | None = None
    currency: str | None = None
    hourly_usd: float | None = None
    role: str | None = None
    hours: float | None = None
    paid: bool | None = None
    note: str | None = None

    def values(self) -> tuple:
        """The parameters of UPSERT_REPORT, in order."""
        paid = None if self.paid is None else int(self.paid)
        return (self.reporter, self.platform, self.kind, self.project, self.window_start, self.at, self.at,
                self.community, self.amount, self.currency, self.hourly_usd, self.role, self.hours, paid, self.note)


async def upsert_report(db: Executor, report: NewReport) -> bool:
    """Record a report, or refresh the reporter's earlier one in the same window (one statement, group-committed
    with other reports; migration 0019's triggers move the aggregates); True when it refreshed one."""
    [row] = await db.write_returning(UPSERT_ONE_REPORTS[db.dialect], report.values())
    return row["repeats"] > 0


async def clamp_future(db: Executor, kinds: Sequence[str], later_than: int, to: int) -> int:
    """Bring every report time later than `later_than` back to `to`; returns how many reports changed."""
    return await db.execute(CLAMP_FUTURE[db.dialect].format(marks=_marks(kinds)), (to, to, *kinds, later_than))


async def upsert_many(db: Database, reports: Iterable[NewReport]) -> None:
    """Record many reports in one transaction (imports, benchmarks; also on schemas before migration 0015)."""
    await db.executemany(UPSERT_REPORTS[db.dialect], (report.values() for report in reports))


async def reports_of(db: Database, reporter: str, limit: int) -> list[Row]:
    """A reporter's most recent reports, newest first."""
    return await db.fetchall(
        "SELECT id, platform, kind, project, created_at, updated_at, amount, currency, role, hours, paid, hidden "
        "FROM reports WHERE reporter = ? ORDER BY updated_at DESC, id DESC LIMIT ?",
        (reporter, limit),
    )


async def count_of(db: Database, reporter: str) -> int:
    """How many reports a reporter has."""
    row = await db.fetchone("SELECT count(*) FROM reports WHERE reporter = ?", (reporter,))
    return int(row[0]) if row else 0


async def delete_report(db: Database, report_id: int, reporter: str) -> Row | None:
    """Delete one of the reporter's own reports; returns what it was, or None if it is not theirs."""
    rows = await db.write_returning(
        "DELETE FROM reports WHERE id = ? AND reporter = ? RETURNING id, platform, kind, project", (report_id, reporter)
    )
    return rows[0] if rows else None


async def projects_of(db: Database, reporter: str) -> list[tuple[str, str]]:
    """The (platform, project) pairs a reporter's reports name."""
    rows = await db.fetchall("SELECT DISTINCT platform, project FROM reports WHERE reporter = ? AND project != ''",
                             (reporter,))
    return [(row["platform"], row["project"]) for row in rows]


async def delete_reporter(db: Database, reporter: str) -> int:
    """Delete every report of a reporter; returns how many."""
    return await db.execute("DELETE FROM reports WHERE reporter = ?", (reporter,))


def _platform_filter(platform: str | None, column: str = "platform") -> tuple[str, tuple]:
    return (f"{column} = ? AND ", (platform,)) if platform is not None else ("", ())


def _marks(values: Sequence[str]) -> str:
    return ",".join("?" * len(values))


async def latest_opinions(db: Database, kinds: Sequence[str], platform: str | None, since: int) -> list[Row]:
    """Per platform, project and reporter: their latest availability report since `since`, with their trust.

    One row per reporter (platform-wide and per project): kind is the kind of their latest report, last_at
    its time, first_at when that report was first made (a repeat refreshes last_at, not first_at); agreements
    and contradictions are the reporter's settled trust (NULL: none settled yet), read in the same statement so a
    window's weights cost no lookups of their own. The query must hold exactly one max() for SQLite to take the
    bare columns from the latest row.
    """
    where, params = _platform_filter(platform, "r.platform")
    return await db.fetchall(LATEST_OPINIONS[db.dialect].format(where=where, marks=_marks(kinds)),
                             (*params, *kinds, since))


LATEST_OPINIONS = {
    # Trust is looked up once per opinion, after the grouping, not once per report before it (at 10M reports the
    # whole lookback's read took 199 ms that way, 139 ms this way).
    "sqlite": "SELECT o.*, t.agreements, t.contradictions FROM ("
              "SELECT r.platform, r.project, r.reporter, r.kind, max(r.updated_at) AS last_at, "
              "r.created_at AS first_at FROM reports r "
              "WHERE {where}r.kind IN ({marks}) AND r.updated_at >= ? AND r.hidden = 0 "
              "GROUP BY r.platform, r.project, r.reporter) AS o LEFT JOIN reporter_trust t ON t.reporter = o.reporter",
    "postgresql": "SELECT DISTINCT ON (r.platform, r.project, r.reporter) r.platform, r.project, r.reporter, r.kind, "
                  "r.updated_at AS last_at, r.created_at AS first_at, t.agreements, t.contradictions "
                  "FROM reports r LEFT JOIN reporter_trust t ON t.reporter = r.reporter "
                  "WHERE {where}r.kind IN ({marks}) AND r.updated_at >= ? AND r.hidden = 0 "
                  "ORDER BY r.platform, r.project, r.reporter, r.updated_at DESC, r.id DESC",
}


async def drought_reporters_in_slots(
    db: Database, platform: str | None, slots: Sequence[tuple[int, int]]
) -> list[Row]:
    """Per platform: the sum over time slots of distinct platform-wide drought reporters in each slot.

    Each slot is the DROUGHT_SLOT (6 h) before a whole hour: read from drought_slots, one row per slot and platform.
    """
    if any(stop - start != aggregates.DROUGHT_SLOT or stop % aggregates.HOUR for start, stop in slots):
        raise ValueError("baseline slots must be the 6 hours before a whole hour")
    return await aggregates.drought_reporters_at(db, platform, [stop for _start, stop in slots])


async def project_changes(db: Database, kinds: Sequence[str], platform: str | None, since: int) -> list[Row]:
    """Project reports of these kinds (paused, ended) since `since`, on one platform or on every one: platform,
    project, kind, distinct reporters and the latest, the latest first."""
    where, params = _platform_filter(platform)
    return await db.fetchall(
        "SELECT platform, project, kind, count(DISTINCT reporter) AS reporters, max(updated_at) AS last_at "
        f"FROM reports WHERE {where}kind IN ({_marks(kinds)}) AND updated_at >= ? AND hidden = 0 "
        "GROUP BY platform, project, kind ORDER BY last_at DESC",
        (*params, *kinds, since),
    )


async def last_report_at(db: Database, platform: str, kinds: Sequence[str]) -> int | None:
    """When anyone last reported one of these kinds about a platform as a whole (project ''), or None."""
    # One index seek per kind, newest first, instead of reading every report of those kinds.
    latest = " UNION ALL ".join(
        "SELECT (SELECT updated_at FROM reports WHERE platform = ? AND kind = ? AND hidden = 0 AND project = '' "
        "ORDER BY updated_at DESC LIMIT 1) AS at" for _kind in kinds
    )
    row = await db.fetchone(f"SELECT max(at) FROM ({latest})", tuple(v for kind in kinds for v in (platform, kind)))
    return None if row is None or row[0] is None else int(row[0])


async def pay_figures(db: Database, platform: str, since: int) -> list[Row]:
    """The ranks of the hourly pay figures (USD) reported since `since` that the median and quartiles need, per role
    ('' when not given) and all roles (aggregates.ALL_TAGS), and the count per role (see aggregates.figures). Each
    person counts once per 30-day window (the dedupe key)."""
    return await aggregates.figures(db, platform, "payrate", since)


async def onboarding_hours(db: Database, platform: str, since: int, ranked: Collection[str] | None = None) -> list[Row]:
    """The same for onboarding reports updated since `since`, by paid ('1', '0', '' unknown; hours of -1 were not
    given and are only counted), the ranks of the `ranked` tags only when given (the others are one look-up each).
    Bounded by time (callers pass a year: one onboarding report per person a year)."""
    return await aggregates.figures(db, platform, "onboarding", since, ranked)


async def kind_counts(db: Database, platform: str, kinds: Sequence[str], recent_since: int) -> list[Row]:
    """Per kind with visible reports: reports in total and since `recent_since` (kind, total, recent).

    The totals come from report_totals (kept by triggers), the recent counts from report_hours, so the cost
    grows with the hours of the recent window, not with all history.
    """
    return await aggregates.kind_counts(db, platform, kinds, recent_since)


StateChange = tuple[str, str, str, str, int, int, float]  # platform, project, old, new, at, reporters, confidence


async def load_states(db: Database) -> list[Row]:
    """Every stored current availability state."""
    return await db.fetchall("SELECT platform, project, state, since, reporters, confidence FROM availability_state")


async def save_changes(db: Database, changes: Sequence[StateChange]) -> list[StateChange]:
    """Store state changes (platform, project, old, new, at, reporters, confidence) as events and current states,
    each only while the stored state is still its `old` (another process may have stored the change first);
    returns the changes stored."""
    stored = []
    async with db.transaction() as tx:
        for platform, project, old, new, at, reporters, confidence in changes:
            values = (new, at, reporters, confidence, platform, project)
            moved = await tx.write_returning(
                "UPDATE availability_state SET state = ?, since = ?, reporters = ?, confidence = ? "
                "WHERE platform = ? AND project = ? AND state = ? RETURNING platform", (*values, old))
            if not moved and old == "none":  # never stored: the first state of a platform or project
                moved = await tx.write_returning(
                    "INSERT INTO availability_state (state, since, reporters, confidence, platform, project) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (platform, project) DO NOTHING RETURNING platform", values)
            if moved:
                stored.append((platform, project, old, new, at, reporters, confidence))
        if stored:
            await tx.executemany(
                "INSERT INTO status_events (platform, project, old_state, new_state, at, reporters, confidence) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", stored)
    return stored


async def recent_availability(db: Database, kinds: Sequence[str], since: int, platform: str | None,
                              reporters: Sequence[str]) -> list[Row]:
    """These reporters' visible reports of these kinds updated since `since`, with the community each was made in
    (seeks by the reporter-first unique key)."""
    where, params = _platform_filter(platform)
    among, values = one_of(db.dialect, "reporter", reporters)
    return await db.fetchall(
        "SELECT platform, project, reporter, community, updated_at FROM reports "
        f"WHERE {among} AND {where}kind IN ({_marks(kinds)}) AND updated_at >= ? AND hidden = 0",
        (*values, *params, *kinds, since),
    )


async def first_report_at(db: Database) -> int | None:
    """When the first stored report was made (unix seconds), or None."""
    row = await db.fetchone("SELECT created_at FROM reports ORDER BY id LIMIT 1")
    return None if row is None else int(row[0])


async def platform_reports_between(db: Database, platform: str, start: int, end: int) -> list[Row]:
    """Every community's visible reports on a platform updated in [start, end] (for the brigading guard)."""
    return await db.fetchall(
        "SELECT id, platform, reporter, community, updated_at FROM reports WHERE platform = ? AND hidden = 0 "
        "AND updated_at BETWEEN ? AND ?",
        (platform, start, end),
    )


async def export_rows(db: Database) -> list[Row]:
    """Every visible report with what the export needs (no id, community or note); the reporter hash is
    there only to count distinct people (bot/features/reports/export.py) and is never written out."""
    return await db.fetchall(
        "SELECT reporter, updated_at, platform, kind, project, amount, currency, hourly_usd, role, hours, paid "
        "FROM reports WHERE hidden = 0"
    )
