"""Every command and every parameter of the real registry fed hostile input, through the dispatcher and
each adapter's own parser, on a real app and SQLite file: no unexpected error, no traceback, every reply
within each platform's limits, nothing stored from a refused command, no long echo of the input."""

from __future__ import annotations

import asyncio
import itertools
import logging
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import MessageEntity

from bot.adapters.console.adapter import render as console_render
from bot.adapters.discord import render as discord_render
from bot.adapters.discord.components import CUSTOM_ID_LIMIT, MAX_BUTTONS
from bot.adapters.discord.tree import OPTION_TYPES, raw_options
from bot.adapters.telegram import render as telegram_render
from bot.adapters.telegram.keyboards import CALLBACK_DATA_LIMIT, keyboard
from bot.adapters.telegram.parsing import parse_command
from bot.core.clock import ManualClock
from bot.core.model import Actor, Place, Platform, Reply
from bot.settings import load_settings
from bot.wiring import App, build_app, load_registry
from tests.support import fuzz

REGISTRY = load_registry()
COMMANDS = list(REGISTRY)
BOT_USERNAME = "queuewatch_test_bot"
DISCORD_CONTENT_LIMIT = 2000
_people = itertools.count()


class World:
    """One app on a temporary SQLite file, run on its own event loop for the whole module."""

    def __init__(self, path) -> None:
        self.runner = asyncio.Runner()
        settings = load_settings(database_url=f"sqlite:///{path / 'fuzz.db'}",
                                 queuewatch_secret="fuzz-secret-0123456789")
        self.clock = ManualClock(datetime(2026, 11, 16, 12, 0, tzinfo=UTC))
        self.app: App = self.runner.run(build_app(settings, clock=self.clock, registry=REGISTRY))
        self.errors = fuzz.ErrorLog()
        logging.getLogger().addHandler(self.errors)
        self.runner.run(self._seed())

    async def _seed(self) -> None:
        """A few real reports, so ids such as 1 and 2 exist for /retract and the moderator commands."""
        for n, line in enumerate(["/report outlier drought", "/payrate outlier 20 USD", "/subscribe toloka",
                                  "/report appen paid_late", "/note outlier be careful"]):
            actor = Actor(Platform.CONSOLE, f"seed{n}", "Seed", is_moderator=True)
            reply = await self.app.dispatcher.dispatch_line(line, actor, Place(Platform.CONSOLE, "local", "g", False))
            assert not reply.is_error, reply.plain_text()

    def close(self) -> None:
        """Close the database and the loop."""
        logging.getLogger().removeHandler(self.errors)
        self.runner.run(self.app.db.close())
        self.runner.close()

    def run(self, platform: Platform, moderator: bool, private: bool, inputs: list[object], send,
            within_limits=None) -> Reply:
        """Run one command as a new person, check the reply, then render it for the platform and check that."""
        actor = Actor(platform, f"p{next(_people)}", "Fuzzy <b>@everyone</b>", is_moderator=moderator)
        place = Place(platform, None if private else "fuzzland", None if private else "general", private)

        async def body() -> Reply:
            self.errors.records.clear()
            before = await fuzz.row_counts(self.app.db)
            reply = await send(actor, place)
            fuzz.check_reply(reply, inputs, self.errors, before, await fuzz.row_counts(self.app.db))
            if within_limits is not None:  # rendering may store long button payloads, so it comes after the count
                await within_limits(self.app, reply)
            return reply

        self.clock.advance(seconds=7)
        return self.runner.run(body())


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    world = World(tmp_path_factory.mktemp("fuzz"))
    yield world
    world.close()


who = st.tuples(st.booleans(), st.booleans())  # (moderator, private)


@fuzz.FUZZ
@given(data=st.data(), command=st.sampled_from(COMMANDS), who=who)
def test_the_dispatcher_takes_any_raw_values(world, data, command, who) -> None:
    raw = data.draw(fuzz.raw_arguments(command))
    reply = world.run(Platform.CONSOLE, *who, list(raw.values()),
                      lambda actor, place: world.app.dispatcher.dispatch(command.name, raw, actor, place))
    assert "Traceback" not in console_render(reply)


@fuzz.FUZZ
@given(data=st.data(), command=st.sampled_from(COMMANDS), who=who, tail=st.one_of(st.just(""), fuzz.random_text()))
def test_the_console_line_parser_takes_any_line(world, data, command, who, tail) -> None:
    raw = data.draw(fuzz.raw_arguments(command))
    quote = data.draw(st.lists(st.booleans(), min_size=len(raw), max_size=len(raw)))
    line = (fuzz.line_for(command.name, raw, quote) + " " + tail).strip()
    reply = world.run(Platform.CONSOLE, *who, [*raw.values(), tail],
                      lambda actor, place: world.app.dispatcher.dispatch_line(line, actor, place))
    assert "Traceback" not in console_render(reply)


@fuzz.FUZZ
@given(data=st.data(), command=st.sampled_from(COMMANDS), who=who, question=fuzz.random_text())
def test_the_telegram_parser_takes_any_message(world, data, command, who, question) -> None:
    raw = data.draw(fuzz.raw_arguments(command))
    quote = data.draw(st.lists(st.booleans(), min_size=len(raw), max_size=len(raw)))
    token = f"/{command.name}@{BOT_USERNAME}"
    text = token + fuzz.line_for(command.name, raw, quote).removeprefix(f"/{command.name}")
    parsed = parse_command(text, (MessageEntity(MessageEntity.BOT_COMMAND, 0, len(token)),), BOT_USERNAME)
    assert parsed is not None and parsed.name == command.name

    async def send(actor, place):  # as TelegramAdapter._run does for a typed command
        return await world.app.dispatcher.dispatch_line(f"/{parsed.name} {parsed.args}".rstrip(), actor, place)

    world.run(Platform.TELEGRAM, *who, list(raw.values()), send, _within_telegram_limits)
    world.run(Platform.TELEGRAM, False, True, [question],
              lambda actor, place: world.app.dispatcher.ask(question, actor, place), _within_telegram_limits)


@fuzz.FUZZ
@given(data=st.data(), command=st.sampled_from(COMMANDS), who=who)
def test_discord_options_take_any_values(world, data, command, who) -> None:
    options = data.draw(st.fixed_dictionaries({}, optional={p.name: fuzz.typed_option(p) for p in command.params}))
    payload = {"name": command.name, "options": [
        {"name": name, "type": OPTION_TYPES[command.param(name).kind].value, "value": value}
        for name, value in options.items()]}
    stray = data.draw(st.one_of(st.none(), fuzz.random_text()))  # a hand-made payload may name any option
    if stray is not None and stray not in options:
        payload["options"].append({"name": stray, "type": 3, "value": "x"})
    raw = raw_options(payload)
    world.run(Platform.DISCORD, *who, [*raw.values(), *raw],
              lambda actor, place: world.app.dispatcher.dispatch(command.name, raw, actor, place),
              _within_discord_limits)


async def _within_telegram_limits(app: App, reply: Reply) -> None:
    rendered = telegram_render.render(reply)
    assert rendered.messages or rendered.image
    for message in rendered.messages:
        assert 0 < len(message) <= telegram_render.MESSAGE_LIMIT
        message.encode("utf-8")
    assert len(rendered.caption) <= telegram_render.CAPTION_LIMIT
    keys = await keyboard(app, reply.buttons, "viewer-key")
    for row in (keys.inline_keyboard if keys else ()):
        for key in row:
            assert len(key.callback_data.encode()) <= CALLBACK_DATA_LIMIT


async def _within_discord_limits(app: App, reply: Reply) -> None:
    message = await discord_render.render(app, reply)
    embed = message.embed
    assert len(embed) <= discord_render.EMBED_TOTAL_LIMIT
    assert len(embed.description or "") <= discord_render.DESCRIPTION_LIMIT
    assert len(embed.fields) <= discord_render.FIELD_COUNT_LIMIT
    assert len(embed.title or "") <= discord_render.TITLE_LIMIT
    assert len(message.send_kwargs().get("content") or "") <= DISCORD_CONTENT_LIMIT
    if message.view is not None:
        assert len(message.view.children) <= MAX_BUTTONS
        assert all(len(item.custom_id.encode()) <= CUSTOM_ID_LIMIT for item in message.view.children)


@pytest.mark.parametrize("command", COMMANDS, ids=[c.name for c in COMMANDS])
def test_every_parameter_takes_every_fixed_hostile_value(world, command) -> None:
    """Not left to chance: each parameter gets each hostile value (the others valid), through a rotating path."""
    base = fuzz.valid_arguments(command)[0]
    paths = itertools.cycle(["line", "telegram", "discord", "raw"])
    for param in command.params:
        for value in fuzz.hostile_values(param):
            raw = {**base, param.name: value}
            raw = {p.name: raw[p.name] for p in command.params if p.name in raw}  # in declared order
            path = next(paths)
            if path == "line":
                line = fuzz.line_for(command.name, raw, [p is param for p in command.params if p.name in raw])
                send = _line_sender(world, line)
            elif path == "telegram":
                send = _telegram_sender(world, command, raw)
            else:
                send = _raw_sender(world, command.name, raw)
            world.run(Platform.TELEGRAM if path == "telegram" else Platform.DISCORD if path == "discord"
                      else Platform.CONSOLE, True, False, [value], send,
                      _within_telegram_limits if path == "telegram" else
                      _within_discord_limits if path == "discord" else None)
    for value in fuzz.NASTY:  # and every plain question
        world.run(Platform.CONSOLE, False, True, [value], _line_sender(world, value))


def _line_sender(world: World, line: str):
    return lambda actor, place: world.app.dispatcher.dispatch_line(line, actor, place)


def _raw_sender(world: World, name: str, raw: dict):
    return lambda actor, place: world.app.dispatcher.dispatch(name, raw, actor, place)


def _telegram_sender(world: World, command, raw: dict):
    token = f"/{command.name}@{BOT_USERNAME}"
    text = token + fuzz.line_for(command.name, raw, [False] * len(raw)).removeprefix(f"/{command.name}")
    parsed = parse_command(text, (MessageEntity(MessageEntity.BOT_COMMAND, 0, len(token)),), BOT_USERNAME)
    assert parsed is not None
    return _line_sender(world, f"/{parsed.name} {parsed.args}".rstrip())
