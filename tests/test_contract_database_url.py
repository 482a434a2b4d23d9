"""DATABASE_URL for PostgreSQL: every way it can be wrong stops a command with one line naming DATABASE_URL and
what is wrong, exit 2, never the password; a good one works from the command line; placeholders and redaction."""

from __future__ import annotations

import os

import pytest

from storage.postgres import placeholders, redacted
from tests.cli_support import queuewatch
from tests.support.backends import pg_tools, with_database, with_user

SECRET = "pa55-w0rd-never-printed"


def _one_line_exit_2(result, *expected: str) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert len(lines) == 1 and lines[0].startswith("queuewatch: DATABASE_URL: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert SECRET not in result.stderr + result.stdout
    for part in expected:
        assert part in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("url, expected", [
    (f"postgresql://ann:{SECRET}@127.0.0.1:1/queuewatch", "refused the connection"),
    (f"postgresql://ann:{SECRET}@127.0.0.1:notaport/queuewatch", "not a valid PostgreSQL URL"),
    (f"postgresql://ann:{SECRET}@/queuewatch?host=/nonexistent/socket/folder", "no PostgreSQL server answers"),
])
def test_a_url_that_reaches_no_server_gets_one_line_and_exit_2(tmp_path, url, expected) -> None:
    line = _one_line_exit_2(queuewatch("migrate", cwd=tmp_path, timeout=30, DATABASE_URL=url), expected)
    assert "ann:***@" in line or "unreadable" in line or "ann" in line


@pytest.mark.postgresql_only  # tests/test_cli_database.py covers SQLite's files
async def test_a_missing_database_and_a_wrong_password_get_one_line_and_exit_2(backend, tmp_path) -> None:
    missing = with_database(backend.url, "qw_no_such_database")
    _one_line_exit_2(queuewatch("migrate", cwd=tmp_path, timeout=30, DATABASE_URL=missing), "does not exist")
    account = await backend.server.password_account()
    if account is None:
        pytest.skip("the server at QUEUEWATCH_TEST_POSTGRES_URL is not this session's to configure a password on")
    user, _right = account
    wrong = with_user(backend.url, user, SECRET)
    _one_line_exit_2(queuewatch("migrate", cwd=tmp_path, timeout=30, DATABASE_URL=wrong), "password")


@pytest.mark.postgresql_only  # tests/test_cli.py covers SQLite
async def test_a_good_url_migrates_and_serves_the_console(backend, tmp_path) -> None:
    url = await backend.fresh_url()
    migrated = queuewatch("migrate", cwd=tmp_path, timeout=30, DATABASE_URL=url)
    assert migrated.returncode == 0 and "Migrated the database from schema version 0" in migrated.stdout, migrated
    chat = queuewatch("console", cwd=tmp_path, stdin="/report outlier drought\n/status outlier\n", timeout=30,
                      DATABASE_URL=url, QUEUEWATCH_SECRET="test-secret-0123456789")
    assert chat.returncode == 0, chat.stderr
    assert "Outlier" in chat.stdout and "Traceback" not in chat.stderr


def test_a_settings_error_in_the_pool_size_names_it() -> None:
    from bot.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="DATABASE_POOL_SIZE"):
        load_settings(database_pool_size=0)


def test_placeholders_are_numbered_outside_literals_comments_and_quoted_names() -> None:
    assert placeholders("SELECT ?, '?', \"a?\" FROM t WHERE x = ? -- ?\nAND y = ?") == (
        "SELECT $1, '?', \"a?\" FROM t WHERE x = $2 -- ?\nAND y = $3")
    assert placeholders("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', $1"



def test_a_printed_url_never_shows_its_password() -> None:
    assert redacted("postgresql://ann:s3cret@db.example:5432/qw") == "postgresql://ann:***@db.example:5432/qw"
    assert redacted("postgresql://ann@/qw?host=/run/postgresql") == "postgresql://ann@/qw?host=/run/postgresql"


@pytest.mark.postgresql_only
async def test_backup_of_a_postgresql_database_uses_pg_dump_and_is_private(backend, tmp_path) -> None:
    path = f"{pg_tools()}{os.pathsep}{os.environ.get('PATH', '')}"
    result = queuewatch("backup", "copy.dump", cwd=tmp_path, timeout=60, DATABASE_URL=backend.url, PATH=path,
                        QUEUEWATCH_SECRET="test-secret-0123456789")
    assert result.returncode == 0, result.stderr
    assert "pg_restore" in result.stdout
    assert (tmp_path / "copy.dump").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "copy.dump").read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
