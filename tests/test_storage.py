"""The SQLite store: migrations, transactions, the meta table, the stable secret, backups."""

from __future__ import annotations

import pytest

from bot.wiring import build_app
from storage.database import SqliteDatabase, available_migrations


async def test_migrations_apply_once_and_record_the_version(tmp_path) -> None:
    db = await SqliteDatabase.open(str(tmp_path / "q.db"))
    latest = available_migrations()[-1][0]
    assert await db.migrate() == (0, latest)
    assert await db.migrate() == (latest, latest)
    assert await db.schema_version() == latest
    row = await db.fetchone("PRAGMA journal_mode")
    assert row[0] == "wal"
    assert (await db.fetchone("PRAGMA foreign_keys"))[0] == 1
    await db.close()


async def test_a_failed_transaction_leaves_nothing_behind(tmp_path) -> None:
    db = await SqliteDatabase.open(str(tmp_path / "q.db"))
    await db.migrate()
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
            raise RuntimeError("half-way")
    assert await db.get_meta("a") is None
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
    assert await db.get_meta("a") == "1"
    await db.close()


async def test_generated_secret_is_kept_across_restarts(settings, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    plain = settings.model_copy(update={"database_url": url, "queuewatch_secret": None})
    first = await build_app(plain)
    key = first.person_key("telegram", "42")
    await first.db.close()
    second = await build_app(plain)
    assert second.person_key("telegram", "42") == key
    assert second.person_key("telegram", "43") != key
    assert len(key) == 32 and set(key) <= set("0123456789abcdef")  # a keyed digest, not the raw identity
    await second.db.close()


async def test_backup_makes_a_readable_copy(tmp_path) -> None:
    db = await SqliteDatabase.open(str(tmp_path / "q.db"))
    await db.migrate()
    await db.set_meta("k", "v")
    await db.backup(tmp_path / "copy.db")
    copy = await SqliteDatabase.open(str(tmp_path / "copy.db"))
    assert await copy.get_meta("k") == "v"
    await copy.close()
    await db.close()


async def test_an_insert_that_inserts_nothing_returns_zero_not_a_stale_id(tmp_path) -> None:
    db = await SqliteDatabase.open(str(tmp_path / "q.db"))
    await db.migrate()
    sql = "INSERT INTO meta (key, value) VALUES (?, 'v') ON CONFLICT (key) DO NOTHING"
    first = await db.execute(sql, ("a",))
    assert first > 0
    assert await db.execute(sql, ("a",)) == 0
    assert await db.execute("UPDATE meta SET value = 'w'") == 1
    await db.close()
