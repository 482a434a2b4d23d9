"""At LOG_LEVEL=INFO and above no member message or name reaches the log; at DEBUG the libraries log them.

The real PTB application runs against the fake Bot API with the bot's own logging set-up; a handler on the
root logger records what every logger lets through at that level.
"""

from __future__ import annotations

import logging

import pytest

from bot.logs import setup_logging
from bot.wiring import load_registry
from tests.telegram_fake import group_chat, private_chat, running_bot, user

SECRET_WORDS = "zqxvj-ticket-5550199"  # a distinctive text a member types
MEMBER_NAME = "Qwertzuiop"
PROJECT = "vexhollow"


class Recorder(logging.Handler):
    """Keeps every record that reaches the root logger, formatted as a log file would show it."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def restore_logging():
    """Put the root logger and the libraries' levels back as they were after the test."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    yield
    root.handlers[:], level = saved
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


async def _chat_at(level: int, settings, clock) -> list[str]:
    """Run a member's conversation through the real adapter at a log level; every log line it produced."""
    setup_logging(level, settings.secrets())
    recorder = Recorder()
    logging.getLogger().addHandler(recorder)
    async with running_bot(settings, clock, registry=load_registry()) as bot:
        member, other = user(4242, MEMBER_NAME), user(4343, MEMBER_NAME + "Two")
        group = group_chat(-100500, title="Gig workers")
        bot.fake.admins[-100500] = {4242}
        bot.fake.message(group, member, "/alerts_here on")
        bot.fake.message(private_chat(4242, MEMBER_NAME), member, f"is this a scam: {SECRET_WORDS} pay a deposit")
        bot.fake.message(private_chat(4242, MEMBER_NAME), member, f"/scamcheck {SECRET_WORDS}")
        for sender in (member, other):
            bot.fake.message(group, sender, f"/report outlier project_ended {PROJECT} {SECRET_WORDS}")
        await bot.fake.wait_for(lambda: len(bot.fake.sent(4242)) >= 2 and len(bot.fake.sent(-100500)) >= 3)
        assert await bot.app.alerts.scan() == 1  # the project's end, for the group's alert channel
        await bot.app.outbox.run_once()
        assert any(PROJECT in call.text for call in bot.fake.sent(-100500)[3:])
    return recorder.lines


async def test_info_logs_hold_no_member_text_or_name(settings, clock, restore_logging) -> None:
    lines = await _chat_at(logging.INFO, settings, clock)
    assert lines, "the recorder saw nothing: the test would pass for the wrong reason"
    leaked = [line for line in lines if any(word in line for word in (SECRET_WORDS, MEMBER_NAME, PROJECT))]
    assert leaked == []


async def test_debug_logs_do_hold_member_messages(settings, clock, restore_logging) -> None:
    """What .env.example and the README warn about: at DEBUG, PTB logs whole updates."""
    lines = await _chat_at(logging.DEBUG, settings, clock)
    assert any(SECRET_WORDS in line for line in lines)
