"""The scale benchmark's bulk generator (benchmarks/scaling/data.py): what it loads without the triggers equals
what the app itself keeps, so the benchmark measures a database the bot could have written."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from benchmarks.scaling import data
from storage import activity, aggregates
from storage.database import SqliteDatabase

NOW = datetime(2026, 11, 3, tzinfo=UTC)
COUNT = 6_000


async def _generated(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "CACHE", tmp_path)
    path, seconds = await data.cached_database(COUNT, NOW, data.platform_ids(["outlier", "appen"]))
    assert seconds > 0 and path.exists()
    return path


async def test_the_bulk_load_equals_what_the_triggers_and_the_rebuild_keep(tmp_path, monkeypatch) -> None:
    path = await _generated(tmp_path, monkeypatch)
    conn = sqlite3.connect(path)
    stored = conn.execute("SELECT count(*), count(DISTINCT reporter || platform || kind || project || window_start) "
                          "FROM reports").fetchone()
    assert COUNT * 0.8 < stored[0] == stored[1] <= COUNT  # one row per dedupe key
    # Migration 0014's tables, as its own statements compute them from the loaded rows.
    assert set(conn.execute("SELECT reporter, community, first_at FROM reporter_first_seen")) == set(conn.execute(
        "SELECT reporter, coalesce(community, ''), min(created_at) FROM reports GROUP BY 1, 2"))
    assert set(conn.execute("SELECT platform, kind, n FROM report_totals")) == set(conn.execute(
        "SELECT platform, kind, count(*) FROM reports WHERE hidden = 0 GROUP BY 1, 2"))
    # Migration 0020's versions: one for each platform with drought or tasks-back reports, one with project reports.
    assert set(conn.execute("SELECT name FROM data_versions WHERE name != 'trust'")) == set(conn.execute(
        "SELECT DISTINCT CASE WHEN kind IN ('drought', 'tasks_back') THEN 'opinions:' ELSE 'projects:' END || platform "
        "FROM reports WHERE kind IN ('drought', 'tasks_back', 'project_paused', 'project_ended')"))
    # The values decode as the generator made them: cents, tenths of an hour, the kinds that carry them.
    assert conn.execute("SELECT count(*) FROM reports WHERE (kind = 'payrate') != (hourly_usd IS NOT NULL) "
                        "OR (kind = 'onboarding') != (hours IS NOT NULL) OR round(hourly_usd, 2) != hourly_usd "
                        "OR round(hours, 1) != hours OR created_at != updated_at").fetchone() == (0,)
    assert {row[0] for row in conn.execute("SELECT DISTINCT currency FROM reports WHERE kind = 'payrate'")} == {
        "USD", "EUR", "GBP"}
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE tbl_name = 'reports' AND type = 'trigger'"
                        ).fetchone()[0] >= 5  # put back after the load
    # The schema is the migrations' own (reports was loaded without its UNIQUE constraint, the index put back after),
    # the file sound, and the constraint's index the one SQLite checks (a duplicate dedupe key is refused).
    fresh = await SqliteDatabase.open(str(tmp_path / "fresh.db"))
    await fresh.migrate()
    await fresh.close()
    schema = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%'"
    assert set(conn.execute(schema)) == set(sqlite3.connect(tmp_path / "fresh.db").execute(schema))
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        conn.execute("INSERT INTO reports (reporter, platform, kind, project, window_start, created_at, updated_at) "
                     "SELECT reporter, platform, kind, project, window_start, 0, 0 FROM reports LIMIT 1")
    conn.close()
    # The aggregates made by REBUILD_ALL (every platform at once) equal the app's per-platform rebuild.
    db = await SqliteDatabase.open(str(path))
    try:
        loaded = await aggregates.snapshot(db)
        assert all(loaded.values())
        await aggregates.rebuild(db)
        assert await aggregates.snapshot(db) == loaded
        people = await activity.snapshot(db)
        everyone = await db.fetchall("SELECT reporter, latest FROM reporter_activity WHERE scope = ''")
        scanned = await db.fetchall("SELECT reporter, max(updated_at) FROM reports WHERE hidden = 0 GROUP BY reporter")
        assert {tuple(r) for r in everyone} == {tuple(r) for r in scanned}
        await activity.rebuild(db, int(NOW.timestamp()))
        assert await activity.snapshot(db) == people and all(people.values())
    finally:
        await db.close()
    assert await data.cached_database(COUNT, NOW, data.platform_ids(["outlier", "appen"])) == (path, 0.0)  # reused


async def test_a_longer_history_keeps_the_reports_per_day(tmp_path, monkeypatch) -> None:
    """--days: ten times the span and the reports gives the same reports a day, status changes and newcomer bursts
    a day, in a database cached apart from the 90-day one."""
    monkeypatch.setattr(data, "CACHE", tmp_path)
    platforms = data.platform_ids(["outlier", "appen"])
    short, _ = await data.cached_database(COUNT, NOW, platforms)
    long, _ = await data.cached_database(COUNT * 10, NOW, platforms, days=10 * data.DAYS)
    assert short != long
    end = int(NOW.timestamp())
    figures = []
    for path, days in ((short, data.DAYS), (long, 10 * data.DAYS)):
        conn = sqlite3.connect(path)
        first, last, n = conn.execute("SELECT min(created_at), max(created_at), count(*) FROM reports").fetchone()
        events = conn.execute("SELECT count(*) FROM status_events").fetchone()[0]
        conn.close()
        assert end - days * 86400 <= first < end - days * 0.95 * 86400 and last <= end
        figures.append((n / days, events / days))
    (reports_a_day, events_a_day), (long_reports_a_day, long_events_a_day) = figures
    assert 0.85 < long_reports_a_day / reports_a_day < 1.15 and 0.9 < long_events_a_day / events_a_day < 1.1
