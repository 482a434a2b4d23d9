"""No display names are stored: migration 0011 removes those of an existing database, and /digest_off keeps a
keyed hash."""

from __future__ import annotations

import aiosqlite

from bot.core.model import Actor, Platform
from storage.database import SqliteDatabase, available_migrations


async def test_an_existing_database_loses_names_and_unbound_payloads(tmp_path) -> None:
    path = str(tmp_path / "old.db")
    async with aiosqlite.connect(path) as conn:
        for number, _name, sql in available_migrations():
            if number < 11:
                await conn.executescript(f"{sql}\nPRAGMA user_version = {number};")
        await conn.executescript(
            "INSERT INTO moderation_log (community, actor, actor_name, action, reason, at) "
            "VALUES ('telegram:-1', 'hash-of-alice', 'Alice Liddell', 'hide', 'spam', 1);"
            "INSERT INTO digest_settings (community, platform, channel_id, weekday, local_time, timezone, enabled, "
            "disabled_reason, disabled_at, updated_at) VALUES ('telegram:-1', 'telegram', '-1', 0, '09:00', 'UTC', "
            "0, 'turned off by Alice Liddell', 1, 1);"
            "INSERT INTO button_payloads (token, command, args_json, created_at) VALUES "
            "('t1', 'report', '{\"note\": \"phone 555-0199\"}', '2026-11-16T12:00:00+00:00');")
        await conn.commit()

    db = await SqliteDatabase.open(path)
    try:
        before, after = await db.migrate()
        assert before < 11 <= after
        dump = " ".join([str(value) for table in ("moderation_log", "digest_settings", "button_payloads")
                         for row in await db.fetchall(f"SELECT * FROM {table}") for value in tuple(row)])
        assert "Alice" not in dump and "555-0199" not in dump
        [log] = await db.fetchall("SELECT * FROM moderation_log")
        assert log["actor"] == "hash-of-alice" and log["action"] == "hide"  # the action and its accountability stay
        [digest] = await db.fetchall("SELECT * FROM digest_settings")
        assert digest["disabled_reason"] == "turned off by a moderator" and digest["enabled"] == 0
    finally:
        await db.close()


async def test_digest_off_keeps_a_keyed_hash_and_shows_a_moderator(app, moderator, group) -> None:
    await app.dispatcher.dispatch_line("/digest_setup monday 09:00 UTC", moderator, group)
    await app.dispatcher.dispatch_line("/digest_off", moderator, group)
    [row] = await app.db.fetchall("SELECT * FROM digest_settings")
    assert moderator.display_name not in " ".join(map(str, tuple(row)))
    assert row["disabled_by"] == app.person_key("console", moderator.user_id)
    mine = (await app.dispatcher.dispatch_line("/digest_preview", moderator, group)).plain_text()
    assert "turned off by you" in mine
    colleague = Actor(Platform.CONSOLE, "m2", "Mod Two", is_moderator=True)
    theirs = (await app.dispatcher.dispatch_line("/digest_preview", colleague, group)).plain_text()
    assert "turned off by a moderator" in theirs and moderator.display_name not in theirs
