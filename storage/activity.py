"""Who took part in a window: the people with a visible report in [start, end), per scope, from migration 0026's
reporter_activity (each person's latest visible report per scope) and activity_hours (how many people have their
latest report in each hour, for the scopes '', 'p:' and 'k:').

While no visible report is at or after a window's end (`answers_for`: the digest of the week before now), a person
reported in [start, end) exactly when their latest report is at or after start: the count is a sum over the
window's whole hours plus a range of the index at its first, partial hour, so its cost grows with the hours and the
scopes, not with the reports in the window. An older window is read from the reports by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence

from storage.database import Database, Executor

HOUR = 3600
TABLES = ("reporter_activity", "activity_hours")
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


_HOURLY = ("p:", "k:")  # with EVERYONE, the scopes activity_hours keeps

# The statements that recompute both tables from the reports (migration 0026's), after their rows are deleted.
REBUILD = (
    "INSERT INTO reporter_activity (scope, reporter, latest) "
    "WITH found AS MATERIALIZED (SELECT reporter, platform, kind, project, community, max(updated_at) AS latest "
    "FROM reports WHERE hidden = 0 GROUP BY reporter, platform, kind, project, community) "
    "SELECT '', reporter, max(latest) FROM found GROUP BY reporter "
    "UNION ALL SELECT 'p:' || platform, reporter, max(latest) FROM found GROUP BY platform, reporter "
    "UNION ALL SELECT 'c:' || community, reporter, max(latest) FROM found WHERE community IS NOT NULL "
    "GROUP BY community, reporter "
    "UNION ALL SELECT 'k:' || platform || '|' || kind, reporter, max(latest) FROM found "
    f"WHERE kind IN {PAYMENT_KINDS} GROUP BY platform, kind, reporter "
    "UNION ALL SELECT 'j:' || platform || '|' || kind || '|' || project, reporter, max(latest) FROM found "
    f"WHERE kind IN {PROJECT_KINDS} AND project <> '' GROUP BY platform, kind, project, reporter",
    "INSERT INTO activity_hours (scope, hour, n) SELECT scope, latest - latest % 3600, count(*) "
    "FROM reporter_activity WHERE scope = '' OR substr(scope, 1, 2) IN ('p:', 'k:') "
    "GROUP BY scope, latest - latest % 3600",
)


async def answers_for(db: Executor, end: int) -> bool:
    """Whether the activity answers for windows ending at `end`: no visible report is at or after it."""
    return await db.fetchone("SELECT 1 FROM reporter_activity WHERE scope = '' AND latest >= ? LIMIT 1",
                             (end,)) is None


async def people(db: Executor, scopes: Sequence[str], start: int) -> dict[str, int]:
    """Per scope, the people whose latest visible report in it is at or after `start` (scopes without any: left
    out). See `answers_for` for when that is "the people who reported in [start, end)"."""
    hourly = [s for s in scopes if s == EVERYONE or s.startswith(_HOURLY)]
    counted = [s for s in scopes if not (s == EVERYONE or s.startswith(_HOURLY))]
    lo = -(-start // HOUR) * HOUR
    selects: list[str] = []
    params: list = []
    if hourly:
        marks = ",".join("?" * len(hourly))
        selects.append(f"SELECT scope, sum(n) FROM activity_hours WHERE scope IN ({marks}) AND hour >= ? "
                       "GROUP BY scope")
        selects.append(f"SELECT scope, count(*) FROM reporter_activity WHERE scope IN ({marks}) AND latest >= ? "
                       "AND latest < ? GROUP BY scope")
        params += [*hourly, lo, *hourly, start, lo]
    if counted:
        selects.append(f"SELECT scope, count(*) FROM reporter_activity WHERE scope IN ({','.join('?' * len(counted))}) "
                       "AND latest >= ? GROUP BY scope")
        params += [*counted, start]
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


async def rebuild(db: Database) -> None:
    """Recompute both tables from the reports, in one transaction."""
    async with db.transaction() as tx:
        for table in TABLES:
            await tx.execute(f"DELETE FROM {table}")
        for statement in REBUILD:
            await tx.execute(statement)
