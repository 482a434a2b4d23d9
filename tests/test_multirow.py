"""Concurrent reports as one multi-row UPSERT (storage/multirow.py): which writes share a statement, how each finds
its own row, and that a batch written so leaves the database exactly as the same reports written one by one."""

from __future__ import annotations

import asyncio
import sqlite3

from storage import aggregates
from storage import reports as store
from storage.database import SqliteDatabase
from storage.multirow import MAX_ROWS, RowInsert, combine, split

PAIR = RowInsert("INSERT INTO t (k, v) VALUES ", "(?, ?)", " ON CONFLICT (k) DO UPDATE SET v = excluded.v "
                 "RETURNING k, v", key=1)
IGNORE = RowInsert("INSERT INTO t (k, v) VALUES ", "(?, ?)", " ON CONFLICT (k) DO NOTHING RETURNING k, v", key=1)
AT = 1_790_000_000


def test_consecutive_writes_of_one_insert_share_a_statement_in_order() -> None:
    other = ("DELETE FROM t WHERE k = ?", ("x",))
    statements = [(PAIR, ("a", 1)), (PAIR, ("b", 2)), other, (PAIR, ("c", 3)), (IGNORE, ("d", 4)), (IGNORE, ("e", 5))]
    runs = combine(statements)
    assert [members for _statement, members in runs] == [[0, 1], [2], [3], [4, 5]]
    (sql, params), _members = runs[0]
    assert sql == PAIR.of_rows(2) and "VALUES (?, ?), (?, ?) ON CONFLICT" in sql and params == ["a", 1, "b", 2]
    assert runs[1][0] == other and runs[2][0] == (PAIR, ("c", 3))  # alone: the one-row statement as it is


def test_a_second_write_of_the_same_row_starts_the_next_statement() -> None:
    runs = combine([(PAIR, ("a", 1)), (PAIR, ("b", 2)), (PAIR, ("a", 3)), (PAIR, ("c", 4))])
    assert [members for _statement, members in runs] == [[0, 1], [2, 3]]


def test_a_statement_holds_at_most_max_rows() -> None:
    runs = combine([(PAIR, (f"k{i}", i)) for i in range(MAX_ROWS + 3)])
    assert [len(members) for _statement, members in runs] == [MAX_ROWS, 2, 1]


def test_statements_hold_a_power_of_two_rows_so_a_few_texts_serve_every_batch() -> None:
    # Each text is prepared and kept by the connection (~200 KB for the reports UPSERT with its triggers): a text
    # per batch size was up to MAX_ROWS of them.
    texts = set()
    for n in range(1, MAX_ROWS + 1):
        runs = combine([(PAIR, (f"k{i}", i)) for i in range(n)])
        assert [i for _statement, members in runs for i in members] == list(range(n))
        assert sorted((len(m) for _s, m in runs), reverse=True) == [1 << b for b in range(7) if n >> b & 1][::-1]
        texts |= {sql for (sql, _params), _members in runs}
    assert len(texts) == MAX_ROWS.bit_length()


def test_each_write_gets_its_own_row_whatever_order_they_come_back_in() -> None:
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)")
    conn.execute("INSERT INTO t VALUES ('b', 0)")
    statements = [(IGNORE, ("a", 1)), (IGNORE, ("b", 2)), (IGNORE, ("c", 3)), (IGNORE, ("d", 4))]
    [((sql, params), members)] = combine(statements)
    rows = conn.execute(sql, params).fetchall()
    answers = split(statements, members, list(reversed(rows)))
    # 'b' was there
    assert [[tuple(row) for row in answer] for answer in answers] == [[("a", 1)], [], [("c", 3)], [("d", 4)]]


def a_report(i: int, kind: str = "drought", at: int = AT) -> store.NewReport:
    return store.NewReport(reporter=f"reporter{i % 7:03d}", platform=("outlier", "appen")[i % 2], kind=kind,
                           project="", window_start=at - at % 21600, at=at + i, community="local:general")


async def _contents(db) -> tuple:
    rows = await db.fetchall("SELECT reporter, platform, kind, project, window_start, created_at, updated_at, "
                             "community, repeats FROM reports ORDER BY reporter, platform, kind, window_start")
    return [tuple(row) for row in rows], await aggregates.snapshot(db)


async def test_concurrent_reports_leave_what_the_same_reports_one_by_one_leave(tmp_path) -> None:
    """60 writes at once (some of them the same member's report again) run as a few multi-row statements; the
    reports, their repeat counts, every aggregate and each write's answer equal those of writing them in turn."""
    together = await SqliteDatabase.open(str(tmp_path / "together.db"))
    alone = await SqliteDatabase.open(str(tmp_path / "alone.db"))
    try:
        for db in (together, alone):
            await db.migrate()
        inserts: set[str] = set()  # each statement's text with its values (the trace repeats it at each trigger)
        together._conn._conn.set_trace_callback(
            lambda sql: inserts.add(sql) if sql.lstrip().startswith("INSERT INTO reports") else None)
        writes = [a_report(i, ("drought", "tasks_back", "paid_late")[i % 3]) for i in range(60)]
        answers = await asyncio.gather(*(store.upsert_report(together, report) for report in writes))
        in_turn = [await store.upsert_report(alone, report) for report in writes]
        assert answers == in_turn and True in answers and False in answers  # refreshes told apart, as alone
        assert len(inserts) < 60 / 4  # shared statements, not one each
        assert await _contents(together) == await _contents(alone)
        kept = await aggregates.snapshot(together)
        await aggregates.rebuild(together)
        assert await aggregates.snapshot(together) == kept
    finally:
        await together.close()
        await alone.close()
