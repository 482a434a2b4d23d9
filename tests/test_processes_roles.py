"""`queuewatch run --roles`: what each role starts in a process, a friendly line for a role that does not exist,
and SQLite's one process whatever the roles (several processes need PostgreSQL)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
from pydantic import SecretStr

from bot import runner
from bot.outbox.outbox import OutboxService
from tests.cli_support import ROOT, clean_env, queuewatch
from tests.telegram_fake import TOKEN


def test_roles_are_read_from_a_comma_separated_list():
    assert runner.parse_roles("worker") == {"worker"}
    assert runner.parse_roles(" Discord, telegram ,worker") == {"discord", "telegram", "worker"}
    with pytest.raises(runner.RolesError, match="--roles: mail is not a role; use a comma-separated list of "
                                                "discord, telegram, worker, web"):
        runner.parse_roles("worker,mail")
    with pytest.raises(runner.RolesError, match="--roles: nothing is not a role"):
        runner.parse_roles(" , ")


def test_an_unknown_role_is_refused_with_one_line(tmp_path):
    done = queuewatch("run", "--roles", "workers", cwd=tmp_path, timeout=30)
    assert done.returncode == 2
    assert done.stderr.strip() == ("queuewatch: --roles: workers is not a role; use a comma-separated list of "
                                   "discord, telegram, worker, web (default: all of them)")


async def test_a_receiving_role_receives_and_a_worker_only_sends(settings):
    both = settings.model_copy(update={"telegram_token": SecretStr(TOKEN), "discord_token": SecretStr("x" * 50)})
    from bot.wiring import build_app

    app = await build_app(both)
    try:
        def made(roles: set[str]) -> dict[str, bool]:
            return {a.name: a.receive for a in (f(app, None) for f in runner.platform_adapters(both, roles))}

        assert made({"telegram"}) == {"telegram": True}
        assert made({"worker"}) == {"telegram": False, "discord": False}  # the outbox delivers through both
        assert made({"discord", "worker"}) == {"telegram": False, "discord": True}
        assert runner.platform_adapters(both, {"web"}) == []
        assert [s.name for s in runner.services_for(app, frozenset({"telegram"}))] == ["exchange-rates-reload"]
        services = runner.services_for(app, frozenset({"worker"}))
        led = {s.name for s in services if isinstance(s, runner.LeaderOnly)}
        assert {"scheduler", "availability", "trust", "alerts"} <= led  # one process at a time
        assert any(isinstance(s, OutboxService) for s in services)  # every worker
    finally:
        await app.db.close()


def test_with_sqlite_a_second_process_is_refused_whatever_its_roles(tmp_path):
    url = "sqlite:///bot.db"
    first = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--roles", "worker"], cwd=tmp_path,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**clean_env(DATABASE_URL=url), "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "bot.db.lock").exists() or not (tmp_path / "bot.db.lock").read_text().strip():
            assert first.poll() is None and time.monotonic() < deadline, first.communicate()[1]
            time.sleep(0.05)
        second = queuewatch("run", "--roles", "worker", cwd=tmp_path, timeout=60, DATABASE_URL=url)
        assert second.returncode == 2
        assert "is in use by another queuewatch process" in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1
    finally:
        first.send_signal(signal.SIGTERM)
        _out, err = first.communicate(timeout=30)
    assert first.returncode == 0, err
