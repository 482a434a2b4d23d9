"""Who took part in a window: the people with a visible report in [start, end), per scope, from migration 0026's
reporter_activity (each person's latest visible report per scope) and activity_hours (how many people have their
latest report in each hour, for the scopes '', 'p:' and 'k:').

New reports and repeats are taken in batches (`catch_up`), not in each report's statement; reports going out are
put right by migration 0026's triggers. While every report is taken and none is at or after a window's end
(`answers_for`: the digest of the week before now), a person reported in [start, end) exactly when their latest
report is at or after start: the count is a sum over the window's whole hours plus a range of the index at its
first, partial hour, so its cost grows with the hours and the scopes, not with the reports in the window. Any other
window is read from the reports by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence

from storage.database import Database, Executor, one_of

HOUR = 3600
TABLES = ("reporter_activity", "activity_hours")
MARGIN = 300  # a batch looks again at the repeats of the 5 minutes before the last one (clocks, slow commits)
CHUNK = 20_000  # new reports a batch takes at most: a backlog (after an upgrade) goes a short transaction at a time
EVERYONE = ""
PAYMENT_KINDS = ("paid_on_time", "paid_late", "payment_missing")  # the kinds with a 'k:' scope (as 0026's triggers)
PROJECT_KINDS = ("project_paused", "project_ended")  # the kinds with a 'j:' scope, for a named project


def platform_scope(platform: str) -> str:
    """The scope of one platform's reports."""
    return f"p:{platform}"


def community_scope(community: str) -> str:
    """The scope of the reports made in one community."""
    return f"c:{community}"


def kind_scope(platform: str, kind: str) -> str:
    """The scope of one platform's payment reports of one kind."""
    return f"k:{platform}|{kind}"


_HOURLY = ("p:", "k:")  # with EVERYONE, the scopes activity_hours keeps (_HOURLY_SQL in SQL)


def _scoped(rows: str) -> str:
    """Each of `rows` (reporter, platform, kind, project, community, updated_at) in each of its scopes."""
    return (f"SELECT '' AS scope, reporter, updated_at FROM {rows} "
            f"UNION ALL SELECT 'p:' || platform, reporter, updated_at FROM {rows} "
            f"UNION ALL SELECT 'c:' || community, reporter, updated_at FROM {rows} WHERE community IS NOT NULL "
            f"UNION ALL SELECT 'k:' || platform || '|' || kind, reporter, updated_at FROM {rows} "
            f"WHERE kind IN {PAYMENT_KINDS} "
            f"UNION ALL SELECT 'j:' || platform || '|' || kind || '|' || project, reporter, updated_at FROM {rows} "
            f"WHERE kind IN {PROJECT_KINDS} AND project <> ''")


_HOURLY_SQL = "(scope = '' OR substr(scope, 1, 2) IN ('p:', 'k:'))"
_HOUR_OF = "{0} - {0} % 3600"

# The statements that recompute the tables from the reports, after their rows are deleted; then START, with the
# time from which the batches look for repeats.
REBUILD = (
    "INSERT INTO reporter_activity (scope, reporter, latest) "
    "WITH found AS MATERIALIZED (SELECT reporter, platform, kind, project, community, max(updated_at) AS updated_at "
    "FROM reports WHERE hidden = 0 GROUP BY reporter, platform, kind, project, community) "
    f"SELECT scope, reporter, max(updated_at) FROM ({_scoped('found')}) AS s GROUP BY scope, reporter",
    f"INSERT INTO activity_hours (scope, hour, n) SELECT scope, {_HOUR_OF.format('latest')}, count(*) "
    f"FROM reporter_activity WHERE {_HOURLY_SQL} GROUP BY scope, {_HOUR_OF.format('latest')}",
)
START = "INSERT INTO activity_progress (id, last_id, last_at) SELECT 1, coalesce(max(id), 0), ? FROM reports"

# A batch: the new reports (ids after `last_id`, up to a top) and the repeats (updated since a time), per scope and
# person, where they move a latest time up (`was`: the time before); then the hours those people leave and join,
# then the times themselves.
_BATCH_TABLE = {
    "sqlite": "CREATE TEMP TABLE IF NOT EXISTS activity_batch (scope TEXT NOT NULL, reporter TEXT NOT NULL, "
              "latest INTEGER NOT NULL, was INTEGER, PRIMARY KEY (scope, reporter)) WITHOUT ROWID",
    "postgresql": "CREATE TEMP TABLE IF NOT EXISTS activity_batch (scope TEXT COLLATE \"C\" NOT NULL, "
                  "reporter TEXT NOT NULL, latest BIGINT NOT NULL, was BIGINT, PRIMARY KEY (scope, reporter)) "
                  "ON COMMIT DELETE ROWS",
}
_TAKE = (  # parameters: last_id, top, since
    "INSERT INTO activity_batch (scope, reporter, latest, was) "
    "WITH fresh AS MATERIALIZED (SELECT reporter, platform, kind, project, community, updated_at FROM reports "
    "WHERE (id > ? AND id <= ? OR updated_at >= ?) AND hidden = 0), "
    f"b AS (SELECT scope, reporter, max(updated_at) AS latest FROM ({_scoped('fresh')}) AS s GROUP BY scope, reporter) "
    "SELECT b.scope, b.reporter, b.latest, a.latest FROM b LEFT JOIN reporter_activity a "
    "ON a.scope = b.scope AND a.reporter = b.reporter WHERE a.latest IS NULL OR a.latest < b.latest")
_MOVE = (  # no parameters
    "UPDATE activity_hours SET n = n - (SELECT count(*) FROM activity_batch x WHERE x.scope = activity_hours.scope "
    f"AND {_HOUR_OF.format('x.was')} = activity_hours.hour AND {_HOUR_OF.format('x.latest')} > activity_hours.hour) "
    f"WHERE (scope, hour) IN (SELECT scope, {_HOUR_OF.format('was')} FROM activity_batch WHERE was IS NOT NULL "
    f"AND {_HOURLY_SQL})",
    f"DELETE FROM activity_hours WHERE n <= 0 AND (scope, hour) IN (SELECT scope, {_HOUR_OF.format('was')} "
    "FROM activity_batch WHERE was IS NOT NULL)",
    f"INSERT INTO activity_hours (scope, hour, n) SELECT scope, {_HOUR_OF.format('latest')}, count(*) "
    f"FROM activity_batch WHERE {_HOURLY_SQL} AND (was IS NULL OR {_HOUR_OF.format('was')} < "
    f"{_HOUR_OF.format('latest')}) GROUP BY scope, {_HOUR_OF.format('latest')} "
    "ON CONFLICT (scope, hour) DO UPDATE SET n = activity_hours.n + excluded.n",
    "INSERT INTO reporter_activity (scope, reporter, latest) SELECT scope, reporter, latest FROM activity_batch "
    "WHERE true ON CONFLICT (scope, reporter) DO UPDATE SET latest = excluded.latest",
)
_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('reporter_activity', 26))"  # as 0026's trigger takes


async def catch_up(db: Database, now: int, batches: int | None = None) -> int:
    """Take the reports written since the last batch (new ones, and repeats from MARGIN before it) into the
    activity, at most CHUNK reports by id a transaction, until every report is taken or `batches` transactions
    are done; returns how many latest times moved."""
    moved, done = 0, 0
    while batches is None or done < batches:
        changed, finished = await _batch(db, now)
        moved, done = moved + changed, done + 1
        if finished:
            break
    return moved


async def _batch(db: Database, now: int) -> tuple[int, bool]:
    async with db.transaction() as tx:  # (one transaction: a report written meanwhile goes to the next batch)
        if tx.dialect == "postgresql":
            await tx.fetchone(_LOCK)
        progress = await tx.fetchone("SELECT last_id, last_at FROM activity_progress")
        if progress is None:  # (a table emptied by hand: every report is new)
            await tx.execute("INSERT INTO activity_progress (id, last_id, last_at) VALUES (1, 0, 0)")
        last_id, last_at = progress or (0, 0)
        newest = (await tx.fetchone("SELECT coalesce(max(id), 0) FROM reports"))[0]
        top = min(newest, last_id + CHUNK)
        await tx.execute(_BATCH_TABLE[tx.dialect])
        await tx.execute("DELETE FROM activity_batch")
        await tx.execute(_TAKE, (last_id, top, min(last_at, now) - MARGIN))
        moved = (await tx.fetchone("SELECT count(*) FROM activity_batch"))[0]
        for statement in _MOVE:
            await tx.execute(statement)
        finished = top >= newest  # (a backlog's batches keep looking for repeats from where it began)
        await tx.execute("UPDATE activity_progress SET last_id = ?, last_at = ?",
                         (max(last_id, top), now if finished else last_at))
        return moved, finished


async def answers_for(db: Executor, end: int) -> bool:
    """Whether the activity answers for windows ending at `end`: every report is taken (`catch_up`) and no visible
    report is at or after `end`."""
    # The newest visible report's time, by one backward step along an index on both backends: as NOT EXISTS (...
    # updated_at > p.last_at) PostgreSQL guessed a third of the reports would match the unknown time and scanned the
    # table for the first (86 ms at 1M reports, where this takes 0.1 ms).
    row = await db.fetchone(
        "SELECT p.last_id >= coalesce((SELECT max(id) FROM reports), 0) AND coalesce(v.newest, -1) <= p.last_at "
        "AND coalesce(v.newest, -1) < ? FROM activity_progress p, (SELECT (SELECT updated_at FROM reports "
        "WHERE hidden = 0 ORDER BY updated_at DESC LIMIT 1) AS newest) AS v", (end,))
    return bool(row and row[0])


async def people(db: Executor, scopes: Sequence[str], start: int) -> dict[str, int]:
    """Per scope, the people whose latest visible report in it is at or after `start` (scopes without any: left
    out). See `answers_for` for when that is "the people who reported in [start, end)"."""
    hourly = [s for s in scopes if s == EVERYONE or s.startswith(_HOURLY)]
    counted = [s for s in scopes if s not in hourly]
    lo = -(-start // HOUR) * HOUR
    selects: list[str] = []
    params: list = []
    if hourly:
        among, values = one_of(db.dialect, "scope", hourly)
        selects.append(f"SELECT scope, sum(n) FROM activity_hours WHERE {among} AND hour >= ? GROUP BY scope")
        selects.append(f"SELECT scope, count(*) FROM reporter_activity WHERE {among} AND latest >= ? AND latest < ? "
                       "GROUP BY scope")
        params += [*values, lo, *values, start, lo]
    if counted:
        among, values = one_of(db.dialect, "scope", counted)
        selects.append(f"SELECT scope, count(*) FROM reporter_activity WHERE {among} AND latest >= ? GROUP BY scope")
        params += [*values, start]
    found: dict[str, int] = {}
    for scope, n in await db.fetchall(" UNION ALL ".join(selects), params) if selects else ():
        found[scope] = found.get(scope, 0) + int(n)
    return {scope: n for scope, n in found.items() if n > 0}


async def project_people(db: Executor, kinds: Sequence[str], start: int,
                         min_people: int = 1) -> list[tuple[str, str, str, int, int]]:
    """(platform, project, kind, people, last) of the named projects with a report of these kinds by at least
    `min_people` people whose latest is at or after `start` (last: the latest of those reports)."""
    rows = await db.fetchall(
        "SELECT scope, count(*), max(latest) FROM reporter_activity WHERE scope >= 'j:' AND scope < 'j;' "
        "AND latest >= ? GROUP BY scope HAVING count(*) >= ?",
        (start, min_people),
    )
    found = []
    for scope, n, last in rows:
        platform, kind, project = scope[2:].split("|", 2)
        if kind in kinds:
            found.append((platform, project, kind, int(n), int(last)))
    return found


async def snapshot(db: Executor) -> dict[str, set[tuple]]:
    """Every row of both tables but the empty hours (to compare what was kept with what a rebuild gives)."""
    return {"reporter_activity": {tuple(r) for r in await db.fetchall("SELECT * FROM reporter_activity")},
            "activity_hours": {tuple(r) for r in await db.fetchall("SELECT * FROM activity_hours WHERE n != 0")}}


async def rebuild(db: Database, now: int) -> None:
    """Recompute the tables from the reports, in one transaction (`now`: the batches look for repeats from then)."""
    async with db.transaction() as tx:
        if tx.dialect == "postgresql":
            await tx.fetchone(_LOCK)
        for table in (*TABLES, "activity_progress"):
            await tx.execute(f"DELETE FROM {table}")
        for statement in REBUILD:
            await tx.execute(statement)
        await tx.execute(START, (now,))
