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


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    """Settings isolated from the developer's environment and .env; the exchange-rate refresh is off."""
    monkeypatch.chdir(tmp_path)
    for name in ("DISCORD_TOKEN", "TELEGRAM_TOKEN", "DATABASE_URL", "QUEUEWATCH_SECRET", "LOG_LEVEL",
                 "DISCORD_GUILD_IDS", "DISCORD_MOD_ROLE_IDS", "TELEGRAM_API_BASE_URL", "QUEUEWATCH_OPERATORS",
                 "QUEUEWATCH_SECRET_FILE"):
        monkeypatch.delenv(name, raising=False)
    return load_settings(database_url="sqlite:///:memory:", queuewatch_secret="test-secret-0123456789",
                         queuewatch_fx_url="")


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
