"""Group commit on a real SQLite file: concurrent reports share transactions, each acknowledged after its COMMIT;
a batch that fails tells every member and keeps nothing of it; one bad statement fails only itself."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bot.core.errors import StorageUnavailable
from bot.core.model import Place, Platform
from bot.settings import load_settings
from bot.wiring import App, build_app
from storage import reports as store
from storage.database import SqliteDatabase
from tests.reports_helpers import members

GROUP = Place(Platform.CONSOLE, "local", "general", is_private=False)
AT = 1_790_000_000
NOTE = "queue empty since this morning, checked twice, " * 4


@pytest.fixture
async def db(tmp_path):
    """A migrated database file."""
    database = await SqliteDatabase.open(str(tmp_path / "q.db"))
    await database.migrate()
    yield database
    await database.close()


@pytest.fixture
async def file_app(tmp_path, clock) -> App:
    """A migrated app on a database file."""
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'app.db'}", queuewatch_secret="group-secret-0123456")
    app = await build_app(settings, clock=clock)
    yield app
    await app.db.close()


def a_report(i: int, note: str | None = None, platform: str = "outlier") -> store.NewReport:
    return store.NewReport(reporter=f"reporter{i:03d}", platform=platform, kind="drought", project="",
                           window_start=AT - AT % 3600, at=AT + i, community="local:general", note=note)


async def write(db, report: store.NewReport) -> bool:
    """One report's UPSERT through the database's group commit; True when it refreshed an earlier one."""
    [row] = await db.write_returning(store.UPSERT_ONE_REPORT, report.values())
    return row["repeats"] > 0


def committed(path: str, reporter: str) -> int:
    """What another connection sees of a reporter's reports: only what has been committed."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM reports WHERE reporter = ?", (reporter,)).fetchone()[0]
    finally:
        conn.close()


async def test_concurrent_reports_share_transactions_and_each_is_committed_before_its_answer(db):
    seen_at_answer: dict[str, int] = {}

    async def one(i: int) -> bool:
        report = a_report(i)
        refreshed = await write(db, report)
        seen_at_answer[report.reporter] = committed(db.path, report.reporter)
        return refreshed

    before = db.group.transactions
    first = await asyncio.gather(*(one(i) for i in range(50)))
    assert first == [False] * 50  # each new report is told it was recorded, not refreshed
    assert seen_at_answer == {f"reporter{i:03d}": 1 for i in range(50)}  # durable before it was acknowledged
    assert db.group.transactions - before < 50
    again = await asyncio.gather(*(one(i) for i in range(50)))
    assert again == [True] * 50  # the repeat count still comes back per report inside a shared transaction
    assert (await db.fetchone("SELECT count(*), sum(repeats) FROM reports"))[:] == (50, 50)


async def test_a_lone_writer_waits_for_no_one(db):
    """One report at a time: each is its own transaction, answered without lingering for company."""
    before = db.group.transactions
    for i in range(5):
        assert await write(db, a_report(i)) is False
        assert committed(db.path, f"reporter{i:03d}") == 1
    assert db.group.transactions - before == 5


async def test_a_batch_that_meets_a_full_disk_fails_every_member_and_keeps_none_of_them(db):
    pages = (await db.fetchone("PRAGMA page_count"))[0]
    await db.execute(f"PRAGMA max_page_count = {pages}")  # the file may not grow: SQLITE_FULL, as a full disk
    before = db.group.transactions
    results = await asyncio.gather(*(write(db, a_report(i, NOTE)) for i in range(40)),
                                   return_exceptions=True)
    assert db.group.transactions - before < 40  # they were batched, and the batches failed
    for result in results:
        assert isinstance(result, StorageUnavailable) and result.reason == "full", result
    assert (await db.fetchone("SELECT count(*) FROM reports"))[0] == 0
    assert (await db.fetchone("PRAGMA quick_check"))[0] == "ok"


async def test_one_bad_statement_fails_only_its_own_member(db):
    await db.execute("CREATE TRIGGER refuse_nowhere BEFORE INSERT ON reports WHEN NEW.platform = 'nowhere' "
                     "BEGIN SELECT RAISE(ABORT, 'refused'); END")
    reports = [a_report(i, platform="nowhere" if i == 7 else "outlier") for i in range(20)]
    results = await asyncio.gather(*(write(db, r) for r in reports), return_exceptions=True)
    assert isinstance(results[7], sqlite3.IntegrityError)
    assert [r for i, r in enumerate(results) if i != 7] == [False] * 19
    assert (await db.fetchone("SELECT count(*) FROM reports"))[0] == 19


async def test_a_member_who_stops_waiting_does_not_undo_the_others(db):
    tasks = [asyncio.create_task(write(db, a_report(i))) for i in range(10)]
    await asyncio.sleep(0)
    tasks[3].cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(results[3], asyncio.CancelledError)
    assert [r for i, r in enumerate(results) if i != 3] == [False] * 9
    # The cancelled one may or may not have been written; the others all were.
    assert (await db.fetchone("SELECT count(*) FROM reports WHERE reporter != 'reporter003'"))[0] == 9


async def test_concurrent_reports_through_the_dispatcher_hear_the_truth_on_a_full_disk(file_app):
    dispatch = file_app.dispatcher.dispatch
    people = members(30)

    async def send(actor, note: str | None = None):
        args = {"platform": "outlier", "what": "drought", **({"note": note} if note else {})}
        return await dispatch("report", args, actor, GROUP)

    replies = await asyncio.gather(*(send(actor) for actor in people[:15]))
    assert {r.title for r in replies} == {"Thanks, report recorded"}
    replies = await asyncio.gather(*(send(actor) for actor in people[:15]))
    assert {r.title for r in replies} == {"Updated your earlier report"}
    pages = (await file_app.db.fetchone("PRAGMA page_count"))[0]
    await file_app.db.execute(f"PRAGMA max_page_count = {pages}")
    replies = await asyncio.gather(*(send(actor, NOTE[:190]) for actor in people[15:]))
    failed = 0
    for actor, reply in zip(people[15:], replies, strict=True):
        text = reply.plain_text()
        key = file_app.person_key("console", actor.user_id)
        kept = (await file_app.db.fetchone("SELECT count(*) FROM reports WHERE reporter = ?", (key,)))[0]
        if reply.is_error:
            assert reply.title == "Not saved" and "out of disk space" in text and "Recorded" not in text, text
            assert kept == 0, "said not saved but kept it"
            failed += 1
        else:
            assert kept == 1, "said recorded but kept nothing"
    assert failed > 0


async def test_checkpoints_run_off_the_commit_path_and_keep_up(db):
    """Writes reach the database file itself (not only the WAL) through background checkpoints, long before the
    writer's own backstop would checkpoint."""
    for start in range(0, 150, 10):
        await asyncio.gather(*(write(db, a_report(i)) for i in range(start, start + 10)))
    assert db._checkpointing is not None
    await db._checkpointing
    # immutable=1 reads the main file alone, ignoring the WAL: what it sees was checkpointed
    conn = sqlite3.connect(f"file:{db.path}?immutable=1", uri=True)
    try:
        in_file = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    finally:
        conn.close()
    assert in_file >= 100
