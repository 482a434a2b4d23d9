"""`queuewatch copy` from a generated SQLite database to PostgreSQL: every table's rows and checksum match, a copy
that stopped resumes after its last whole batch, and /status, /pay and the digest answer the same on both.

The size is QUEUEWATCH_COPY_REPORTS (default 3,000 reports; the issue's 100,000 is `QUEUEWATCH_COPY_REPORTS=100000`).
"""

from __future__ import annotations

import os
import random

import pytest

from bot.adapters.console import render
from bot.core.clock import ManualClock, unix
from bot.core.model import Actor, Place, Platform
from bot.features.digest import build_digest, digest_reply
from bot.features.reports.recording import window_start
from bot.wiring import build_app
from storage import copying
from storage import reports as store
from tests.cli_support import queuewatch
from tests.conftest import START

pytestmark = pytest.mark.postgresql_only

REPORTS = int(os.environ.get("QUEUEWATCH_COPY_REPORTS", "3000"))
PLATFORMS = ("outlier", "dataannotation", "appen", "prolific")
KINDS = ("drought", "tasks_back", "payrate", "paid_on_time", "paid_late", "onboarding", "project_ended")
DAY = 86400
SECRET = "test-secret-0123456789"


async def generated(settings, url: str, count: int = REPORTS) -> None:
    """A database as a busy bot leaves it: reports of every kind over 60 days, some hidden, members' settings,
    subscriptions, a digest schedule, moderation, status changes from the availability refresh."""
    app = await build_app(settings.model_copy(update={"database_url": url}), clock=ManualClock(START))
    try:
        rng = random.Random(17)
        now = unix(START)
        batch = []
        for i in range(count):
            kind = rng.choice(KINDS)
            at = now - rng.randrange(60 * DAY)
            report = store.NewReport(f"person{rng.randrange(count // 3 + 1)}", rng.choice(PLATFORMS), kind,
                                     rng.choice(("", "", "falcon")) if kind == "project_ended" else "",
                                     window_start(kind, at), at, rng.choice((None, "telegram:-100", "discord:7")))
            if kind == "payrate":
                report.amount = report.hourly_usd = round(rng.uniform(8, 40), 2)
                report.currency = "USD"
            if kind == "onboarding":
                report.hours, report.paid = float(rng.randrange(1, 30)), rng.random() < 0.4
            if i % 11 == 0:
                report.note = f"note {i} with 'quotes' and ? marks"
            batch.append(report)
        await store.upsert_many(app.db, batch)
        await app.db.execute("UPDATE reports SET hidden = 1, hidden_reason = 'spam' WHERE id % 23 = 0")
        group = Place(Platform.TELEGRAM, "-100", "-100", is_private=False)
        moderator = Actor(Platform.TELEGRAM, "9", "Mod", is_moderator=True)
        for line in ("/digest_setup monday 09:00 Europe/London", "/note outlier slow this week", "/alerts_here on"):
            assert not (await app.dispatcher.dispatch_line(line, moderator, group)).is_error, line
        for n in range(5):
            member = Actor(Platform.TELEGRAM, str(100 + n), f"M{n}")
            await app.dispatcher.dispatch_line("/settings uk", member, group)
            await app.dispatcher.dispatch_line("/report outlier drought", member, group)
        await app.availability.statuses(app.clock.now(), None)
    finally:
        await app.db.close()


async def answers(settings, url: str) -> list[str]:
    """What /status, /pay and the digest say on one database, as text."""
    app = await build_app(settings.model_copy(update={"database_url": url}), clock=ManualClock(START))
    try:
        member = Actor(Platform.CONSOLE, "asker", "Asker")
        place = Place(Platform.CONSOLE, "local", "general", is_private=False)
        said = [(await app.dispatcher.dispatch_line(line, member, place)).plain_text()
                for line in ("/status", "/status outlier", "/pay outlier", "/pay appen")]
        digest = await build_digest(app, "telegram:-100", app.clock.now(), "Europe/London")
        return [*said, render(digest_reply(digest))]
    finally:
        await app.db.close()


async def test_a_copy_matches_table_by_table_and_answers_the_same(settings, backend, tmp_path) -> None:
    source = f"sqlite:///{tmp_path / 'source.db'}"
    await generated(settings, source)
    target = await backend.fresh_url()
    result = queuewatch("copy", "--from", source, "--to", target, "--batch", "500", cwd=tmp_path, timeout=240,
                        QUEUEWATCH_SECRET=SECRET)
    assert result.returncode == 0, result.stderr
    assert "every table's row count and checksum match the source" in result.stdout
    assert "Traceback" not in result.stderr

    from storage.database import open_database

    src, dst = await open_database(source), await open_database(target)
    try:
        tables = await copying.tables(src)
        assert {t.name for t in tables} >= {"reports", "report_totals", "reporter_first_seen", "digest_settings"}
        for table in tables:
            assert await copying.checksum(src, table) == await copying.checksum(dst, table), table.name
        assert await copying.count(dst, tables[0]) == await copying.count(src, tables[0]) > REPORTS * 0.9
        assert not await copying.has_markers(dst)  # verified: the markers are gone
        # New reports after the move get new ids, after the copied ones.
        copied = (await src.fetchone("SELECT max(id) FROM reports"))[0]
        [row] = await dst.write_returning(
            "INSERT INTO reports (reporter, platform, kind, window_start, created_at, updated_at) "
            "VALUES ('new', 'outlier', 'drought', 0, 1, 1) RETURNING id")
        assert row["id"] == copied + 1
        await dst.execute("DELETE FROM reports WHERE reporter = 'new'")
    finally:
        await src.close()
        await dst.close()
    assert await answers(settings, source) == await answers(settings, target)


async def test_a_copy_that_stopped_resumes_after_its_last_whole_batch(settings, backend, tmp_path, monkeypatch) -> None:
    from bot.cli import copy as command
    from storage.database import open_database

    source_url = f"sqlite:///{tmp_path / 'source.db'}"
    await generated(settings, source_url, count=1200)
    target_url = await backend.fresh_url()
    written: list[tuple[str, int]] = []
    real = copying.write_batch

    async def failing_after_three(db, table, rows):
        if len(written) == 3:
            raise ConnectionResetError("the network went away")
        written.append((table.name, len(rows)))
        await real(db, table, rows)

    monkeypatch.setattr(copying, "write_batch", failing_after_three)
    source, target = await open_database(source_url), await open_database(target_url)
    await target.migrate()
    try:
        with pytest.raises(ConnectionResetError):
            await command.copy_database(source, target, batch=100)
        assert written == [("reports", 100)] * 3
        assert await copying.has_markers(target)
        monkeypatch.setattr(copying, "write_batch", real)
        seen: list[int] = []

        async def counting(db, table, rows):
            if table.name == "reports":
                seen.append(rows[0][0])
            await real(db, table, rows)

        monkeypatch.setattr(copying, "write_batch", counting)
        assert await command.copy_database(source, target, batch=100) == 0
        assert seen[0] == 301  # resumed after the third batch of 100, not from the start
        for table in await copying.tables(source):
            assert await copying.checksum(source, table) == await copying.checksum(target, table), table.name
    finally:
        await source.close()
        await target.close()


async def test_a_copy_refuses_a_target_that_holds_data(settings, backend, tmp_path) -> None:
    source = f"sqlite:///{tmp_path / 'source.db'}"
    await generated(settings, source, count=50)
    result = queuewatch("copy", "--from", source, "--to", backend.url, cwd=tmp_path, timeout=120,
                        QUEUEWATCH_SECRET=SECRET)
    assert result.returncode == 0, result.stderr
    again = queuewatch("copy", "--from", source, "--to", backend.url, cwd=tmp_path, timeout=120,
                       QUEUEWATCH_SECRET=SECRET)
    assert again.returncode == 2
    assert again.stderr.strip().splitlines() == [
        "queuewatch: copy: the target already holds data; copy into an empty database (a copy that stopped is "
        "resumed, but only into the database it started on)"]
