"""Every table that can hold something about a person is covered by some feature's forget hook, and after
/forget no table holds anything of theirs but the bar record."""

from __future__ import annotations

import pytest

from bot.core import buttons
from bot.core.clock import unix
from bot.core.model import Actor, Place, Platform
from bot.features.availability.trust import NEW_WEIGHT, settle_trust, trust_weights
from bot.wiring import FEATURES
from storage import trust as trust_store
from tests.moderation_helpers import file, report_id, run
from tests.support.backends import table_columns

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL

# Columns that hold a person: a keyed hash, a platform user id, a private chat id, or a display name.
PERSONAL_COLUMNS = {"person", "reporter", "user_id", "dest_id", "chat_id", "actor", "actor_name", "author",
                    "display_name", "member", "viewer", "disabled_by"}
TELEGRAM_LIMIT = 64  # callback_data bytes


async def schema(app) -> dict[str, list[str]]:
    """Every table after all migrations, with its columns."""
    return await table_columns(app.db)


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


async def dump(app) -> list[tuple[str, dict[str, str]]]:
    """EVERY row of EVERY table, all columns as text: (table, {column: text})."""
    rows = []
    for table in await schema(app):
        for row in await app.db.fetchall(f"SELECT * FROM {table}"):
            rows.append((table, {key: str(row[key]) for key in row.keys()}))  # noqa: SIM118 (sqlite3.Row)
    return rows


def found_in(rows: list[tuple[str, dict[str, str]]], needles: tuple[str, ...]) -> list[str]:
    """table.column: needle, for every cell containing a needle."""
    return [f"{table}.{column}: {needle}" for table, row in rows for column, text in row.items()
            for needle in needles if needle in text]


async def press(app, reply, label: str, actor: Actor, place: Place):
    """Encode a reply's button as the Telegram adapter does for `actor`, press it as them, run the command."""
    viewer = app.person_key(str(actor.platform), actor.user_id)
    button = next(b for b in reply.buttons if b.label == label)
    data = await buttons.encode(app.button_payloads, button, TELEGRAM_LIMIT, app.clock.now(), viewer)
    assert data.startswith(buttons.TOKEN_PREFIX), "a stored payload, as /forget must delete"
    command, args = await buttons.decode(app.button_payloads, data, viewer, app.clock.now())
    return await app.dispatcher.dispatch(command, args, actor, place)


async def test_after_forget_no_table_holds_anything_of_theirs_outside_the_bar_record(app, clock) -> None:
    """Alice reported with a note, subscribed, set settings, pressed buttons with long payloads, moderated (hid a
    report, wrote a community note, turned the digest off), was barred and often contradicted; after /forget
    every row of every table is searched for her keyed hash, ids, name and notes."""
    alice = Actor(Platform.TELEGRAM, "8123456789", "Alice Liddell", is_moderator=True)
    bob = Actor(Platform.TELEGRAM, "7000000001", "Bob Moderator", is_moderator=True)
    carol = Actor(Platform.TELEGRAM, "7000000002", "Carol Member")
    group = Place(Platform.TELEGRAM, "-1001234567", "-1001234567", is_private=False)
    private = Place(Platform.TELEGRAM, None, alice.user_id, is_private=True)  # a private chat's id is the user's
    note = "my manager is J. Smith, phone 555-0199"
    typo_note = "team lead Jane Roe said so"
    prompt_note = "my email is alice@example.com"

    await file(app, alice, group, "drought", note=note)
    assert not (await run(app, "/subscribe outlier", alice, private)).is_error
    assert not (await run(app, "/settings uk GBP", alice, private)).is_error
    # Buttons that repeat what she typed: "did you mean" after a typo, and a choice prompt; both pressed.
    guess = await app.dispatcher.dispatch("report", {"platform": "outl", "what": "tasks_back", "note": typo_note},
                                          alice, group)
    assert "report recorded" in (await press(app, guess, "Outlier", alice, group)).plain_text()
    prompt = await app.dispatcher.dispatch("report", {"platform": "toloka", "note": prompt_note}, alice, group)
    assert "report recorded" in (await press(app, prompt, "paid late", alice, group)).plain_text()
    shown = await app.dispatcher.dispatch("report", {"platform": "outl", "what": "drought", "note": typo_note},
                                          alice, group)  # shown, never pressed: still stored
    await buttons.encode(app.button_payloads, shown.buttons[0], TELEGRAM_LIMIT, clock.now(),
                         app.person_key("telegram", alice.user_id))
    # Alice the moderator.
    await file(app, carol, group, "drought", note="carol's own words")
    for line in (f"/mod_hide {await report_id(app, carol)} spam: advert", "/note outlier Read the pinned guide",
                 "/digest_setup monday 09:00 UTC", "/digest_off", "/mod_log", "/mod_reports"):
        assert not (reply := await run(app, line, alice, group)).is_error, (line, reply.plain_text())
    # Barred by Bob, and often contradicted.
    alice_key = app.person_key("telegram", alice.user_id)
    assert not (await run(app, f"/mod_bar {await report_id(app, alice, 'drought')} 30 spam: test", bob, group)).is_error
    now = unix(clock.now())
    await trust_store.add_trust(app.db, alice_key, now, 0, 3, now)
    clock.advance(days=2)
    await settle_trust(app)
    app.trust.weights.clear()

    needles = (alice_key, alice.user_id, alice.display_name, "555-0199", "J. Smith", "Jane Roe", "alice@example.com")
    rows = await dump(app)
    assert not found_in(rows, (alice.display_name, bob.display_name, carol.display_name)), "no names are stored"
    before = {hit.split(".")[0] for hit in found_in(rows, needles)}
    assert {"reports", "subscriptions", "member_settings", "button_payloads", "moderation_log", "community_notes",
            "digest_settings", "reporter_bars", "reporter_trust"} <= before, before

    done = await run(app, "/forget yes", alice, group)
    assert not done.is_error and done.private, done.plain_text()

    rows = await dump(app)
    bar = [row for table, row in rows if table == "reporter_bars" and row["reporter"] == alice_key]
    assert len(bar) == 1 and set(bar[0]) == {"reporter", "community", "report_id", "until", "reason", "at"}
    others = [(table, row) for table, row in rows if not (table == "reporter_bars" and row["reporter"] == alice_key)]
    assert not found_in(others, needles), "still there after /forget"
    # Kept, and linked to nothing: how far below a newcomer her trust was (her weight does not reset).
    [penalty] = [row for table, row in rows if table == "trust_penalties"]
    assert set(penalty) == {"key", "penalty"} and not found_in(
        [(t, r) for t, r in rows if t != "trust_penalties"], (penalty["key"],))
    assert (await trust_weights(app, [alice_key]))[alice_key] == 0.0  # barred, as before /forget
    clock.advance(days=30)  # once the bar ends she is still below a newcomer
    app.trust.weights.clear()
    assert (await trust_weights(app, [alice_key]))[alice_key] < NEW_WEIGHT
    # The actions stay, shown as "a moderator": the hidden report stays hidden, the note stays, the digest off.
    log = (await run(app, "/mod_log", bob, group)).plain_text()
    assert "a moderator hid report" in log and "you barred" in log and "Alice" not in log
    assert "Read the pinned guide" in (await run(app, "/legit outlier", carol, group)).plain_text()
    preview = (await run(app, "/digest_preview", bob, group)).plain_text()
    assert "turned off by a moderator" in preview
