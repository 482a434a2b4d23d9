"""A bot starts on a large SQLite file at once: its schema is checked before, the whole file in the background."""

from __future__ import annotations

import asyncio
import logging

import pytest

from storage import database
from storage.database import DatabaseUnusable, SqliteDatabase
from tests.test_cli_database import corrupted, migrated


@pytest.fixture
def small_is_large(monkeypatch) -> None:
    monkeypatch.setattr(database, "CHECK_AT_OPEN_MAX_BYTES", 0)  # every file counts as large


async def test_a_corrupted_large_file_is_found_in_the_background_and_fails_the_health_check(
        tmp_path, small_is_large, caplog) -> None:
    path = tmp_path / "big.db"
    await asyncio.to_thread(corrupted, path)
    with pytest.raises(DatabaseUnusable, match="is corrupted"):
        await SqliteDatabase.open(str(path))  # a tool (export, backup) still checks the whole file first
    db = await SqliteDatabase.open(str(path), check_large_later=True)  # the bot: at once
    try:
        with caplog.at_level(logging.ERROR):
            assert await db.integrity is False
        assert "is corrupted" in caplog.text and "DATABASE_URL" in caplog.text
        with pytest.raises(DatabaseUnusable, match="is corrupted"):
            await db.schema_version()  # what /healthz asks: the database is reported down
    finally:
        await db.close()


async def test_a_sound_large_file_passes_the_background_check(tmp_path, small_is_large) -> None:
    path = tmp_path / "big.db"
    await asyncio.to_thread(migrated, path)
    db = await SqliteDatabase.open(str(path), check_large_later=True)
    try:
        assert await db.integrity is True
        assert db.problem is None and await db.schema_version() > 0
    finally:
        await db.close()


async def test_a_small_file_is_checked_whole_before_the_bot_starts(tmp_path) -> None:
    path = tmp_path / "small.db"
    await asyncio.to_thread(corrupted, path)
    with pytest.raises(DatabaseUnusable, match="is corrupted"):
        await SqliteDatabase.open(str(path), check_large_later=True)
