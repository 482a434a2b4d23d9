"""Shared fixtures: settings on an in-memory database, an app with a manual clock, actors and places."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import UTC, datetime

import pytest

from bot.core.clock import ManualClock
from bot.core.model import Actor, Place, Platform
from bot.settings import Settings, load_settings
from bot.wiring import App, build_app
from tests.support import backends

START = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)  # a Monday


@pytest.fixture(autouse=True)
def no_exchange_rate_refresh(monkeypatch) -> None:
    """No test reaches the internet: settings built anywhere in a test (and the processes it starts) have the
    exchange-rate refresh off unless the test points QUEUEWATCH_FX_URL at a loopback server."""
    monkeypatch.setenv("QUEUEWATCH_FX_URL", "")


@pytest.fixture(autouse=True)
def no_web_server(monkeypatch) -> None:
    """Processes a test starts (`queuewatch run`) serve no status page unless the test asks for one: parallel
    workers would otherwise all claim port 8080."""
    monkeypatch.setenv("QUEUEWATCH_HTTP_PORT", "0")


@pytest.fixture(scope="session")
def postgres_server() -> backends.PostgresServer | str:
    """This worker's PostgreSQL server (started once per session), or the one line saying why there is none."""
    return backends.start_server()


def pytest_generate_tests(metafunc) -> None:
    """A test asking for `backend` runs once per backend; one marked sqlite_only (an SQLite query plan, an SQLite
    file's faults) or postgresql_only (pg_dump, a server's password) on that backend alone."""
    if "backend" in metafunc.fixturenames:
        names = [name for name in backends.NAMES if metafunc.definition.get_closest_marker(f"{name}_only")]
        metafunc.parametrize("backend", names or list(backends.NAMES), indirect=True)


@pytest.fixture
async def backend(request, tmp_path, postgres_server) -> backends.Backend:
    """Each backend in turn, with an empty migrated database: a test (or module, with
    `pytestmark = pytest.mark.usefixtures("backend")`) asking for it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return backends.Backend("sqlite", "sqlite:///:memory:", folder=tmp_path)
    if isinstance(postgres_server, str):
        backends.skip_or_fail(postgres_server)
    return backends.Backend("postgresql", await postgres_server.emptied(), postgres_server, tmp_path)


@pytest.fixture
def settings(request, tmp_path, monkeypatch) -> Settings:
    """Settings isolated from the developer's environment and .env; the exchange-rate refresh is off. The
    database is in memory, or the backend's when the test runs on both backends."""
    monkeypatch.chdir(tmp_path)
    for name in ("DISCORD_TOKEN", "TELEGRAM_TOKEN", "DATABASE_URL", "QUEUEWATCH_SECRET", "LOG_LEVEL",
                 "DISCORD_GUILD_IDS", "DISCORD_MOD_ROLE_IDS", "TELEGRAM_API_BASE_URL", "QUEUEWATCH_OPERATORS",
                 "QUEUEWATCH_SECRET_FILE", "DATABASE_POOL_SIZE"):
        monkeypatch.delenv(name, raising=False)
    url = request.getfixturevalue("backend").url if "backend" in request.fixturenames else "sqlite:///:memory:"
    return load_settings(database_url=url, queuewatch_secret="test-secret-0123456789", queuewatch_fx_url="")


@pytest.fixture
def clock() -> ManualClock:
    """A clock that starts on Monday 2026-11-16 12:00 UTC and moves only when told."""
    return ManualClock(START)


@pytest.fixture
async def app(settings, clock) -> App:
    """A migrated app on an in-memory database."""
    app = await build_app(settings, clock=clock)
    yield app
    await app.db.close()


@pytest.fixture
def member() -> Actor:
    """An ordinary member on the console."""
    return Actor(Platform.CONSOLE, "u1", "Member One")


@pytest.fixture
def moderator() -> Actor:
    """A moderator on the console."""
    return Actor(Platform.CONSOLE, "m1", "Mod One", is_moderator=True)


@pytest.fixture
def group() -> Place:
    """A community channel on the console."""
    return Place(Platform.CONSOLE, "local", "general", is_private=False)


@pytest.fixture
def private() -> Place:
    """A private chat on the console."""
    return Place(Platform.CONSOLE, None, None, is_private=True)


def pytest_configure(config) -> None:
    """Name a folder for the figures workers measure (the controlling process only; workers inherit it)."""
    from tests.support import figures

    if not hasattr(config, "workerinput") and figures.FOLDER_VARIABLE not in os.environ:
        os.environ[figures.FOLDER_VARIABLE] = tempfile.mkdtemp(prefix="queuewatch-figures-")


def pytest_unconfigure(config) -> None:
    """Remove the figures folder once the summary is printed (the controlling process only)."""
    from tests.support import figures

    folder = os.environ.get(figures.FOLDER_VARIABLE)
    if folder and not hasattr(config, "workerinput") and folder.startswith(tempfile.gettempdir()):
        shutil.rmtree(folder, ignore_errors=True)


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the figures tests measured (e.g. the intent router's accuracy per intent) after the results."""
    from tests.support import figures

    for title, text in figures.collected():
        terminalreporter.write_sep("-", title)
        terminalreporter.write_line(text)
