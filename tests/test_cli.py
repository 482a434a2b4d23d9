"""The command line as a user runs it: settings errors, migrate, version, and the console chat."""

from __future__ import annotations

import pytest

from bot import __version__
from bot.settings import SettingsError, load_settings
from tests.cli_support import queuewatch


@pytest.mark.parametrize(
    "variable, value, expected",
    [
        ("DATABASE_URL", "nonsense", "DATABASE_URL: expected sqlite:///"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL: expected one of DEBUG"),
        ("TELEGRAM_TOKEN", "12345:abc def", "TELEGRAM_TOKEN: a token has no spaces"),
        ("TELEGRAM_API_BASE_URL", "ftp://x", "TELEGRAM_API_BASE_URL: expected an http(s) URL"),
        ("DISCORD_GUILD_IDS", "12,abc", "DISCORD_GUILD_IDS: expected comma-separated numeric ids"),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_line(tmp_path, variable, value, expected) -> None:
    result = queuewatch("run", cwd=tmp_path, **{variable: value})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"queuewatch: {result.stderr.strip().split(': ', 1)[1]}"]
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert "abc def" not in result.stderr  # a token is never printed


def test_settings_are_read_from_dotenv(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_GUILD_IDS", raising=False)
    (tmp_path / ".env").write_text("DISCORD_GUILD_IDS=1, 2\nLOG_LEVEL=debug\n")
    settings = load_settings()
    assert settings.discord_guild_ids == [1, 2]
    assert settings.log_level == "DEBUG"
    with pytest.raises(SettingsError, match=r"^LOG_LEVEL"):
        load_settings(log_level="nope")


def test_version_and_help(tmp_path) -> None:
    assert queuewatch("--version", cwd=tmp_path).stdout.strip() == f"queuewatch {__version__}"
    for sub in ("run", "console", "migrate"):
        result = queuewatch(sub, "--help", cwd=tmp_path)
        assert result.returncode == 0 and "usage: queuewatch" in result.stdout


def test_migrate_creates_the_default_database(tmp_path) -> None:
    first = queuewatch("migrate", cwd=tmp_path)
    assert first.returncode == 0 and "Migrated the database from schema version 0" in first.stdout
    assert (tmp_path / "data" / "queuewatch.db").exists()
    again = queuewatch("migrate", cwd=tmp_path)
    assert "up to date" in again.stdout


def test_piped_console_lists_explains_and_suggests(tmp_path) -> None:
    result = queuewatch("console", cwd=tmp_path, stdin="/help\n/help about\n/nonsense\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "/help — Every command" in out and "/about — What this bot does" in out
    assert "Usage: /about" in out
    assert "Unknown command /nonsense. Did you mean" in out
    assert "Traceback" not in out + result.stderr


def test_run_without_tokens_starts_the_console(tmp_path) -> None:
    result = queuewatch("run", cwd=tmp_path, stdin="/about\n")
    assert result.returncode == 0
    assert "No DISCORD_TOKEN or TELEGRAM_TOKEN set: starting the console chat" in result.stderr
    assert "About queuewatch" in result.stdout


def test_console_buttons_are_numbered_and_run_by_number(tmp_path) -> None:
    result = queuewatch("console", cwd=tmp_path, stdin="/hlp\n9\n1\n")
    assert "[1] /help" in result.stdout
    after = result.stdout.split("[1] /help", 1)[1]
    assert "Choose a number from 1 to 1." in after
    assert "Usage: /help [command]" in after.split("Choose a number", 1)[1]


def test_console_acts_as_a_moderator_when_asked(tmp_path) -> None:
    member = queuewatch("console", "--user", "ann", cwd=tmp_path, stdin="/help\n")
    assert member.returncode == 0
    private = queuewatch("console", "--private", cwd=tmp_path, stdin="is outlier legit?\n")
    assert private.returncode == 0 and private.stdout.strip()
