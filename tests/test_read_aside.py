"""fetchall_aside: a long read on a read connection of its own, beside the reader's queries, seeing what is committed
as each read starts; and migration 0027's reporter_trust without a rowid, still moving the trust version."""

from __future__ import annotations

import asyncio

import pytest

from storage import versions
from storage.database import SqliteDatabase, fetchall_aside


async def test_a_read_aside_sees_every_commit_before_it_and_runs_beside_the_reader(tmp_path):
    db = await SqliteDatabase.open(str(tmp_path / "aside.db"))
    try:
        await db.migrate()
        await db.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
        assert [tuple(r) for r in await fetchall_aside(db, "SELECT key, value FROM meta WHERE key = 'a'")] == [
            ("a", "1")]
        await db.execute("UPDATE meta SET value = '2' WHERE key = 'a'")
        slow = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) "
                "SELECT count(*) FROM n")
        behind = asyncio.ensure_future(db.fetchall(slow))
        await asyncio.sleep(0)  # the slow read is on the reader's thread
        assert (await fetchall_aside(db, "SELECT value FROM meta WHERE key = 'a'"))[0][0] == "2"
        assert not behind.done()  # it did not wait for the reader
        assert (await behind)[0][0] == 3000000
        assert db._aside_conn is not None  # its own connection, not the reader's
    finally:
        await db.close()
    assert db._aside_conn is None


@pytest.mark.usefixtures("backend")
async def test_trust_records_still_move_the_trust_version(app):
    await app.db.execute("INSERT INTO data_versions (name, version) VALUES ('trust', 1) ON CONFLICT (name) DO NOTHING")
    before = (await versions.current(app.db, 0)).trust[0]
    await app.db.execute("INSERT INTO reporter_trust (reporter, first_seen, agreements, contradictions, updated_at) "
                         "VALUES ('r', 1, 2, 0, 1)")
    await app.db.execute("UPDATE reporter_trust SET agreements = 3 WHERE reporter = 'r'")
    await app.db.execute("DELETE FROM reporter_trust WHERE reporter = 'r'")
    assert (await versions.current(app.db, 0)).trust[0] == before + 3


@pytest.mark.sqlite_only
@pytest.mark.usefixtures("backend")
async def test_trust_records_are_their_key_s_b_tree(app):
    row = await app.db.fetchone("SELECT sql FROM sqlite_master WHERE name = 'reporter_trust'")
    assert "WITHOUT ROWID" in row[0]
