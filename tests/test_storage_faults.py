"""Writes under a locked database and a full disk: retried within the reply deadline, else a truthful reply.

Another process holds the write lock (BEGIN IMMEDIATE), or the database cannot grow (`PRAGMA
max_page_count`, which fails writes with SQLITE_FULL just as a full disk does); the real /report,
/subscribe and /settings run through the real dispatcher on a database file.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import pytest

from bot.core.errors import StorageUnavailable, classify
from bot.core.model import Actor, Place, Platform, Reply
from bot.settings import load_settings
from bot.wiring import App, build_app
from storage.database import RETRY_SECONDS
from tests.reports_helpers import members

REPLY_DEADLINE = 2.5  # seconds: what a command may take and still be answered in time on every platform
NOT_SAVED = "Please send it again in a minute."
# Hold the write lock until the test closes our stdin (or kills us).
HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
"""
GROUP = Place(Platform.CONSOLE, "local", "general", is_private=False)
PRIVATE = Place(Platform.CONSOLE, None, None, is_private=True)


@pytest.fixture
async def file_app(tmp_path, clock) -> App:
    """A migrated app on a database file."""
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'q.db'}", queuewatch_secret="faults-secret-012345")
    app = await build_app(settings, clock=clock)
    yield app
    await app.db.close()


def hold_write_lock(path: str) -> subprocess.Popen:
    """Another process that holds the database's write lock until its stdin is closed."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def writes(app: App) -> list[tuple[str, Callable[[], Awaitable[Reply]]]]:
    """Five members' /report, a /subscribe and a /settings, each as a coroutine factory."""
    dispatch = app.dispatcher.dispatch
    sends: list[tuple[str, Callable[[], Awaitable[Reply]]]] = [
        ("report", lambda actor=actor: dispatch("report", {"platform": "outlier", "what": "drought"}, actor, GROUP))
        for actor in members(5)
    ]
    someone = Actor(Platform.CONSOLE, "sub1", "Sub One")
    sends.append(("subscribe", lambda: dispatch("subscribe", {"platform": "outlier"}, someone, PRIVATE)))
    sends.append(("settings", lambda: dispatch("settings", {"country": "uk"}, someone, PRIVATE)))
    return sends


async def timed(send: Callable[[], Awaitable[Reply]]) -> tuple[Reply, float]:
    """A reply and how long it took."""
    start = time.monotonic()
    reply = await send()
    return reply, time.monotonic() - start


async def stored(app: App) -> dict[str, int]:
    """How many rows the three commands keep."""
    counts = {}
    for table in ("reports", "subscriptions", "member_settings"):
        counts[table] = (await app.db.fetchone(f"SELECT count(*) FROM {table}"))[0]
    return counts


def assert_truthfully_not_saved(reply: Reply, reason: str) -> None:
    text = reply.plain_text()
    assert reply.is_error and reply.title == "Not saved", text
    assert f"Not saved: the bot's database is {reason} right now." in text and NOT_SAVED in text
    for claim in ("error id", "lost", "Recorded", "settings saved", "Following", "I'll send"):
        assert claim not in text, (claim, text)


async def test_a_lock_held_past_the_retry_window_gets_a_truthful_reply_in_time(file_app) -> None:
    holder = hold_write_lock(file_app.db.path)
    try:
        results = await asyncio.gather(*(timed(send) for _name, send in writes(file_app)))
    finally:
        holder.stdin.close()
        holder.wait(5)
    for reply, took in results:
        assert_truthfully_not_saved(reply, "busy")
        assert RETRY_SECONDS - 0.3 < took < REPLY_DEADLINE, took  # it did wait and retry, and answered in time
    assert await stored(file_app) == {"reports": 0, "subscriptions": 0, "member_settings": 0}
    # Once the other process lets go, the same commands are saved.
    for _name, send in writes(file_app):
        assert not (await send()).is_error
    assert await stored(file_app) == {"reports": 5, "subscriptions": 1, "member_settings": 1}


async def test_a_lock_held_briefly_is_waited_out_and_everything_is_saved(file_app) -> None:
    holder = hold_write_lock(file_app.db.path)
    asyncio.get_running_loop().call_later(0.4, holder.stdin.close)
    try:
        results = await asyncio.gather(*(timed(send) for _name, send in writes(file_app)))
    finally:
        holder.wait(5)
    for (name, _send), (reply, took) in zip(writes(file_app), results, strict=True):
        assert not reply.is_error, (name, reply.plain_text())
        assert 0.3 < took < REPLY_DEADLINE, took
    assert await stored(file_app) == {"reports": 5, "subscriptions": 1, "member_settings": 1}
    assert "Following Outlier" in results[5][0].plain_text() and "Your settings saved" in results[6][0].plain_text()


async def test_a_full_disk_gets_a_truthful_reply_and_every_acknowledged_write_is_kept(file_app) -> None:
    db = file_app.db
    pages = (await db.fetchone("PRAGMA page_count"))[0]
    await db.execute(f"PRAGMA max_page_count = {pages}")  # the writer may not grow the file: SQLITE_FULL
    dispatch = file_app.dispatcher.dispatch
    note = "queue empty since this morning, checked twice " * 3
    commands = {
        "report": (lambda actor: dispatch("report", {"platform": "outlier", "what": "drought", "note": note[:190]},
                                          actor, GROUP), "reports", "reporter = ?"),
        "subscribe": (lambda actor: dispatch("subscribe", {"platform": "outlier"}, actor, PRIVATE),
                      "subscriptions", "user_id = ?"),
        "settings": (lambda actor: dispatch("settings", {"country": "uk", "currency": "GBP"}, actor, PRIVATE),
                     "member_settings", "person = ?"),
    }
    for name, (send, table, who) in commands.items():
        for i in range(400):
            actor = Actor(Platform.CONSOLE, f"{name}{i}", f"{name} {i}")
            key = actor.user_id if table == "subscriptions" else file_app.person_key("console", actor.user_id)
            reply = await send(actor)
            kept = (await db.fetchone(f"SELECT count(*) FROM {table} WHERE {who}", (key,)))[0]
            if reply.is_error:
                assert_truthfully_not_saved(reply, "out of disk space")
                assert kept == 0, f"/{name} said not saved but kept it"
                break
            assert kept == 1, f"/{name} said saved but kept nothing"
        else:
            pytest.fail(f"/{name} never met the full disk")
        assert i > 0, f"/{name} failed before the disk was full"
    assert (await db.fetchone("PRAGMA quick_check"))[0] == "ok"


def test_an_unexpected_error_claims_nothing_about_what_was_kept() -> None:
    text = classify(RuntimeError("boom"), "report").plain_text()
    assert "error id" in text and "lost" not in text and "was saved" not in text
    busy = classify(StorageUnavailable("q.db: database is locked", "busy", writing=False), "status").plain_text()
    assert "error id" not in busy and "try again in a minute" in busy and "saved" not in busy.lower()
