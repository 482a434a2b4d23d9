"""A lookup of many values is one statement text whatever their number, on SQLite and PostgreSQL.

Each connection keeps its prepared statements by their text (Python's sqlite3 keeps 128). SQL that spelled out one
placeholder per value was a new statement for every number of values, up to ~120 KB each: in a 20,000-command soak
the reader's cache grew by ~7 MiB. These tests run each such lookup for 1 to 1,200 values (more than SQLite's old
limit of 999 variables in one statement, which the lists were once split under) and read what it sent.
"""

from __future__ import annotations

import pytest

from storage import activity, aggregates, first_seen, inbox, moderation, project_names, reports, trust
from storage.database import COMPOUND_PARTS, fetch_each

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL

SIZES = (1, 3, 40, 1200)


class Recording:
    """A database that notes the text of every statement it is given, and runs it on the real one."""

    def __init__(self, db) -> None:
        self.db, self.dialect, self.texts = db, db.dialect, []

    async def fetchall(self, sql, params=()):
        self.texts.append(sql)
        return await self.db.fetchall(sql, params)

    async def fetchone(self, sql, params=()):
        self.texts.append(sql)
        return await self.db.fetchone(sql, params)

    async def execute(self, sql, params=()):
        self.texts.append(sql)
        return await self.db.execute(sql, params)

    def __getattr__(self, name):  # anything else (PostgreSQL's fetch_many) goes to the real one, unrecorded
        return getattr(self.db, name)


@pytest.fixture
async def db(backend):
    """An empty migrated database on the backend."""
    database = await backend.open(await backend.fresh_url() if backend.name == "sqlite" else backend.url)
    yield database
    await database.close()


def people(n: int) -> list[str]:
    """n reporters' keyed hashes (one repeated, which counts once)."""
    return [f"r{i:05d}" for i in range(n)] + ["r00000"]


async def test_reporter_lookups_send_one_text_for_any_number_and_find_every_row(db) -> None:
    await db.executemany("INSERT INTO reporter_trust (reporter, first_seen, agreements, contradictions, updated_at) "
                         "VALUES (?, 1, ?, 0, 1)", [(r, i) for i, r in enumerate(people(1200)[:-1]) if i % 2 == 0])
    await db.executemany("INSERT INTO reporter_first_seen (reporter, community, first_at) VALUES (?, 'c', ?)",
                         [(r, i) for i, r in enumerate(people(1200)[:-1]) if i % 3 == 0])
    await db.executemany("INSERT INTO trust_penalties (key, penalty) VALUES (?, 0.5)",
                         [(r,) for r in people(1200)[:-1:5]])
    lookups = {
        "trust_rows": lambda d, who: trust.trust_rows(d, who),
        "penalties": lambda d, who: trust.penalties(d, who),
        "firsts": lambda d, who: first_seen.firsts(d, who),
        "active_bars": lambda d, who: moderation.active_bars(d, who[:moderation.FEW_REPORTERS], 0),
        "recent_availability": lambda d, who: reports.recent_availability(d, ("drought",), 0, None, who),
    }
    for name, lookup in lookups.items():
        recording = Recording(db)
        for n in SIZES:
            await lookup(recording, people(n))
        assert len(set(recording.texts)) == 1, name
    for n in SIZES:
        assert sorted(await trust.trust_rows(db, people(n))) == [f"r{i:05d}" for i in range(0, n, 2)]
        assert sorted(row["reporter"] for row in await first_seen.firsts(db, people(n))) == [
            f"r{i:05d}" for i in range(0, n, 3)]
        assert sorted(await trust.penalties(db, people(n))) == [f"r{i:05d}" for i in range(0, n, 5)]


async def test_the_other_lists_of_values_send_one_text_for_any_number(db) -> None:
    await db.executemany("INSERT INTO project_names (platform, project, shown) VALUES ('outlier', ?, ?)",
                         [(f"p{i}", f"P{i}") for i in range(0, 1200, 7)])
    await inbox.accept(db, "telegram", [(i, "{}") for i in range(1200)], 1)
    await inbox.replying(db, "telegram", list(range(0, 1200, 2)))
    assert (await db.fetchone("SELECT count(*) FROM inbox WHERE state = 'replying'"))[0] == 600
    lists = {
        "shown_names": lambda d, n: project_names.shown_names(d, [("outlier", f"p{i}") for i in range(n)]),
        "replying": lambda d, n: inbox.replying(d, "telegram", list(range(n))),
        "people (hourly scopes)": lambda d, n: activity.people(d, [f"p:{i}" for i in range(n)], 0),
        "people (other scopes)": lambda d, n: activity.people(d, [f"j:{i}" for i in range(n)], 0),
    }
    for name, run in lists.items():
        recording = Recording(db)
        for n in SIZES:
            await run(recording, n)
        assert len(set(recording.texts)) == 1, name
    names = await project_names.shown_names(db, [("outlier", f"p{i}") for i in range(1200)])
    assert names == {("outlier", f"p{i}"): f"P{i}" for i in range(0, 1200, 7)}


async def test_ranked_pay_tags_send_one_text_for_any_number(db) -> None:
    recording = Recording(db)
    for n in SIZES:
        await aggregates.figures(recording, "outlier", "payrate", 0, ranked=[f"tag{i}" for i in range(n)])
    assert len({text for text in recording.texts if "report_bin_totals" in text}) == 1


async def test_a_select_for_many_rows_is_made_of_a_few_compound_sizes(db) -> None:
    recording = Recording(db)
    select = "SELECT CAST(? AS INTEGER) AS n"
    for n in range(1, 301):
        rows = await fetch_each(recording, select, [(i,) for i in range(n)])
        assert [row[0] for row in rows] == list(range(n))
    if db.dialect == "sqlite":  # PostgreSQL runs the one SELECT for every row (fetch_many), which is not recorded
        assert len(set(recording.texts)) == COMPOUND_PARTS.bit_length()  # 1, 2, 4, ... COMPOUND_PARTS parts
