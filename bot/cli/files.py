"""Files the CLI writes (backups, exports): only to a regular file or a new path, atomically, mode 0600."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bot.cli.common import EXIT_CONFIG, fail

ODD_KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device",
             stat.S_IFSOCK: "a socket"}


def refuse_target(path: Path, force: bool) -> int | None:
    """The exit status and one line when `path` may not be written (None when it may)."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(mode):
        return fail(f"{path} is a symbolic link; give the file it points to, or a new file name.", EXIT_CONFIG)
    if stat.S_ISDIR(mode):
        return fail(f"{path} is a folder; give a file name such as {path / 'queuewatch.db'}.", EXIT_CONFIG)
    if not stat.S_ISREG(mode):
        kind = ODD_KINDS.get(stat.S_IFMT(mode), "a special file")
        return fail(f"{path} is {kind}, not a regular file; give a new file name or an existing regular file.",
                    EXIT_CONFIG)
    if not force:
        return fail(f"{path} already exists; choose another file name or add --force to overwrite it.", 1)
    return None


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """A temporary file (mode 0600) beside `path` to write; on success it is synced and renamed over `path`,
    so a crash at any moment leaves either the old file or the new one, whole. On error it is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)  # mode 0600
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:  # make the rename itself durable
        os.fsync(folder)
    finally:
        os.close(folder)
