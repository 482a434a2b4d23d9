"""SQL for reporter trust: each reporter's judged days, and what settling them reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from storage.database import GREATEST, LEAST, Database, Executor, Row, lookup, one_of


async def trust_rows(db: Database, reporters: Sequence[str]) -> dict[str, Row]:
    """The trust rows of these reporters (absent: no settled reports yet)."""
    among, params = one_of(db.dialect, "reporter", reporters)
    return {row["reporter"]: row for row in await db.fetchall(f"SELECT * FROM reporter_trust WHERE {among}", params)}


# settled_until makes a settle's write idempotent: a reporter's totals up to a watermark are added once, so a
# settle written in several short transactions can be retried after an interruption without counting twice.
_ADD_TRUST = (
    "INSERT INTO reporter_trust (reporter, first_seen, agreements, contradictions, updated_at, settled_until) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (reporter) DO UPDATE SET "
    "first_seen = {least}(reporter_trust.first_seen, excluded.first_seen), "
    "agreements = reporter_trust.agreements + excluded.agreements, "
    "contradictions = reporter_trust.contradictions + excluded.contradictions, updated_at = excluded.updated_at, "
    "settled_until = {greatest}(reporter_trust.settled_until, excluded.settled_until) "
    "WHERE excluded.settled_until = 0 OR reporter_trust.settled_until < excluded.settled_until"
)
ADD_TRUSTS = {dialect: _ADD_TRUST.format(least=LEAST[dialect], greatest=GREATEST[dialect]) for dialect in LEAST}
ADD_TRUST = ADD_TRUSTS["sqlite"]


async def add_trust(
    db: Executor, reporter: str, first_seen: int, agreements: int, contradictions: int, at: int
) -> None:
    """Add agreements and contradictions to a reporter's record (not part of a settle: always added)."""
    await db.execute(ADD_TRUSTS[db.dialect], (reporter, first_seen, agreements, contradictions, at, 0))


async def add_settled(db: Executor, rows: Iterable[tuple[str, int, int, int, int, int]]) -> None:
    """Add a settle's (reporter, first_seen, agreements, contradictions, at, settled_until) in one statement;
    a reporter whose record is already settled up to that watermark is left as it is."""
    await db.executemany(ADD_TRUSTS[db.dialect], rows)


async def bring_back_settled(db: Executor, until: int) -> int:
    """Records settled past `until` (by a clock that ran ahead) marked as settled to `until`; how many."""
    return await db.execute("UPDATE reporter_trust SET settled_until = ? WHERE settled_until > ?", (until, until))


async def judgeable_reports(db: Database, kinds: Sequence[str], since: int, until: int) -> list[Row]:
    """Visible platform-wide reports of these kinds last updated in [since, until)."""
    return await db.fetchall(
        "SELECT reporter, platform, kind, updated_at FROM reports WHERE hidden = 0 AND project = '' "
        f"AND kind IN ({','.join('?' * len(kinds))}) AND updated_at >= ? AND updated_at < ?",
        (*kinds, since, until),
    )


async def day_verdicts(db: Database, claims: dict[str, tuple[str, str]], since: int, until: int,
                       judged_for: int, day: int) -> list[Row]:
    """Per reporter with a verdict: (reporter, first_seen, agreements, contradictions) of the visible platform-wide
    reports of the claimed kinds last updated in [since, until), judged in SQL (a few rows reach Python).

    `claims` maps a kind to (the state it claims, its opposite). A report agrees when its claimed state was in force
    at some moment of [at, at + judged_for] (the state in force at `at`, or one the platform's status events changed
    to in (at, at + judged_for]); it contradicts when only the opposite was. Per reporter, platform and `day`-long
    day, a contradiction makes the day one contradiction, otherwise an agreement makes it one agreement.
    first_seen is the reporter's first such report in the span, judged or not.
    """
    kinds = ",".join("?" * len(claims))
    cases = "CASE kind " + " ".join("WHEN ? THEN ?" for _ in claims) + " END"
    changed_to = ("EXISTS (SELECT 1 FROM status_events e WHERE e.platform = j.platform AND e.project = '' "
                  "AND e.at > j.at AND e.at <= j.at + ? AND e.new_state = j.{state})")
    return await db.fetchall(
        f"WITH r AS (SELECT reporter, platform, updated_at AS at, {cases} AS claim, {cases} AS opposite FROM reports "
        f"WHERE hidden = 0 AND project = '' AND kind IN ({kinds}) AND updated_at >= ? AND updated_at < ?), "
        "j AS (SELECT reporter, platform, at, claim, opposite, (SELECT new_state FROM status_events e "
        "WHERE e.platform = r.platform AND e.project = '' AND e.at <= r.at ORDER BY e.at DESC, e.id DESC LIMIT 1) "
        "AS current FROM r), "
        f"verdicts AS (SELECT reporter, platform, at, CASE WHEN current = claim OR {changed_to.format(state='claim')} "
        f"THEN 1 WHEN current = opposite OR {changed_to.format(state='opposite')} THEN 2 ELSE 0 END AS verdict "
        "FROM j), "
        "days AS (SELECT reporter, min(at) AS first_at, max(verdict) AS verdict FROM verdicts "
        "GROUP BY reporter, platform, at / ?) "
        "SELECT reporter, min(first_at) AS first_seen, sum(CASE WHEN verdict = 1 THEN 1 ELSE 0 END) AS agreements, "
        "sum(CASE WHEN verdict = 2 THEN 1 ELSE 0 END) AS contradictions FROM days GROUP BY reporter "
        "HAVING max(verdict) > 0",
        (*(v for kind, (state, _opposite) in claims.items() for v in (kind, state)),
         *(v for kind, (_state, opposite) in claims.items() for v in (kind, opposite)),
         *claims, since, until, judged_for, judged_for, day),
    )


async def platform_states(db: Database, platform: str, start: int, end: int) -> list[Row]:
    """A platform's status events: the one in force at `start`, then those up to `end` (at, new_state)."""
    before = await db.fetchone(
        "SELECT at, new_state FROM status_events WHERE platform = ? AND project = '' AND at <= ? "
        "ORDER BY at DESC, id DESC LIMIT 1",
        (platform, start),
    )
    during = await db.fetchall(
        "SELECT at, new_state FROM status_events WHERE platform = ? AND project = '' AND at > ? AND at <= ? "
        "ORDER BY at, id",
        (platform, start, end),
    )
    return ([before] if before else []) + list(during)


async def delete_trust(db: Executor, reporter: str) -> int:
    """Delete a reporter's trust record; returns the rows deleted."""
    return await db.execute("DELETE FROM reporter_trust WHERE reporter = ?", (reporter,))


async def any_penalty(db: Database) -> bool:
    """True when some trust penalty is kept (so a reporter's penalty key is worth working out)."""
    return await lookup(db, "SELECT 1 FROM trust_penalties LIMIT 1") is not None


async def penalties(db: Database, keys: Sequence[str]) -> dict[str, float]:
    """The trust penalty kept under each of these keys (absent: none)."""
    among, params = one_of(db.dialect, "key", keys)
    return {row["key"]: row["penalty"]
            for row in await db.fetchall(f"SELECT key, penalty FROM trust_penalties WHERE {among}", params)}


async def put_penalty(db: Executor, key: str, penalty: float) -> None:
    """Keep a trust penalty under a key (replacing any before)."""
    await db.execute(
        "INSERT INTO trust_penalties (key, penalty) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET penalty = "
        "excluded.penalty",
        (key, penalty),
    )


async def delete_penalty(db: Executor, key: str) -> int:
    """Drop the trust penalty under a key; returns the rows deleted."""
    return await db.execute("DELETE FROM trust_penalties WHERE key = ?", (key,))
