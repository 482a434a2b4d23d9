"""SIGKILL of `queuewatch run` in the middle of a burst of commands: nothing fetched is lost, nothing answered twice."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
from collections import Counter

import pytest

from storage import inbox as store
from storage.database import SqliteDatabase
from tests.cli_support import clean_env
from tests.telegram_fake import TOKEN, FakeBotApi, private_chat, user

START_TIMEOUT = 30  # seconds; generous because the machine is shared
MEMBERS = 50
PLATFORMS = {"outlier": "Outlier", "toloka": "Toloka", "prolific": "Prolific", "mercor": "Mercor"}
KILL_AT = 20  # answers sent when the process is killed, of 200
# A report the killed run had stored before its answer went out is answered, after the restart, as a repeat.
RECORDED = re.compile(r"(?:Recorded|Updated): (\w+) —")


@pytest.fixture
async def fake():
    """A fake Bot API for the subprocess to talk to."""
    server = await FakeBotApi().start()
    yield server
    await server.close()


async def _start(fake: FakeBotApi, tmp_path, run: int) -> asyncio.subprocess.Process:
    env = clean_env(TELEGRAM_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake.base_url, LOG_LEVEL="INFO",
                    DATABASE_URL=f"sqlite:///{tmp_path}/queuewatch.db", QUEUEWATCH_SECRET="crash-test-secret-0123")
    with open(tmp_path / f"run{run}.log", "wb") as log:  # the child keeps its own copy of the descriptor
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", env=env, cwd=tmp_path, stdout=log, stderr=log,
        )


def _answers(fake: FakeBotApi) -> Counter:
    """(member, platform name) -> how many answers the member got about it."""
    found: Counter = Counter()
    for call in fake.sent():
        match = RECORDED.search(call.text)
        assert match, call.text
        found[(call.chat_id, match.group(1))] += 1
    return found


async def _replying(tmp_path) -> set[tuple[int, str]]:
    """The (member, platform) whose answer the killed process had started to send, read from its inbox."""
    db = await SqliteDatabase.open(str(tmp_path / "queuewatch.db"))
    try:
        rows = await store.unfinished(db, "telegram")
    finally:
        await db.close()
    return {key for row in rows if row.state == "replying" for key in [_asked(row.payload)]}


def _asked(payload: str) -> tuple[int, str]:
    message = json.loads(payload)["message"]
    return message["chat"]["id"], PLATFORMS[message["text"].split()[1]]


async def test_sigkill_mid_burst_loses_nothing_and_answers_twice_only_what_was_in_flight(fake, tmp_path):
    """200 /report from 50 members, SIGKILL once 20 are answered, restart: every update is answered once.

    Before: PTB confirmed each batch of 100 as soon as it was fetched, so the updates fetched but not answered
    at the kill were never seen again. The only answer that may come twice is one whose send was under way at
    the kill (Telegram may or may not have it): the killed run's inbox says which, and there are a few.
    """
    first = await _start(fake, tmp_path, 1)
    second = None
    try:
        await fake.wait_for(lambda: fake.of("getUpdates"), timeout=START_TIMEOUT)
        for platform in PLATFORMS:
            for member in range(1, MEMBERS + 1):
                fake.message(private_chat(member), user(member), f"/report {platform} drought")
        await fake.wait_for(lambda: len(fake.sent()) >= KILL_AT, timeout=20)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        before = _answers(fake)
        in_flight = await _replying(tmp_path)

        second = await _start(fake, tmp_path, 2)
        expected = {(member, name) for member in range(1, MEMBERS + 1) for name in PLATFORMS.values()}
        await fake.wait_for(lambda: set(_answers(fake)) >= expected, timeout=45)
        await asyncio.sleep(0.5)  # anything sent twice would show by now
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), 20) == 0
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.kill()
                await process.wait()

    answers = _answers(fake)
    twice = {key for key, count in answers.items() if count > 1}
    print(f"answered before the kill: {sum(before.values())}, replies in flight at the kill: {len(in_flight)}, "
          f"answered twice: {len(twice)}")
    assert set(fake.handed_out) == set(fake.queued)  # every update was handed out
    assert set(answers) == expected  # none lost
    assert all(count <= 2 for count in answers.values())
    assert twice <= in_flight, f"answered twice without being in flight at the kill: {twice - in_flight}"
    assert 0 < sum(before.values()) < len(expected)  # the kill really fell in the middle of the burst
    restart_log = (tmp_path / "run2.log").read_text()
    assert f"({len(in_flight)} of them were being answered" in restart_log  # resumed from the inbox, not refetched
    assert "Traceback" not in restart_log
