"""The slash commands Discord receives match the registry; sync is skipped when nothing changed."""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot.adapters.base import StartupError
from bot.adapters.discord.tree import slash_commands, typed_aliases
from bot.core.declarations import Access, Command, ParamKind
from bot.core.registry import Registry
from bot.wiring import build_app
from tests.discord_fake import APP_ID, GUILD_ID, FakeDiscord, connected, discord_settings
from tests.support.sample_commands import sample_registry

OPTION_TYPE = {ParamKind.TEXT: 3, ParamKind.INTEGER: 4, ParamKind.NUMBER: 10, ParamKind.BOOLEAN: 5,
               ParamKind.CHANNEL: 7}
MANAGE_GUILD = str(1 << 5)


@pytest.fixture
async def fake():
    async with FakeDiscord() as server:
        yield server


async def make_app(clock, registry=None, **overrides):
    return await build_app(discord_settings(**overrides), clock, registry=registry or sample_registry())


def assert_matches_registry(synced: list[dict], registry: Registry) -> None:
    visible = [c for c in registry if not c.hidden]
    assert [c["name"] for c in synced] == [c.name for c in visible]
    for command, payload in zip(visible, synced, strict=True):
        assert payload["type"] == 1
        assert payload["description"] == command.description
        moderator = command.access is Access.MODERATOR
        assert payload["default_member_permissions"] == (MANAGE_GUILD if moderator else None)
        in_dms = command.operators or not (moderator or command.community_only)  # operators work in DMs
        assert payload["dm_permission"] is in_dms
        assert payload["contexts"] == ([0, 1] if in_dms else [0])
        assert [o["name"] for o in payload["options"]] == [p.name for p in command.params]
        for param, option in zip(command.params, payload["options"], strict=True):
            assert option["type"] == OPTION_TYPE[param.kind]
            assert option["description"] == param.description
            assert option["required"] is param.required
            # Choices members may also type other words for are autocompleted (fixed choices would refuse them).
            fixed = [] if typed_aliases(param) else [str(c.value) for c in param.choices]
            assert [c["value"] for c in option.get("choices", [])] == fixed
            autocompleted = (param.autocomplete is not None and not param.choices) or typed_aliases(param)
            assert option.get("autocomplete", False) is autocompleted
            if param.min_value is not None:
                assert option["min_value"] == param.min_value
            if param.max_value is not None:
                assert option["max_value"] == param.max_value


async def test_synced_commands_match_the_registry(fake, clock):
    app = await make_app(clock)
    async with connected(app):
        puts = fake.calls_to("PUT", "/commands$")
        assert [c.path for c in puts] == [f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands"]
        assert_matches_registry(puts[0].json, app.registry)
        assert_matches_registry(fake.commands[str(GUILD_ID)], app.registry)
    await app.db.close()


def test_every_parameter_kind_has_an_option_type_and_sample_echo_uses_them_all():
    echo = next(c for c in slash_commands(sample_registry()) if c["name"] == "sample_echo")
    assert sorted({o["type"] for o in echo["options"]}) == sorted(OPTION_TYPE.values())
    number = next(o for o in echo["options"] if o["name"] == "number")
    assert (number["min_value"], number["max_value"]) == (1, 10)
    assert isinstance(number["min_value"], int)


async def test_sync_is_skipped_when_nothing_changed_and_repeated_when_it_did(fake, clock, tmp_path):
    path = f"sqlite:///{tmp_path / 'bot.db'}"
    for _ in range(2):
        app = await make_app(clock, database_url=path)
        async with connected(app):
            pass
        await app.db.close()
    assert len(fake.calls_to("PUT", "/commands$")) == 1

    extra = Command(name="sample_new", description="A command added later", handler=lambda inv: None)
    app = await make_app(clock, Registry([*sample_registry(), extra]), database_url=path)
    async with connected(app):
        pass
    await app.db.close()
    puts = fake.calls_to("PUT", "/commands$")
    assert len(puts) == 2 and "sample_new" in [c["name"] for c in puts[1].json]


async def test_without_guild_ids_commands_are_synced_globally(fake, clock):
    app = await make_app(clock, discord_guild_ids=[])
    async with connected(app):
        assert [c.path for c in fake.calls_to("PUT", "/commands$")] == [f"/applications/{APP_ID}/commands"]
    await app.db.close()


async def test_only_unprivileged_intents_are_requested(fake, clock):
    app = await make_app(clock)
    async with connected(app) as adapter:
        intents = fake.identify["intents"]
        assert intents == 1  # GUILDS only: no members, presences or message content
        assert app.senders["discord"] is adapter
        assert app.bot_usernames["discord"] == "queuewatch"
    assert "discord" not in app.senders
    await app.db.close()


async def test_a_rejected_token_is_one_clear_line_without_the_token(fake, clock):
    token = "wrong-token-abcdefghijklmnopqrstuvwxyz"
    app = await make_app(clock, discord_token=token)
    with pytest.raises(StartupError) as raised:
        async with connected(app):
            pass
    message = str(raised.value)
    assert "DISCORD_TOKEN" in message and token not in message and "\n" not in message
    assert fake.calls_to("PUT", "/commands$") == []
    await app.db.close()


def test_queuewatch_run_with_a_rejected_token_exits_2_with_one_line(settings, monkeypatch, capsys):
    """The real CLI against the fake (served from a thread, since the CLI runs its own event loop)."""
    from bot.cli import main

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = FakeDiscord()
    asyncio.run_coroutine_threadsafe(server.__aenter__(), loop).result(5)
    token = "rejected-token-abcdefghijklmnopqrstuvwxyz"
    monkeypatch.setenv("DISCORD_TOKEN", token)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///bot.db")
    try:
        status = main(["run"])
    finally:
        asyncio.run_coroutine_threadsafe(server.__aexit__(None, None, None), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
    err = capsys.readouterr().err
    assert status == 2
    lines = [line for line in err.splitlines() if line.startswith("queuewatch:")]
    assert lines == ["queuewatch: Discord rejected DISCORD_TOKEN; copy the bot token again from the Developer "
                     "Portal (Bot tab)."]
    assert token not in err
    assert server.calls_to("GET", "/users/@me$")


async def test_a_refused_command_list_stops_start_up_with_discords_reason(fake, clock):
    fake.fail("PUT", "/commands$", 400, 50035, "Invalid Form Body: options[0].name")
    app = await make_app(clock)
    with pytest.raises(StartupError, match="Invalid Form Body"):
        async with connected(app):
            pass
    assert await app.db.get_meta("discord_commands_hash") is None  # so the next start tries again
    await app.db.close()
