"""A real PostgreSQL server for the tests of several processes, and those processes: `queuewatch run` in
subprocesses pointed at the loopback fakes (tests/support/bot_process.py points discord.py at the fake).

The server is QUEUEWATCH_TEST_POSTGRES_URL when set, else the `pgserver` wheel's (the same data folder as the
contract suite's, so one server serves the session). Without one the tests skip with one line, except with
CI=true, where they fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import re
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from storage.database import open_database
from tests.support.backends import skip_or_fail, start_server

ROOT = Path(__file__).resolve().parents[2]
_made = itertools.count(1)


def server_url() -> str:
    """The admin URL of the session's PostgreSQL server; skips (fails under CI=true) when there is none."""
    found = start_server()
    if isinstance(found, str):
        skip_or_fail(found)
        raise AssertionError("unreachable")
    return found.admin_url


@pytest.fixture(scope="module")
def admin_url() -> str:
    """The PostgreSQL server's admin URL, for the tests of one module."""
    return server_url()


@pytest.fixture
async def pg_url(admin_url, request):
    """A fresh, migrated database for one test; dropped after it."""
    url = await fresh_database(admin_url, request.node.name[:16])
    db = await open_database(url)
    await db.migrate()
    await db.close()
    yield url
    await drop_database(admin_url, url)


async def fresh_database(admin_url: str, tag: str) -> str:
    """A new, empty database (migrated by whoever opens it first); its URL."""
    import asyncpg

    name = f"qwp_{re.sub(r'[^a-z0-9]', '_', tag.lower())}_{os.getpid()}_{next(_made)}"
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {name} TEMPLATE template0")
    finally:
        await conn.close()
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def drop_database(admin_url: str, url: str) -> None:
    """Drop a database made by fresh_database (closing whatever is still connected to it)."""
    import asyncpg

    name = urlsplit(url).path.lstrip("/")
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await conn.close()


class BotProcess:
    """`queuewatch run --roles ROLES` as a subprocess with its own environment; its log in a file."""

    def __init__(self, name: str, roles: str, env: dict[str, str], folder: Path) -> None:
        self.name = name
        self.roles = roles
        self.env = env
        self.log_path = folder / f"{name}.log"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> BotProcess:
        """Start the process (returns at once; use wait_log to know it is up)."""
        env = {**{k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "TELEGRAM_"))}, **self.env}
        self._log = self.log_path.open("wb")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.support.bot_process", "run", "--roles", self.roles,
            cwd=str(ROOT), env=env, stdin=asyncio.subprocess.DEVNULL, stdout=self._log, stderr=self._log)
        return self

    def log(self) -> str:
        """Everything the process logged so far."""
        return self.log_path.read_text(errors="replace")

    async def wait_log(self, pattern: str, timeout: float = 120.0, count: int = 1) -> None:
        """Wait until the log matches `pattern` (at least `count` times), or fail with the log."""
        # A start takes seconds (imports) or, on a loaded machine running several, tens of seconds.
        await until(lambda: len(re.findall(pattern, self.log())) >= count, timeout,
                    lambda: f"{self.name} did not log {pattern!r}:\n{self.log()[-4000:]}",
                    lambda: self.proc is not None and self.proc.returncode is not None)

    def kill(self) -> None:
        """SIGKILL: the process ends at once, mid-whatever it was doing."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)

    async def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM, and wait for a clean exit (SIGKILL after `timeout`)."""
        if self.proc is None:
            return None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), timeout)
            except TimeoutError:
                self.kill()
                await self.proc.wait()
        with contextlib.suppress(Exception):
            self._log.close()
        return self.proc.returncode


async def until(predicate: Callable[[], bool], timeout: float, message: Callable[[], str],
                dead: Callable[[], bool] = lambda: False) -> None:
    """Poll until `predicate()` holds, or fail with `message()` after `timeout` seconds (or at once if `dead()`)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline or dead():
            if predicate():
                return
            raise AssertionError(message())
        await asyncio.sleep(0.05)
