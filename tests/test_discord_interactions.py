"""Round trips through the real discord.py client and the fake Discord: commands, autocomplete, buttons."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.adapters.discord import interactions
from bot.core import arguments
from bot.core.buttons import encode
from bot.core.declarations import Choice, Command, Param, ParamKind
from bot.core.model import Button, Reply
from bot.core.registry import Registry
from bot.features.knowledge.platforms import platform_autocomplete
from bot.wiring import build_app
from tests.discord_fake import (
    CHANNEL_ID,
    EPHEMERAL,
    MANAGE_GUILD,
    MOD_ROLE_ID,
    FakeDiscord,
    connected,
    custom_ids,
    discord_settings,
    eventually,
    messages,
    text_of,
)
from tests.support.sample_commands import sample_registry

UNEXPECTED = "Something went wrong on our side"
MODERATOR = {"permissions": MANAGE_GUILD | (1 << 11)}


async def private_later(inv) -> Reply:
    """Declared slow, answers privately: the public 'thinking' message must not carry it."""
    return Reply(title="Only for you", blocks=["private"], ephemeral=True)


async def thing_reply(inv, thing: str) -> Reply:
    """Echo the chosen thing."""
    return Reply(blocks=[f"thing {thing}"])


async def sleepy(inv) -> Reply:
    """Not declared slow, but takes a while."""
    await asyncio.sleep(0.3)
    return Reply(blocks=["woke up"])


async def forty(app, typed: str) -> list[Choice]:
    """More suggestions than Discord accepts."""
    return [Choice(f"item{n}", f"Item {n} {typed}") for n in range(40)]


EXTRA = (
    Command(name="test_private_slow", description="Slow with a private reply", handler=private_later, slow=True),
    Command(name="test_many", description="Too many suggestions", handler=thing_reply,
            params=(Param("thing", "A thing", autocomplete=forty),)),
    Command(name="test_sleepy", description="Slower than expected", handler=sleepy),
)


@pytest.fixture
async def fake():
    async with FakeDiscord() as server:
        yield server


@pytest.fixture
async def app(clock):
    app = await build_app(discord_settings(), clock, registry=Registry([*sample_registry(), *EXTRA]))
    yield app
    await app.db.close()


@pytest.fixture
async def adapter(fake, app):
    async with connected(app) as running:
        yield running


def option_values(command: Command) -> dict[str, Any]:
    """A value for every parameter, from the declared example, the param's example or its first choice."""
    rest = arguments.example(command).partition(" ")[2]
    raw = arguments.parse_line(command, rest)
    values: dict[str, Any] = {}
    for param in command.params:
        text = raw.get(param.name) or param.example or (param.choices[0].value if param.choices else "")
        if param.kind is ParamKind.INTEGER:
            low, high = param.min_value or -(10**9), param.max_value or 10**9
            values[param.name] = int(min(max(int(text or 3), low), high))
        elif param.kind is ParamKind.NUMBER:
            values[param.name] = float(text or 12.5)
        elif param.kind is ParamKind.BOOLEAN:
            values[param.name] = arguments.convert(command, param, text or "yes")
        elif param.kind is ParamKind.CHANNEL:
            values[param.name] = str(CHANNEL_ID)
        else:
            values[param.name] = text or param.name
    return values


def only_message(calls) -> dict[str, Any]:
    found = messages(calls)
    assert len(found) == 1, [c.path for c in calls]
    return found[0]


async def test_every_command_in_the_registry_round_trips(fake, app, adapter, caplog):
    caplog.set_level(logging.ERROR)
    for n, command in enumerate(app.registry):
        who = {"user_id": 1000 + n, **MODERATOR}
        if command.hidden:
            args = {k: str(v) for k, v in option_values(command).items()}
            custom_id = await encode(app.db, Button("go", command.name, args), 100, app.clock.now())
            payload = fake.click(custom_id, **who)
        else:
            payload = fake.command(command.name, option_values(command), **who)
        calls = await fake.interact(payload, timeout=10)
        message = only_message(calls)
        text = text_of(message)
        assert message["embeds"] and text, command.name
        assert "Traceback" not in text
        assert (UNEXPECTED in text) is (command.name == "sample_boom"), (command.name, text)
    assert [r.getMessage() for r in caplog.records if "sample_boom" not in r.getMessage()] == []


async def test_options_arrive_with_their_types(fake, adapter):
    payload = fake.command("sample_echo", {"word": "hi", "number": 3, "colour": "red", "ratio": 12.5,
                                           "flag": True, "where": str(CHANNEL_ID), "rest": "more words"})
    text = text_of(only_message(await fake.interact(payload)))
    for expected in ("number=3 (int)", "ratio=12.5 (float)", "flag=True (bool)", f"where='{CHANNEL_ID}' (str)",
                     "colour='red' (str)", "rest='more words' (str)", "who: Member"):
        assert expected in text


async def test_autocomplete_offers_the_platforms_the_core_suggests(fake, app, adapter):
    calls = await fake.interact(fake.autocomplete("sample_platform", "platform", "out"))
    callback = calls[0].json
    assert callback["type"] == 8
    expected = await platform_autocomplete(app, "out")
    assert callback["data"]["choices"] == [{"name": c.display, "value": c.value} for c in expected][:25]
    assert callback["data"]["choices"][0] == {"name": "Outlier", "value": "outlier"}


async def test_autocomplete_never_returns_more_than_25(fake, adapter):
    calls = await fake.interact(fake.autocomplete("test_many", "thing", "x"))
    assert len(calls[0].json["data"]["choices"]) == 25


async def test_fixed_choices_are_filtered_as_typed(fake, adapter):
    calls = await fake.interact(fake.autocomplete("sample_echo", "colour", "RE"))
    assert [c["value"] for c in calls[0].json["data"]["choices"]] == ["red", "green"]


async def test_a_member_without_manage_server_is_refused_a_moderator_command(fake, adapter):
    message = only_message(await fake.interact(fake.command("sample_mod", {"note": "hide it"})))
    assert "for moderators" in text_of(message)
    assert message["flags"] & EPHEMERAL


@pytest.mark.parametrize("who", [MODERATOR, {"roles": (MOD_ROLE_ID,)}], ids=["manage-server", "mod-role"])
async def test_moderators_by_permission_or_configured_role_may_run_it(fake, adapter, who):
    message = only_message(await fake.interact(fake.command("sample_mod", {"note": "hide it"}, **who)))
    assert text_of(message).startswith("Noted")


async def test_member_commands_work_in_dms_but_server_commands_do_not(fake, adapter):
    about = only_message(await fake.interact(fake.command("about", {}, in_guild=False)))
    assert "About queuewatch" in text_of(about)
    mod = only_message(await fake.interact(fake.command("sample_mod", {"note": "x"}, in_guild=False, **MODERATOR)))
    assert "not in a private chat" in text_of(mod)


async def test_mentions_in_user_text_ping_nobody(fake, adapter):
    note = "@everyone look <@&123> and <@456>"
    mod = only_message(await fake.interact(fake.command("sample_mod", {"note": note}, **MODERATOR)))
    assert note in text_of(mod)
    await fake.interact(fake.command("sample_platform", {"platform": "@everyone <@&123>"}))
    await fake.interact(fake.command("test_private_slow", {}))
    sent = messages(fake.calls)
    assert len(sent) >= 3
    for message in sent:
        assert message["allowed_mentions"] == {"parse": []}


async def test_a_slow_handler_defers_then_follows_up(fake, adapter):
    calls = await fake.interact(fake.command("sample_slow", {}), timeout=10)
    assert calls[0].path.endswith("/callback") and calls[0].json["type"] == 5
    edit = calls[-1]
    assert (edit.method, edit.path.rsplit("/", 1)[-1]) == ("PATCH", "@original")
    assert "done slowly" in text_of(edit.json)


async def test_a_handler_not_done_in_time_is_deferred_too(fake, adapter, monkeypatch):
    monkeypatch.setattr(interactions, "DEFER_AFTER", 0.05)
    calls = await fake.interact(fake.command("test_sleepy", {}))
    assert calls[0].json["type"] == 5 and "woke up" in text_of(calls[-1].json)
    quick = await fake.interact(fake.command("about", {}))
    assert quick[0].json["type"] == 4


async def test_a_slow_private_reply_replaces_the_public_defer(fake, adapter):
    calls = await fake.interact(fake.command("test_private_slow", {}))
    assert [c.method for c in calls] == ["POST", "DELETE", "POST"]
    assert calls[0].json["type"] == 5
    assert calls[2].json["flags"] & EPHEMERAL and "private" in text_of(calls[2].json)


async def test_an_image_comes_as_an_attachment_shown_in_the_embed(fake, adapter):
    calls = await fake.interact(fake.command("sample_image", {}))
    callback = calls[0]
    assert [(name, filename) for name, filename, _ in callback.files] == [("files[0]", "image.png")]
    assert callback.files[0][2].startswith(b"\x89PNG")
    embed = callback.json["data"]["embeds"][0]
    assert embed["image"]["url"] == "attachment://image.png"
    assert callback.json["data"]["attachments"][0]["description"] == "a one-pixel chart"


async def test_buttons_still_work_after_a_restart(fake, clock, tmp_path):
    settings = discord_settings(database_url=f"sqlite:///{tmp_path / 'bot.db'}")
    first = await build_app(settings, clock, registry=sample_registry())
    async with connected(first):
        buttons = custom_ids(only_message(await fake.interact(fake.command("sample_buttons", {}))))
    await first.db.close()
    assert set(buttons) == {"Echo red", "Long"} and all(len(c) <= 100 for c in buttons.values())

    second = await build_app(settings, clock, registry=sample_registry())
    async with connected(second):
        short = text_of(only_message(await fake.interact(fake.click(buttons["Echo red"]))))
        long = text_of(only_message(await fake.interact(fake.click(buttons["Long"]))))
        expired = text_of(only_message(await fake.interact(fake.click("someone-else's-button"))))
    await second.db.close()
    assert "word='hi'" in short and "colour='red'" in short
    assert f"word='{'w' * 80}'" in long
    assert "expired" in expired


async def test_an_unknown_interaction_is_logged_and_the_client_keeps_working(fake, adapter, caplog):
    fake.fail("POST", r"/callback$", 404, 10062, "Unknown interaction")
    payload = fake.command("about", {})
    await fake.dispatch("INTERACTION_CREATE", payload)
    await fake.wait_for(lambda: bool(fake.answers(payload)))
    await eventually(lambda: any("expired" in r.getMessage() for r in caplog.records))
    fake.clear_failures()
    fake.fail("POST", r"/callback$", 403, 50013, "Missing Permissions")
    payload = fake.command("about", {})
    await fake.dispatch("INTERACTION_CREATE", payload)
    await eventually(lambda: any("missing permissions" in r.getMessage() for r in caplog.records))
    fake.clear_failures()
    assert "About queuewatch" in text_of(only_message(await fake.interact(fake.command("about", {}))))
