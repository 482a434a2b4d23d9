"""`queuewatch run` as a subprocess against the fake Bot API, as an operator would start it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest

from tests.telegram_fake import TOKEN, FakeBotApi, private_chat, user

START_TIMEOUT = 30  # seconds; generous because the machine is shared


def _env(fake: FakeBotApi, tmp_path, log_level: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "TELEGRAM_", "QUEUEWATCH_"))}
    env.update(TELEGRAM_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake.base_url, LOG_LEVEL=log_level,
               DATABASE_URL=f"sqlite:///{tmp_path}/queuewatch.db", QUEUEWATCH_SECRET="cli-test-secret-0123456789",
               QUEUEWATCH_FX_URL="", QUEUEWATCH_HTTP_PORT="0")
    return env


@pytest.fixture
async def fake():
    """A fake Bot API for the subprocess to talk to."""
    server = await FakeBotApi().start()
    yield server
    await server.close()


async def _start(fake: FakeBotApi, tmp_path, log_level: str = "INFO") -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=_env(fake, tmp_path, log_level), cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def test_run_answers_help_and_stops_cleanly_on_sigterm(fake, tmp_path):
    """/help and /help about are answered; SIGTERM stops the bot with status 0; the token is never printed."""
    process = await _start(fake, tmp_path)
    try:
        await fake.wait_for(lambda: fake.of("getUpdates"), timeout=START_TIMEOUT)
        fake.message(private_chat(42), user(42), "/help")
        [overview] = await fake.wait_sent(42, 1)
        fake.message(private_chat(42), user(42), "/help about")
        replies = await fake.wait_sent(42, 2, timeout=10)
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 15)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr.decode()
    assert "<b>queuewatch commands</b>" in overview.text and "/about" in overview.text
    assert replies[1].text.startswith("<b>/about</b>") and "<b>Usage</b>: /about" in replies[1].text
    assert TOKEN not in stderr.decode()
    assert "Traceback" not in stderr.decode()


async def test_rejected_token_exits_2_with_one_line(fake, tmp_path):
    """A token the Bot API rejects (401) ends the process with status 2 and one line naming TELEGRAM_TOKEN."""
    fake.token = "999999:a-different-token"
    process = await _start(fake, tmp_path, log_level="WARNING")  # nothing but the error itself
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), START_TIMEOUT)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    lines = stderr.decode().strip().splitlines()
    assert process.returncode == 2, stderr.decode()
    assert len(lines) == 1 and lines[0].startswith("queuewatch: ") and "TELEGRAM_TOKEN" in lines[0]
    assert TOKEN not in stderr.decode() + stdout.decode()
