"""`queuewatch export` holds no identifier of any kind; `queuewatch backup` copies a database in use."""

from __future__ import annotations

import asyncio
import csv
import sqlite3

import pytest

from bot.cli import main
from bot.cli.export import EXPORT_COLUMNS
from bot.core.clock import ManualClock
from bot.core.model import Actor, Place, Platform
from bot.settings import load_settings
from bot.wiring import build_app
from tests.conftest import START

SECRET = "export-test-secret-0123456789"
PEOPLE = [Actor(Platform.TELEGRAM, "123456789", "Alice Example"), Actor(Platform.DISCORD, "987654321012", "bob#42"),
          *(Actor(Platform.TELEGRAM, f"55500{i}", f"Member {i}") for i in range(3))]
GROUP = Place(Platform.TELEGRAM, "-1001234567890", "-1001234567890", is_private=False)


async def fill(url: str) -> list[str]:
    """Record reports of four kinds from five people (notes included); returns the reporter hashes."""
    clock = ManualClock(START.replace(minute=47, second=13))
    app = await build_app(load_settings(database_url=url, queuewatch_secret=SECRET), clock=clock)
    try:
        for actor in PEOPLE:
            for args in ({"what": "drought", "note": "Alice's queue: alice@example.com"},
                         {"what": "project_ended", "project": "Falcon"}):
                reply = await app.dispatcher.dispatch("report", {"platform": "outlier", **args}, actor, GROUP)
                assert not reply.is_error, reply.plain_text()
            await app.dispatcher.dispatch("payrate", {"platform": "outlier", "amount": "20", "currency": "EUR",
                                                      "role": "specialist"}, actor, GROUP)
            await app.dispatcher.dispatch("onboarding", {"platform": "outlier", "hours": "6", "paid": "no"},
                                          actor, GROUP)
            clock.advance(minutes=31)
        await app.db.execute("UPDATE reports SET hidden = 1, hidden_reason = 'spam' WHERE kind = 'project_ended' "
                             "AND id = (SELECT min(id) FROM reports WHERE kind = 'project_ended')")
        return [app.person_key(a.platform, a.user_id) for a in PEOPLE]
    finally:
        await app.db.close()


@pytest.fixture
def database(tmp_path, monkeypatch):
    """A database file with reports, and the environment pointing at it."""
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'queuewatch.db'}"
    for name in ("DISCORD_TOKEN", "TELEGRAM_TOKEN", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("QUEUEWATCH_SECRET", SECRET)
    hashes = asyncio.run(fill(url))
    return tmp_path, hashes


def test_export_holds_no_identifier_and_leaves_out_groups_of_fewer_than_five(database, capsys):
    tmp_path, hashes = database
    out = tmp_path / "exports" / "reports.csv"
    assert main(["export", "--out", str(out)]) == 0
    assert "Wrote 15 reports" in capsys.readouterr().out
    raw = out.read_text(encoding="utf-8")
    for needle in [*hashes, *(a.user_id for a in PEOPLE), *(a.display_name for a in PEOPLE), "alice@example.com",
                   "Alice", "-1001234567890", "telegram:", "discord:", "spam"]:
        assert needle not in raw, needle
    rows = list(csv.DictReader(raw.splitlines()))
    assert tuple(rows[0]) == EXPORT_COLUMNS and len(rows) == 15
    # Five people reported over three hours: too few for any one hour, enough for the day.
    assert {(r["day_utc"], r["hour_utc"]) for r in rows} == {("2026-11-16", "")}
    # One of the five project reports is hidden: four people are too few, so none is exported.
    assert sorted({r["kind"] for r in rows}) == ["drought", "onboarding", "payrate"]
    pay = [r for r in rows if r["kind"] == "payrate"]
    assert len(pay) == 5 and all(r["currency"] == "EUR" and r["role"] == "specialist" and r["amount"] == "20"
                                 for r in pay)
    assert {r["onboarding_paid"] for r in rows if r["kind"] == "onboarding"} == {"no"}


def test_export_refuses_to_overwrite_without_force(database, capsys):
    tmp_path, _ = database
    out = tmp_path / "reports.csv"
    out.write_text("keep me")
    assert main(["export", "--out", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err and out.read_text() == "keep me"
    assert main(["export", "--out", str(out), "--force"]) == 0


def test_backup_copies_the_database_while_it_is_open(database, capsys):
    tmp_path, hashes = database

    async def backup_while_open() -> int:
        app = await build_app(load_settings(), clock=ManualClock(START))
        try:  # the bot holds the database open (WAL) while the backup runs in another thread
            return await asyncio.to_thread(main, ["backup", str(tmp_path / "backups" / "copy.db")])
        finally:
            await app.db.close()

    assert asyncio.run(backup_while_open()) == 0
    assert "consistent copy" in capsys.readouterr().out
    copy = sqlite3.connect(tmp_path / "backups" / "copy.db")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM reports").fetchone()[0] == 20
        assert {r[0] for r in copy.execute("SELECT reporter FROM reports")} == set(hashes)
    finally:
        copy.close()
    assert main(["backup", str(tmp_path / "backups" / "copy.db")]) == 1
    assert main(["backup", str(tmp_path / "queuewatch.db"), "--force"]) == 1
    assert "different file" in capsys.readouterr().err
