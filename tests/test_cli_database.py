"""An unusable database stops every command with one line and exit 2, in time; one bot process per database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage.database import SqliteDatabase
from tests.cli_support import clean_env, queuewatch

DB = "data/queuewatch.db"
URL = f"sqlite:///{DB}"
# Every command that opens the database, with what it needs to get that far.
COMMANDS = {
    "run": ["run"],
    "migrate": ["migrate"],
    "console": ["console"],
    "export": ["export", "--out", "out.csv"],
    "backup": ["backup", "copy.db"],
    "digest": ["digest", "--community", "any", "--print"],
}


async def _migrate(path: Path) -> None:
    db = await SqliteDatabase.open(str(path))
    await db.migrate()
    await db.close()


def migrated(path: Path) -> None:
    """A real queuewatch database with a little data, migrated by the real store, then closed (no WAL)."""
    asyncio.run(_migrate(path))
    conn = sqlite3.connect(path)
    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [(f"k{i}", "v" * 300) for i in range(400)])
    conn.commit()
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()


def not_sqlite(path: Path) -> str:
    path.write_text("name,platform\nalice,outlier\n")
    return "is not an SQLite database"


def corrupted(path: Path) -> str:
    migrated(path)
    with path.open("r+b") as handle:  # garbage over the pages after the header page; the version stays readable
        handle.seek(4096)
        handle.write(bytes(range(256)) * 16 * 6)
    return "is corrupted"


def read_only(path: Path) -> str:
    migrated(path)
    if os.geteuid() == 0:  # root writes through mode bits: make the file immutable instead
        if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
            pytest.skip("running as root without chattr: cannot make a file read-only")
    else:
        path.chmod(0o444)
    return "is read-only"


def folder(path: Path) -> str:
    path.mkdir()
    return "is a folder"


def newer_schema(path: Path) -> str:
    migrated(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    return "newer than this queuewatch"


BAD_DATABASES = {"not_sqlite": not_sqlite, "corrupted": corrupted, "read_only": read_only, "folder": folder,
                 "newer_schema": newer_schema}
CASES = [(command, bad) for command in ("run", "migrate", "console") for bad in BAD_DATABASES]
CASES += [("export", "corrupted"), ("export", "newer_schema"), ("backup", "not_sqlite"), ("backup", "corrupted"),
          ("digest", "read_only"), ("digest", "folder")]


@pytest.fixture
def workdir(tmp_path):
    """A working folder with data/; lifts the immutable flag a test may have set, so it can be removed."""
    (tmp_path / "data").mkdir()
    yield tmp_path
    if os.geteuid() == 0 and (tmp_path / DB).is_file():
        subprocess.run(["chattr", "-i", str(tmp_path / DB)], capture_output=True)


@pytest.mark.parametrize("command, bad", CASES)
def test_an_unusable_database_gets_one_line_and_exit_2_within_5_seconds(workdir, command, bad) -> None:
    path = workdir / DB
    expected = BAD_DATABASES[bad](path)
    before = path.read_bytes() if path.is_file() else None
    start = time.monotonic()
    result = queuewatch(*COMMANDS[command], cwd=workdir, stdin="/about\n", timeout=10, DATABASE_URL=URL)
    took = time.monotonic() - start
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert len(lines) == 1 and lines[0].startswith(f"queuewatch: DATABASE_URL: {DB} "), result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr + result.stdout and "up to date" not in result.stdout
    assert took < 5
    if before is not None:
        assert path.read_bytes() == before  # looked at, never changed


def test_run_refuses_an_in_memory_database(tmp_path) -> None:
    result = queuewatch("run", cwd=tmp_path, stdin="/about\n", DATABASE_URL="sqlite:///:memory:")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "queuewatch: DATABASE_URL: sqlite:///:memory: keeps everything in memory, so every report, subscription "
        "and setting would vanish when the bot stops; point it at a file, e.g. sqlite:///data/queuewatch.db"
    ]
    console = queuewatch("console", cwd=tmp_path, stdin="/about\n", DATABASE_URL="sqlite:///:memory:")
    assert console.returncode == 0 and "About queuewatch" in console.stdout  # a throw-away chat is fine


def test_new_database_files_are_private_to_their_owner(tmp_path) -> None:
    result = queuewatch("migrate", cwd=tmp_path, DATABASE_URL=URL)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((tmp_path / DB).stat().st_mode) == 0o600


def start_bot(cwd: Path) -> subprocess.Popen:
    """`queuewatch run` (the console, no tokens) kept running by an open stdin; returns once it holds the lock."""
    bot = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, cwd=cwd, env=clean_env(DATABASE_URL=URL))
    lock = cwd / f"{DB}.lock"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and bot.poll() is None:
        with contextlib.suppress(FileNotFoundError):
            if lock.read_text().strip() == str(bot.pid):
                return bot
        time.sleep(0.02)
    bot.kill()
    pytest.fail(f"the first bot did not start: {bot.communicate()[1]}")


def test_a_second_bot_on_the_same_database_refuses_to_start(tmp_path) -> None:
    first = start_bot(tmp_path)
    try:
        for command in ("run", "console"):
            second = queuewatch(command, cwd=tmp_path, stdin="/about\n", timeout=10, DATABASE_URL=URL)
            lines = second.stderr.strip().splitlines()
            assert second.returncode == 2, second.stderr
            assert len(lines) == 1 and f"DATABASE_URL: {DB} is in use by another queuewatch" in lines[0]
            assert f"(pid {first.pid})" in lines[0]
            assert "About queuewatch" not in second.stdout
        # The same file named another way (an absolute path) is the same database.
        absolute = queuewatch("run", cwd=tmp_path, timeout=10, DATABASE_URL=f"sqlite:///{tmp_path / DB}")
        assert absolute.returncode == 2 and f"(pid {first.pid})" in absolute.stderr
        assert first.poll() is None  # the running bot is untouched
    finally:
        first.send_signal(signal.SIGKILL)  # the lock dies with the process, however it ends
        first.communicate(timeout=10)
    after = queuewatch("run", cwd=tmp_path, stdin="/about\n", timeout=10, DATABASE_URL=URL)
    assert after.returncode == 0, after.stderr
    assert "About queuewatch" in after.stdout
