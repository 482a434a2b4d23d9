"""Every command in the registry, typed in a private chat and in a group, answered through the fake Bot API."""

from __future__ import annotations

import asyncio
import itertools

from bot.core import arguments
from tests.support.sample_commands import sample_registry
from tests.telegram_fake import BOT_USERNAME, group_chat, private_chat, running_bot, user

FAILURE_MARKERS = ("Traceback", "Check the command", "Unknown command")


def _problems(name: str, where: str, calls) -> list[str]:
    if not calls:
        return [f"/{name} in {where}: no reply"]
    problems = []
    for call in calls:
        if call.params.get("parse_mode") != "HTML":
            problems.append(f"/{name} in {where}: parse_mode {call.params.get('parse_mode')!r}")
        if not call.text.strip() and call.method == "sendMessage":
            problems.append(f"/{name} in {where}: empty message")
        problems += [f"/{name} in {where}: {m!r} in {call.text!r}" for m in FAILURE_MARKERS if m in call.text]
    return problems


async def test_every_command_round_trips_in_private_and_group(settings, clock):
    """Each command's example, sent as /name args (and /name@bot args in a group), gets a proper HTML reply."""
    commands = list(sample_registry())
    ids = itertools.count(1)
    async with running_bot(settings, clock) as bot:
        sent = []  # (name, where, chat id)
        admins = {}  # command name -> the admin who ran it in a group
        for command in commands:
            example = arguments.example(command)
            member_id = 1000 + next(ids)
            bot.fake.message(private_chat(member_id), user(member_id), example)
            sent.append((command.name, "private", member_id))

            group_id = -100_000 - next(ids)
            admin_id = 2000 + next(ids)
            bot.fake.admins[group_id] = {admin_id}
            name, _, rest = example.partition(" ")
            bot.fake.message(group_chat(group_id), user(admin_id), f"{name}@{BOT_USERNAME} {rest}".strip())
            sent.append((command.name, "group", group_id))
            admins[command.name] = admin_id
        # Every command runs concurrently, so a slow handler holds up nobody.
        await bot.fake.wait_for(lambda: all(bot.fake.sent(chat) for _, _, chat in sent), timeout=10)
        await asyncio.sleep(0.1)  # any follow-up message of a split reply
        problems = []
        for name, where, chat in sent:
            problems += _problems(name, where, bot.fake.sent(chat))
        assert not problems, "\n".join(problems)

        echo = bot.fake.sent(_chat_of(sent, "sample_echo"))[0].text
        assert "word='hi'" in echo and "number=3 (int)" in echo and "colour='red'" in echo
        assert bot.fake.sent(_chat_of(sent, "sample_image"))[0].method == "sendPhoto"
        assert "error id" in bot.fake.sent(_chat_of(sent, "sample_boom"))[0].text
        # A moderator command answers the admin privately; the group gets a pointer only.
        assert "private message" in bot.fake.sent(_chat_of(sent, "sample_mod", "group"))[0].text
        assert "Noted" in bot.fake.sent(admins["sample_mod"])[0].text


def _chat_of(sent, name: str, where: str = "private") -> int:
    return next(chat for n, w, chat in sent if n == name and w == where)
