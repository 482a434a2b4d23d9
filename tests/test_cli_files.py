"""`backup` and `export` write atomically, privately (0600), and only to a regular file or a new path."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import main
from tests.cli_support import clean_env

URL = "sqlite:///queuewatch.db"


@pytest.fixture
def database(tmp_path, monkeypatch) -> Path:
    """A migrated database file in the working folder, the environment pointing at it, umask 022."""
    monkeypatch.chdir(tmp_path)
    for name in ("DISCORD_TOKEN", "TELEGRAM_TOKEN", "LOG_LEVEL", "QUEUEWATCH_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", URL)
    old = os.umask(0o022)
    assert main(["migrate"]) == 0
    yield tmp_path / "queuewatch.db"
    os.umask(old)


def fill(path: Path, rows: int, size: int = 2000) -> None:
    """Add `rows` rows of `size` random bytes (as hex) to the meta table."""
    conn = sqlite3.connect(path)
    start = conn.execute("SELECT count(*) FROM meta").fetchone()[0]
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
        "INSERT INTO meta (key, value) SELECT 'fill' || (i + ?), hex(randomblob(?)) FROM n", (rows, start, size)
    )
    conn.commit()
    conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def meta_rows(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute("SELECT count(*) FROM meta").fetchone()[0]
    finally:
        conn.close()


def test_a_backup_killed_mid_way_leaves_the_old_backup_whole(database) -> None:
    folder = database.parent / "backups"
    target = folder / "copy.db"
    fill(database, 3000)
    assert main(["backup", str(target)]) == 0
    old_digest, old_rows = digest(target), meta_rows(target)
    fill(database, 6000)  # the next backup is bigger and takes a while to write
    before = target.stat()
    backup = subprocess.Popen([sys.executable, "-m", "bot.cli", "backup", str(target), "--force"],
                              cwd=database.parent, env=clean_env(DATABASE_URL=URL), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    killed_at = None
    deadline = time.monotonic() + 20
    while backup.poll() is None and time.monotonic() < deadline:
        others = [p for p in folder.iterdir() if p != target and p.stat().st_size > 0]
        try:
            changed = (target.stat().st_ino, target.stat().st_size) != (before.st_ino, before.st_size)
        except FileNotFoundError:
            changed = True
        if others or changed:  # the backup is being written: kill it now
            backup.send_signal(signal.SIGKILL)
            killed_at = "temporary file" if others else "target"
            break
    backup.communicate(timeout=10)
    assert killed_at is not None, "the backup finished before it could be killed; make the database bigger"
    assert backup.returncode == -signal.SIGKILL
    assert target.exists(), "the old backup was deleted before the new one was complete"
    assert digest(target) == old_digest and meta_rows(target) == old_rows
    # A backup that runs to the end replaces it whole.
    assert main(["backup", str(target), "--force"]) == 0
    assert meta_rows(target) == old_rows + 6000


def test_backups_and_exports_are_private_to_their_owner(database) -> None:
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    for argv, written in ((["backup", "b/copy.db"], "b/copy.db"),
                          (["export", "--out", "e/reports.csv"], "e/reports.csv"),
                          (["backup", "b/copy.db", "--force"], "b/copy.db"),
                          (["export", "--out", "e/reports.csv", "--force"], "e/reports.csv")):
        assert main(argv) == 0
        path = database.parent / written
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, argv
        assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary file left behind


def odd_targets(folder: Path) -> dict[str, Path]:
    """An existing FIFO, folder, symlink (to a regular file) and, where allowed, a device node."""
    targets = {"fifo": folder / "pipe", "folder": folder / "dir", "symlink": folder / "link"}
    os.mkfifo(targets["fifo"])
    targets["folder"].mkdir()
    (folder / "real.txt").write_text("keep me")
    targets["symlink"].symlink_to(folder / "real.txt")
    try:  # a character device like /dev/null, made here so nothing outside the test can be harmed
        os.mknod(folder / "null", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        targets["device"] = folder / "null"
    except PermissionError:
        pass
    return targets


def kind(path: Path) -> tuple[int, int]:
    info = path.lstat()
    return stat.S_IFMT(info.st_mode), info.st_ino


@pytest.mark.parametrize("command", ["export", "backup"])
def test_odd_targets_are_refused_with_one_line(database, capsys, command) -> None:
    folder = database.parent / "targets"
    folder.mkdir()
    targets = odd_targets(folder)
    for name, target in targets.items():
        before = kind(target)
        for force in ([], ["--force"]):
            argv = ["export", "--out", str(target), *force] if command == "export" else ["backup", str(target), *force]
            assert main(argv) == 2, (name, force)
            lines = capsys.readouterr().err.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith(f"queuewatch: {target} is "), (name, lines)
            assert kind(target) == before, f"{name} was replaced"
    assert (folder / "real.txt").read_text() == "keep me"
    assert sorted(p.name for p in folder.iterdir()) == sorted(["real.txt", *(p.name for p in targets.values())])
