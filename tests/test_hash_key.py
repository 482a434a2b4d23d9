"""The hashing key lives outside the database it protects, a wrong key never starts, and rekey keeps members.

The key file is mode 0600 and no database file, write-ahead log or backup holds the key; a database whose
fingerprint does not match the configured key refuses to start with one line naming the setting; an old
database that kept its key inside has it moved out and keeps every member's hashes; `queuewatch rekey`
moves every stored hash to a new key with /myreports and /forget still working.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import sqlite3
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot import hashkey
from bot.core import buttons
from bot.core.errors import StartupError
from bot.core.model import Actor, Button, Place, Platform
from bot.features.availability.trust import settle_trust
from bot.features.digest.activity import catch_up as activity_catch_up
from bot.hashkey import KeyChain, KeyFile
from bot.settings import Settings, SettingsError, load_settings
from bot.wiring import build_app
from storage import keys as keys_store
from storage import process_lock
from storage.database import open_database
from tests.cli_support import ROOT, queuewatch
from tests.moderation_helpers import file, report_id, run

MEMBER = Actor(Platform.TELEGRAM, "4242", "Alice")
MODERATOR = Actor(Platform.TELEGRAM, "77", "Mod", is_moderator=True)
GROUP = Place(Platform.TELEGRAM, "-100123", "-100123", is_private=False)
TABLES = "SELECT name FROM sqlite_master WHERE type = 'table'"


def on_disk(settings: Settings, tmp_path: Path, **update: object) -> Settings:
    """The test settings on a database file, with the key file in tmp_path/data and no QUEUEWATCH_SECRET."""
    return settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'q.db'}", "queuewatch_secret": None,
                                       "queuewatch_secret_file": tmp_path / "data" / "queuewatch.key", **update})


@contextlib.asynccontextmanager
async def opened(settings: Settings, clock) -> AsyncIterator:
    """A started app on these settings, closed afterwards."""
    app = await build_app(settings, clock)
    try:
        yield app
    finally:
        await app.db.close()


def files_of(database: Path) -> bytes:
    """Every byte SQLite keeps for a database on disk: the file and its write-ahead log."""
    return b"".join(p.read_bytes() for p in (database, Path(f"{database}-wal")) if p.exists())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def places_holding(database: Path, value: str) -> set[tuple[str, str]]:
    """Every (table, column) where some row holds exactly this value."""
    found = set()
    with contextlib.closing(sqlite3.connect(database)) as conn:
        for (table,) in conn.execute(TABLES).fetchall():
            for column in [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]:
                if conn.execute(f"SELECT 1 FROM {table} WHERE {column} = ? LIMIT 1", (value,)).fetchone():
                    found.add((table, column))
    return found


async def everything_a_member_and_a_moderator_do(app) -> None:
    """A member reports (with a note), saves settings, is shown their buttons and gets a trust record; a
    moderator hides, bars, writes a note and turns the digest off."""
    await file(app, MEMBER, GROUP, "tasks_back", note="my own words")
    await file(app, MEMBER, GROUP, "paid_late")
    await file(app, MODERATOR, GROUP, "tasks_back")
    assert not (await run(app, "/status outlier", MEMBER, GROUP)).is_error
    assert not (await run(app, "/settings uk", MEMBER, GROUP)).is_error
    hidden = await report_id(app, MEMBER, "paid_late")
    assert not (await run(app, f"/mod_hide {hidden} spam: the same text in ten groups", MODERATOR, GROUP)).is_error
    assert not (await run(app, f"/mod_bar {hidden} 30 spam: flooding", MODERATOR, GROUP)).is_error
    assert not (await run(app, "/note outlier the queue is slow on weekends", MODERATOR, GROUP)).is_error
    again = Button("Try again", "report", {"platform": "outlier", "note": "my own words"}, personal=True)
    await buttons.encode(app.button_payloads, again, 64, app.clock.now(), app.person_key("telegram", "4242"))
    assert not (await run(app, "/digest_setup monday 09:00 Europe/London", MODERATOR, GROUP)).is_error
    assert not (await run(app, "/digest_off", MODERATOR, GROUP)).is_error
    app.clock.advance(days=2)
    await settle_trust(app)


async def test_a_generated_key_goes_to_a_0600_file_and_never_into_the_database(settings, tmp_path, clock) -> None:
    async with opened(on_disk(settings, tmp_path), clock) as first:
        await file(first, MEMBER, GROUP, "drought")
        key = first.person_key("telegram", MEMBER.user_id)

    key_file = tmp_path / "data" / "queuewatch.key"
    assert mode(key_file) == 0o600
    [secret] = KeyFile(key_file).read()
    assert len(secret) == 64
    assert secret.encode() not in files_of(tmp_path / "q.db")
    with contextlib.closing(sqlite3.connect(tmp_path / "q.db")) as conn:
        stored = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    assert "queuewatch_secret" not in stored and secret not in stored.values()
    assert stored[keys_store.FINGERPRINT] == KeyChain([secret]).fingerprint() != secret

    async with opened(on_disk(settings, tmp_path), clock) as again:
        assert again.person_key("telegram", MEMBER.user_id) == key  # the same member, across restarts


async def test_a_backup_of_the_database_carries_no_key_and_is_private(settings, tmp_path, clock) -> None:
    async with opened(on_disk(settings, tmp_path), clock) as app:
        await everything_a_member_and_a_moderator_do(app)
        await app.db.backup(tmp_path / "backups" / "copy.db")
        member = app.person_key("telegram", MEMBER.user_id)
    [secret] = KeyFile(tmp_path / "data" / "queuewatch.key").read()
    copy = tmp_path / "backups" / "copy.db"
    assert mode(copy) == 0o600
    assert secret.encode() not in copy.read_bytes()
    assert places_holding(copy, member)  # a real copy, hashes and all


async def test_an_old_database_with_its_key_inside_moves_it_out_and_keeps_every_member(settings, tmp_path,
                                                                                          clock) -> None:
    """Versions before the key file generated a key and kept it in the meta table; such a database is the
    old layout below: its hashes were made with that key, and no fingerprint is stored yet."""
    legacy = secrets.token_hex(32)
    async with opened(on_disk(settings, tmp_path, queuewatch_secret=SecretStr(legacy)), clock) as old:
        await everything_a_member_and_a_moderator_do(old)
    with contextlib.closing(sqlite3.connect(tmp_path / "q.db")) as conn, conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('queuewatch_secret', ?)", (legacy,))
        conn.execute("DELETE FROM meta WHERE key = ?", (keys_store.FINGERPRINT,))
    assert legacy.encode() in files_of(tmp_path / "q.db")

    async with opened(on_disk(settings, tmp_path), clock) as app:
        listing = (await run(app, "/myreports", MEMBER, GROUP)).plain_text()
        assert "tasks are back" in listing and "paid late" in listing
        await app.db.backup(tmp_path / "copy.db")
        # Gone from the files while the bot runs: not left in free space, nor in the write-ahead log.
        for where in (files_of(tmp_path / "q.db"), (tmp_path / "copy.db").read_bytes()):
            assert legacy.encode() not in where
    assert KeyFile(tmp_path / "data" / "queuewatch.key").read() == [legacy]
    assert mode(tmp_path / "data" / "queuewatch.key") == 0o600


async def test_a_database_made_with_another_key_never_starts(settings, tmp_path, clock) -> None:
    async with opened(on_disk(settings, tmp_path), clock) as app:
        await file(app, MEMBER, GROUP, "drought")
    with pytest.raises(StartupError, match=r"^QUEUEWATCH_SECRET: not the key"):
        await build_app(on_disk(settings, tmp_path, queuewatch_secret=SecretStr("another-key-0123456789")), clock)
    key_file = tmp_path / "data" / "queuewatch.key"
    key_file.rename(tmp_path / "elsewhere.key")
    with pytest.raises(StartupError, match=r"^QUEUEWATCH_SECRET_FILE: .* is missing"):
        await build_app(on_disk(settings, tmp_path), clock)
    assert not key_file.exists()  # no key was made up for a database that has hashes
    KeyFile(key_file).create([secrets.token_hex(32)])
    with pytest.raises(StartupError, match=r"^QUEUEWATCH_SECRET_FILE: the keys in .* are not the ones"):
        await build_app(on_disk(settings, tmp_path), clock)
    key_file.unlink()
    (tmp_path / "elsewhere.key").rename(key_file)
    async with opened(on_disk(settings, tmp_path), clock) as app:
        assert "no tasks" in (await run(app, "/myreports", MEMBER, GROUP)).plain_text()


async def test_a_database_that_ran_with_queuewatch_secret_gets_no_new_key(settings, tmp_path, clock) -> None:
    async with opened(on_disk(settings, tmp_path, queuewatch_secret=SecretStr("the-old-secret-0123456")), clock) as app:
        await file(app, MEMBER, GROUP, "drought")
    with pytest.raises(StartupError, match=r"^QUEUEWATCH_SECRET_FILE: .* is missing"):
        await build_app(on_disk(settings, tmp_path), clock)
    assert not (tmp_path / "data" / "queuewatch.key").exists()


def test_a_wrong_key_stops_start_up_with_one_line_and_exit_2(tmp_path) -> None:
    """As an operator meets it: the bot ran without QUEUEWATCH_SECRET, then someone sets one."""
    first = queuewatch("console", cwd=tmp_path, stdin="/report outlier drought\n")
    assert first.returncode == 0, first.stderr
    for env, setting in (({"QUEUEWATCH_SECRET": "a-brand-new-secret-0123"}, "QUEUEWATCH_SECRET"),
                         ({"QUEUEWATCH_SECRET_FILE": str(tmp_path / "other.key")}, "QUEUEWATCH_SECRET_FILE")):
        refused = queuewatch("console", cwd=tmp_path, stdin="/myreports\n", **env)
        assert refused.returncode == 2
        assert refused.stderr.splitlines() == [refused.stderr.strip()]
        assert refused.stderr.startswith(f"queuewatch: {setting}: ")
        assert "a-brand-new-secret" not in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "other.key").exists()
    again = queuewatch("console", cwd=tmp_path, stdin="/myreports\n")
    assert "#1 Outlier: no tasks" in again.stdout


def test_rekey_keeps_myreports_and_forget_working(tmp_path) -> None:
    before = queuewatch("console", cwd=tmp_path, stdin="/report outlier drought\n/settings uk\n")
    assert before.returncode == 0, before.stderr
    key_file = tmp_path / "data" / "queuewatch.key"
    [old_key] = KeyFile(key_file).read()

    result = queuewatch("rekey", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Moved 3 stored hashes of 1 person to a new key in one transaction" in result.stdout
    keys = KeyFile(key_file).read()
    assert keys[0] == old_key and len(keys) == 2 and mode(key_file) == 0o600

    after = queuewatch("console", cwd=tmp_path, stdin="/myreports\n/settings\n/forget yes\n/myreports\n")
    assert after.returncode == 0, after.stderr
    mine, _, rest = after.stdout.partition("Deleted")
    assert "#1 Outlier: no tasks" in mine and "United Kingdom" in mine
    assert "- reports: 1" in rest and "- saved settings: 1" in rest
    assert "You have no reports" in rest


async def rekey_now(settings: Settings):
    """What `queuewatch rekey` does, in this process."""
    db = await open_database(settings.database_url)
    try:
        return await hashkey.rekey(settings, db, KeyFile(settings.queuewatch_secret_file))
    finally:
        await db.close()


async def test_rekey_moves_every_stored_hash_and_leaves_no_old_one(settings, tmp_path, clock) -> None:
    async with opened(on_disk(settings, tmp_path), clock) as app:
        await everything_a_member_and_a_moderator_do(app)
        await activity_catch_up(app)  # the worker's minute round: who took part holds the member's hash too
        old = [app.person_key("telegram", who.user_id) for who in (MEMBER, MODERATOR)]
    database = tmp_path / "q.db"
    holding = places_holding(database, old[0]) | places_holding(database, old[1])
    assert holding == set(keys_store.HASHED_COLUMNS), "a column holds a person's hash that rekey does not know"

    chain, people, _rows = await rekey_now(on_disk(settings, tmp_path))
    assert len(chain) == 2 and people == 2
    for value in old:
        assert places_holding(database, value) == set()
        assert value.encode() not in files_of(database)  # nor in free space or the log

    async with opened(on_disk(settings, tmp_path), clock) as app:
        new = [app.person_key("telegram", who.user_id) for who in (MEMBER, MODERATOR)]
        assert places_holding(database, new[0]) | places_holding(database, new[1]) == holding
        assert "tasks are back" in (await run(app, "/myreports", MEMBER, GROUP)).plain_text()
        assert "barred" in (await run(app, "/report outlier drought", MEMBER, GROUP)).plain_text()  # the bar holds


async def test_a_backup_from_before_a_rekey_opens_with_the_new_key_file(settings, tmp_path, clock) -> None:
    async with opened(on_disk(settings, tmp_path), clock) as app:
        await file(app, MEMBER, GROUP, "drought")
        await app.db.backup(tmp_path / "before.db")
    await rekey_now(on_disk(settings, tmp_path))

    restored = on_disk(settings, tmp_path, database_url=f"sqlite:///{tmp_path / 'before.db'}")
    async with opened(restored, clock) as app:
        assert "no tasks" in (await run(app, "/myreports", MEMBER, GROUP)).plain_text()
        brought_forward = app.person_key("telegram", MEMBER.user_id)
    assert places_holding(tmp_path / "before.db", brought_forward) == {("reports", "reporter"),
                                                                       ("reporter_first_seen", "reporter")}


async def test_a_rekey_that_stopped_after_writing_the_key_file_is_finished_on_start(settings, tmp_path,
                                                                                      clock) -> None:
    async with opened(on_disk(settings, tmp_path), clock) as app:
        await file(app, MEMBER, GROUP, "drought")
    key_file = KeyFile(tmp_path / "data" / "queuewatch.key")
    key_file.replace(KeyChain(key_file.read()).extended().keys)  # then the transaction never ran
    async with opened(on_disk(settings, tmp_path), clock) as app:
        assert "no tasks" in (await run(app, "/myreports", MEMBER, GROUP)).plain_text()
        assert await keys_store.fingerprint(app.db) == KeyChain(key_file.read()).fingerprint()


async def test_rekey_refuses_while_the_bot_runs(settings, tmp_path, clock) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'q.db'}"}
    async with opened(on_disk(settings, tmp_path, queuewatch_secret_file=Path("data/queuewatch.key")), clock) as app:
        await file(app, MEMBER, GROUP, "drought")
    running = process_lock.hold(str(tmp_path / "q.db"))  # what `queuewatch run` and `console` hold
    try:
        refused = queuewatch("rekey", cwd=tmp_path, **env)
    finally:
        running.release()
    assert refused.returncode == 2, refused.stdout
    assert refused.stderr.splitlines() == [refused.stderr.strip()]
    assert "is in use by another queuewatch process" in refused.stderr
    assert len(KeyFile(tmp_path / "data" / "queuewatch.key").read()) == 1  # nothing was changed
    done = queuewatch("rekey", cwd=tmp_path, **env)
    assert done.returncode == 0, done.stderr


async def test_a_forgotten_members_trust_penalty_survives_a_rekey(settings, tmp_path, clock) -> None:
    """/forget keeps a below-newcomer trust under a sealed hash; rekey moves it with the member's hash."""
    from bot.features.availability import trust
    from storage import trust as trust_store

    async with opened(on_disk(settings, tmp_path), clock) as app:
        await file(app, MEMBER, GROUP, "drought")
        key = app.person_key("telegram", MEMBER.user_id)
        async with app.db.transaction() as tx:
            await trust_store.add_trust(tx, key, 0, 0, 6, 0)  # often contradicted by what followed
        assert not (await run(app, "/forget yes", MEMBER, GROUP)).is_error
        before = (await trust.trust_weights(app, [key]))[key]
        assert before < trust.NEW_WEIGHT
    await rekey_now(on_disk(settings, tmp_path))
    async with opened(on_disk(settings, tmp_path), clock) as app:
        new_key = app.person_key("telegram", MEMBER.user_id)
        assert new_key != key
        assert (await trust.trust_weights(app, [new_key]))[new_key] == before  # back where they were
        assert (await trust.trust_weights(app, [key]))[key] == trust.NEW_WEIGHT  # the old hash means nobody


def test_the_sealed_purposes_are_the_ones_the_features_use() -> None:
    from bot.features.availability.trust import PENALTY_PURPOSE

    assert {purpose for _table, _column, purpose in keys_store.SEALED_COLUMNS} == {PENALTY_PURPOSE}
    chain = KeyChain([secrets.token_hex(32)])
    hashed = chain.person_key("telegram", "1")
    assert chain.unseal(PENALTY_PURPOSE, chain.seal(PENALTY_PURPOSE, hashed)) == hashed
    assert chain.seal(PENALTY_PURPOSE, hashed) != chain.extended().seal(PENALTY_PURPOSE, hashed)


def test_rekey_needs_the_key_in_the_file(tmp_path) -> None:
    result = queuewatch("rekey", cwd=tmp_path, QUEUEWATCH_SECRET="a-secret-in-the-env-0123")
    assert result.returncode == 2 and result.stderr.startswith("queuewatch: QUEUEWATCH_SECRET: rekey adds a key")
    assert "a-secret-in-the-env" not in result.stderr


def test_the_example_env_file_starts_as_it_is(tmp_path, monkeypatch) -> None:
    """.env.example leaves QUEUEWATCH_SECRET empty: copied to .env, that means "use the key file"."""
    for name in ("QUEUEWATCH_SECRET", "QUEUEWATCH_SECRET_FILE", "DATABASE_URL", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    loaded = load_settings()
    assert loaded.queuewatch_secret is None
    assert loaded.queuewatch_secret_file == Path("data/queuewatch.key")
    (tmp_path / "keys").mkdir()
    with pytest.raises(SettingsError, match=r"^QUEUEWATCH_SECRET_FILE: keys is a folder"):
        load_settings(queuewatch_secret_file="keys")


async def test_every_column_named_for_a_keyed_hash_is_rekeyed(app) -> None:
    """A new table keyed by a person's hash (person, reporter, actor, author...) must be in HASHED_COLUMNS."""
    hash_names = {"person", "reporter", "actor", "author", "viewer", "disabled_by", "moderator", "person_key"}
    tables = [row["name"] for row in await app.db.fetchall(TABLES)]
    named = {(table, row["name"]) for table in tables
             for row in await app.db.fetchall(f"PRAGMA table_info({table})") if row["name"] in hash_names}
    assert named == set(keys_store.HASHED_COLUMNS)
