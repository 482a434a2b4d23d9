"""One bot process per SQLite database: an OS lock on `<database>.lock`, held for the life of the process."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from bot.core.errors import StartupError


class ProcessLock:
    """The held lock; the OS drops it when the process ends, however it ends (even SIGKILL)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def release(self) -> None:
        """Let another process take the database."""
        os.close(self._fd)


def hold(database: str) -> ProcessLock | None:
    """Lock the database file `database` for this process (None for ':memory:', which nobody else can open).

    Raises StartupError, naming the database and the running process, when another process holds it.
    """
    if database == ":memory:":
        return None
    path = Path(f"{Path(database).resolve()}.lock")  # one lock however the database's path is written
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StartupError(f"DATABASE_URL: cannot create the lock file {path} ({exc.strerror})") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 20, 0).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise StartupError(
            f"DATABASE_URL: {database} is in use by another queuewatch process (pid {holder}); stop it first or "
            "point DATABASE_URL at another file (one process per SQLite database)"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return ProcessLock(fd)
