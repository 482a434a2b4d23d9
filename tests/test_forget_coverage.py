"""Every table that can hold something about a person is covered by some feature's forget hook."""

from __future__ import annotations

from bot.core.model import Actor, Platform
from bot.features.availability.trust import settle_trust
from bot.wiring import FEATURES
from tests.moderation_helpers import file, run

# Columns that hold a person: a keyed hash, a platform user id, a private chat id, or a display name.
PERSONAL_COLUMNS = {"person", "reporter", "user_id", "dest_id", "chat_id", "actor", "actor_name", "author",
                    "display_name", "member"}


async def schema(app) -> dict[str, list[str]]:
    """Every table after all migrations, with its columns."""
    tables = await app.db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    return {t["name"]: [c["name"] for c in await app.db.fetchall(f"PRAGMA table_info({t['name']})")]
            for t in tables}


async def test_every_personal_table_is_declared_by_a_feature_that_forgets(app) -> None:
    declared = {table: f.name for f in FEATURES for table in f.personal_tables}
    assert all(f.forget is not None for f in FEATURES if f.personal_tables)
    tables = await schema(app)
    assert set(declared) <= set(tables), "a feature declares a table the schema does not have"
    personal = {name for name, columns in tables.items() if PERSONAL_COLUMNS & set(columns)}
    uncovered = personal - set(declared)
    assert not uncovered, f"tables holding personal data that no feature's forget hook covers: {sorted(uncovered)}"


async def test_forget_leaves_no_key_or_id_in_the_declared_tables(app, clock, group, private) -> None:
    telegram_member = Actor(Platform.TELEGRAM, "4242", "Alice Liddell")
    moderator = Actor(Platform.TELEGRAM, "77", "Mod", is_moderator=True)
    await file(app, telegram_member, group, "tasks_back", note="my own words")
    await file(app, moderator, group, "tasks_back")
    await run(app, "/status outlier", telegram_member, group)
    await run(app, "/settings uk", telegram_member, group)
    await run(app, "/subscribe outlier", telegram_member, private)
    await run(app, "/note outlier members say the queue is slow", moderator, group)
    clock.advance(days=2)
    await settle_trust(app)
    key = app.person_key("telegram", telegram_member.user_id)
    mod_key = app.person_key("telegram", moderator.user_id)

    values = (key, mod_key, telegram_member.user_id, moderator.user_id, "Alice Liddell", "Mod")
    tables = await schema(app)
    declared = {table for f in FEATURES for table in f.personal_tables}

    async def holding() -> set[str]:
        found = set()
        for table in declared:
            for column in PERSONAL_COLUMNS & set(tables[table]):
                for value in values:
                    row = await app.db.fetchone(f"SELECT count(*) FROM {table} WHERE {column} = ?", (value,))
                    if row[0]:
                        found.add(f"{table}.{column}={value}")
        return found

    before = {item.split("=")[0] for item in await holding()}
    assert {"reports.reporter", "member_settings.person", "subscriptions.user_id", "reporter_trust.reporter",
            "community_notes.author"} <= before
    for actor in (telegram_member, moderator):
        done = await run(app, "/forget yes", actor, group)
        assert not done.is_error

    assert not await holding(), "still there after /forget"
