"""On both real adapters, members are refused every moderator command the registry declares (digests,
moderation, notes, ...), and moderators are let through; driven from the registry, so new moderator
commands are covered without editing this test."""

from __future__ import annotations

import pytest

from bot.core import arguments
from bot.wiring import build_app, load_registry
from tests.discord_fake import FakeDiscord, connected, discord_settings, messages, text_of
from tests.telegram_fake import BOT_USERNAME, group_chat, running_bot, user
from tests.test_discord_interactions import MODERATOR, option_values

REGISTRY = load_registry()
MODERATOR_COMMANDS = [c for c in REGISTRY if c.is_moderator_only]
GROUP, MEMBER, ADMIN = -100_555, 601, 602


def test_the_registry_has_moderator_commands_to_check() -> None:
    names = {c.name for c in MODERATOR_COMMANDS}
    assert {"digest_setup", "digest_preview", "digest_post", "digest_off", "alerts_here", "mod_hide", "mod_bar",
            "mod_log", "note"} <= names


async def test_telegram_members_are_refused_every_moderator_command(settings, clock) -> None:
    async with running_bot(settings, clock, registry=REGISTRY) as bot:
        for n, command in enumerate(MODERATOR_COMMANDS):
            group = GROUP - n  # a group each: Telegram allows a bot only 20 messages a minute per group
            bot.fake.admins[group] = {ADMIN}
            line = arguments.example(command).replace(f"/{command.name}", f"/{command.name}@{BOT_USERNAME}", 1)
            bot.fake.message(group_chat(group), user(MEMBER), line)
            [refused] = await bot.fake.wait_sent(group, 1)
            assert "is for moderators" in refused.text, (command.name, refused.text)
            bot.fake.message(group_chat(group), user(ADMIN), line)
            allowed = (await bot.fake.wait_sent(group, 2))[-1]
            assert "is for moderators" not in allowed.text, (command.name, allowed.text)


async def test_discord_members_are_refused_every_moderator_command(clock) -> None:
    async with FakeDiscord() as fake:
        app = await build_app(discord_settings(), clock, registry=REGISTRY)
        try:
            async with connected(app):
                for command in MODERATOR_COMMANDS:
                    clock.advance(minutes=1)  # two commands each from the same two people: within the rate limit
                    options = option_values(command)
                    refused = text_of(messages(await fake.interact(fake.command(command.name, options)))[0])
                    assert "is for moderators" in refused, (command.name, refused)
                    allowed = await fake.interact(fake.command(command.name, options, **MODERATOR), timeout=10)
                    assert "is for moderators" not in text_of(messages(allowed)[0]), command.name
        finally:
            await app.db.close()


@pytest.mark.parametrize("name", [c.name for c in MODERATOR_COMMANDS])
def test_moderator_commands_are_hidden_from_members_on_discord(name: str) -> None:
    from bot.adapters.discord.tree import command_json

    command = REGISTRY.get(name)
    synced = command_json(command)
    # Operators' commands also work in a DM with the bot, where the dispatcher lets only operators run them.
    assert synced["default_member_permissions"] == "32" and synced["dm_permission"] is command.operators
