"""The Database contract, the same on SQLite and PostgreSQL: migrations, transactions and the task that holds one,
rows, placeholders, the meta table, what execute returns, busy stores, backups and moving keyed hashes."""

from __future__ import annotations

import asyncio
import contextvars
import os

import pytest

from bot.core.errors import StorageUnavailable
from storage import keys
from storage.database import available_migrations, fetch_each, open_database
from tests.support.backends import pg_tools

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL


@pytest.fixture
async def db(backend):
    """An empty migrated database on the backend, kept in a file for SQLite (so two connections share it)."""
    url = await backend.fresh_url() if backend.name == "sqlite" else backend.url
    database = await backend.open(url)
    yield database
    await database.close()


async def test_migrations_apply_once_and_record_the_version(backend) -> None:
    db = await open_database(await backend.fresh_url())
    try:
        latest = available_migrations(db.dialect)[-1][0]
        assert await db.schema_version() == 0
        assert await db.migrate() == (0, latest)
        assert await db.migrate() == (latest, latest)
        assert await db.schema_version() == latest
    finally:
        await db.close()


async def test_two_processes_migrating_at_once_apply_each_migration_once(backend) -> None:
    url = await backend.fresh_url()
    first, second = await open_database(url), await open_database(url)
    try:
        results = await asyncio.gather(first.migrate(), second.migrate(), return_exceptions=True)
        latest = available_migrations(first.dialect)[-1][0]
        assert all(not isinstance(r, BaseException) and r[1] == latest for r in results), results
        assert await first.schema_version() == await second.schema_version() == latest
    finally:
        await first.close()
        await second.close()


async def test_a_failed_transaction_leaves_nothing_behind(db) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
            raise RuntimeError("half-way")
    assert await db.get_meta("a") is None
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
    assert await db.get_meta("a") == "1"


async def test_inside_its_transaction_a_task_reaches_it_through_the_database_and_others_wait(db) -> None:
    async with db.transaction() as tx:
        await db.execute("INSERT INTO meta (key, value) VALUES ('inside', 'yes')")  # the database, not tx
        assert (await tx.fetchone("SELECT value FROM meta WHERE key = 'inside'"))["value"] == "yes"
        assert await db.get_meta("inside") == "yes"
        # Another task (started elsewhere: a task started here inherits the transaction) reads only what is
        # committed, and does not wait for this transaction to end.
        other = asyncio.get_running_loop().create_task(db.get_meta("inside"), context=contextvars.Context())
        assert await asyncio.wait_for(other, 1) is None
        inherited = await asyncio.gather(*(db.get_meta("inside") for _ in range(3)))  # take turns on the one
        assert inherited == ["yes"] * 3
        with pytest.raises(RuntimeError):
            async with db.transaction():
                pass
    assert await db.get_meta("inside") == "yes"


async def test_rows_answer_by_name_and_by_position(db) -> None:
    await db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("k", "v"))
    row = await db.fetchone("SELECT key, value FROM meta WHERE key = ?", ("k",))
    assert (row["key"], row["value"], row[0], row[1]) == ("k", "v", "k", "v")
    assert tuple(row) == ("k", "v") and list(row.keys()) == ["key", "value"]
    [again] = await db.fetchall("SELECT value AS v FROM meta")
    assert again["v"] == "v"
    assert await db.fetchone("SELECT value FROM meta WHERE key = ?", ("missing",)) is None


async def test_one_select_run_for_many_parameter_rows_gives_each_ones_rows_in_order(db) -> None:
    await db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [(f"k{i:03d}", str(i)) for i in range(450)])
    select = "SELECT CAST(? AS INTEGER) AS n, value FROM meta WHERE key >= ? AND key < ?"
    wanted = [(n, f"k{n:03d}", f"k{n + 2:03d}") for n in range(0, 450, 1)]  # more than one statement's parts
    rows = await fetch_each(db, select, wanted)
    assert [(row["n"], row[1]) for row in rows] == [(n, str(v)) for n in range(450) for v in (n, n + 1) if v < 450]
    assert await fetch_each(db, select, []) == []
    async with db.transaction() as tx:  # inside a transaction too
        assert [tuple(row) for row in await fetch_each(tx, select, wanted[:2])] == [(0, "0"), (0, "1"), (1, "1"),
                                                                                      (1, "2")]


async def test_a_question_mark_inside_quotes_is_text_not_a_parameter(db) -> None:
    await db.execute("INSERT INTO meta (key, value) VALUES (?, 'why? it''s ?')", ("q",))
    row = await db.fetchone("SELECT value, ? AS extra FROM meta WHERE key = ? AND value LIKE '%?%'", ("x", "q"))
    assert (row["value"], row["extra"]) == ("why? it's ?", "x")


async def test_execute_says_what_it_changed(db) -> None:
    assert await db.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
    assert not await db.execute("INSERT INTO meta (key, value) VALUES ('a', '2') ON CONFLICT (key) DO NOTHING")
    await db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [("b", "1"), ("c", "1")])
    assert await db.execute("UPDATE meta SET value = '9' WHERE value = '1'") == 3
    assert await db.execute("DELETE FROM meta WHERE key IN ('a', 'b')") == 2
    assert await db.execute("DELETE FROM meta WHERE key = 'none'") == 0
    [row] = await db.write_returning("INSERT INTO reports (reporter, platform, kind, window_start, created_at, "
                                     "updated_at) VALUES ('r', 'p', 'drought', 0, 1, 1) RETURNING id")
    assert row["id"] == 1


async def test_meta_values_can_be_kept_only_if_missing(db) -> None:
    await db.set_meta("k", "first", only_if_missing=True)
    await db.set_meta("k", "second", only_if_missing=True)
    assert await db.get_meta("k") == "first"
    await db.set_meta("k", "third")
    assert await db.get_meta("k") == "third"


async def test_a_write_that_waits_for_a_lock_past_the_retry_window_is_storage_unavailable(backend, db) -> None:
    if backend.name == "postgresql":
        from storage.postgres import PostgresDatabase

        other = await PostgresDatabase.open(backend.url, lock_timeout=0.1)
    else:
        other = await open_database(f"sqlite:///{db.path}")
    other.retry_seconds = 0.3
    await db.set_meta("k", "v")
    try:
        async with db.transaction() as tx:
            await tx.execute("UPDATE meta SET value = 'held' WHERE key = 'k'")
            with pytest.raises(StorageUnavailable) as caught:
                await other.execute("UPDATE meta SET value = 'other' WHERE key = 'k'")
            assert caught.value.reason == "busy"
    finally:
        await other.close()
    assert await db.get_meta("k") == "held"


async def test_a_backup_is_a_private_copy_that_restores(backend, db, tmp_path, monkeypatch) -> None:
    await db.set_meta("kept", "yes")
    target = tmp_path / "backups" / "copy"
    if backend.name == "postgresql":
        tools = pg_tools()
        monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ.get('PATH', '')}")
    await db.backup(target)
    assert target.stat().st_mode & 0o777 == 0o600
    if backend.name == "sqlite":
        restored = await open_database(f"sqlite:///{target}")
    else:
        url = await backend.fresh_url()
        process = await asyncio.create_subprocess_exec(
            str(tools / "pg_restore"), "--no-owner", f"--dbname={url}", str(target),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        _out, err = await process.communicate()
        assert process.returncode == 0, err
        restored = await open_database(url)
    try:
        assert await restored.get_meta("kept") == "yes"
    finally:
        await restored.close()


@pytest.mark.postgresql_only  # SQLite copies itself (the online backup API): nothing to install
async def test_a_postgresql_backup_without_pg_dump_says_how_to_make_one(db, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(StorageUnavailable) as caught:
        await db.backup(tmp_path / "copy")
    assert "pg_dump" in str(caught.value) and "install" in str(caught.value)


async def test_moving_every_keyed_hash_to_a_new_key_leaves_no_old_one(db) -> None:
    await db.execute("INSERT INTO member_settings (person, country, updated_at) VALUES ('old1', 'GB', 1)")
    await db.execute("INSERT INTO reports (reporter, platform, kind, window_start, created_at, updated_at) "
                     "VALUES ('old1', 'p', 'drought', 0, 1, 1), ('old2', 'p', 'drought', 0, 1, 1)")
    await db.execute("INSERT INTO trust_penalties (key, penalty) VALUES ('sealed-old', 0.5)")
    move = keys.Mover(hashed=lambda old: f"new-{old}", sealed=lambda purpose, old: f"{purpose}:{old}")
    people, rows = await keys.rehash(db, move, "fingerprint-2")
    assert (people, rows) == (2, 6)  # reports, reporter_first_seen (kept by a trigger), settings, the penalty
    assert sorted(r[0] for r in await db.fetchall("SELECT reporter FROM reports")) == ["new-old1", "new-old2"]
    assert (await db.fetchone("SELECT person FROM member_settings"))[0] == "new-old1"
    assert (await db.fetchone("SELECT key FROM trust_penalties"))[0] == "trust-penalty:sealed-old"
    assert await keys.fingerprint(db) == "fingerprint-2"
