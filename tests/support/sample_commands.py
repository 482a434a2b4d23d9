"""A test-only registry: the real commands plus commands that exercise every parameter type,
choices, buttons, images, moderator access and slow handlers, for the adapter round-trip tests."""

from __future__ import annotations

import asyncio
import base64

from bot.core.declarations import Access, Choice, Command, Param, ParamKind
from bot.core.model import Button, Field, Image, Invocation, Reply
from bot.core.registry import Registry
from bot.features.knowledge.platforms import find_platform, platform_autocomplete
from bot.wiring import all_commands

# A valid 1x1 PNG.
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
COLOURS = tuple(Choice(c) for c in ("red", "green", "blue"))


async def echo(inv: Invocation, **params: object) -> Reply:
    """Echo every parameter with its Python type, so adapters' conversions can be asserted."""
    lines = [f"{name}={value!r} ({type(value).__name__})" for name, value in sorted(params.items())]
    return Reply(title="echo", blocks=lines or ["(no params)"], fields=[Field("who", inv.actor.display_name)])


async def buttons(inv: Invocation) -> Reply:
    """A reply whose buttons run commands with arguments, one of them too long to inline."""
    return Reply(
        title="Pick one",
        blocks=["Press a button."],
        buttons=[
            Button("Echo red", "sample_echo", {"word": "hi", "number": "3", "colour": "red"}),
            Button("Long", "sample_echo", {"word": "w" * 80, "number": "1", "colour": "blue"}),
        ],
    )


async def picture(inv: Invocation) -> Reply:
    """A reply with an image."""
    return Reply(title="A chart", blocks=["Here is a picture."], image=Image(TINY_PNG, "a one-pixel chart"))


async def moderate(inv: Invocation, note: str) -> Reply:
    """A moderator-only command that repeats a note (checks escaping and mentions)."""
    return Reply(title="Noted", blocks=[note])


async def slow(inv: Invocation) -> Reply:
    """A handler that takes longer than Discord's comfortable window."""
    await asyncio.sleep(1.2)
    return Reply(blocks=["done slowly"])


async def platform_name(inv: Invocation, platform: str) -> Reply:
    """Resolve a platform name (autocomplete source) and echo it."""
    found = find_platform(inv.app, platform)
    return Reply(blocks=[f"platform {found.name}"])


async def boom(inv: Invocation) -> Reply:
    """Fails unexpectedly, to check the user sees an error id and no traceback."""
    raise RuntimeError("kaboom")


async def long_reply(inv: Invocation, picture: bool = False) -> Reply:
    """A reply longer than any platform's message limit (about 9,000 characters), with fields and a button."""
    paragraphs = [f"Paragraph {n}: " + "lorem ipsum & <dolor> sit amet " * 7 for n in range(1, 41)]
    return Reply(
        title="A long reply",
        blocks=paragraphs,
        fields=[Field("Source", "a made-up source, 2026-11-16"), Field("n", "40")],
        footer="the end",
        buttons=[Button("Again", "sample_long")],
        image=Image(TINY_PNG, "a one-pixel chart") if picture else None,
    )


SAMPLE_COMMANDS = (
    Command(
        name="sample_echo",
        description="Echo typed parameters",
        handler=echo,
        params=(
            Param("word", "A word", example="hi"),
            Param("number", "A whole number", kind=ParamKind.INTEGER, min_value=1, max_value=10, example="3"),
            Param("colour", "A colour", choices=COLOURS),
            Param("ratio", "A number", kind=ParamKind.NUMBER, required=False),
            Param("flag", "Yes or no", kind=ParamKind.BOOLEAN, required=False),
            Param("where", "A channel", kind=ParamKind.CHANNEL, required=False),
            Param("rest", "Free text", required=False),
        ),
    ),
    Command(name="sample_buttons", description="Reply with buttons", handler=buttons),
    Command(name="sample_image", description="Reply with an image", handler=picture),
    Command(
        name="sample_mod",
        description="Moderators only",
        handler=moderate,
        access=Access.MODERATOR,
        community_only=True,
        params=(Param("note", "A note"),),
    ),
    Command(name="sample_slow", description="A slow handler", handler=slow, slow=True),
    Command(
        name="sample_platform",
        description="Autocomplete a platform",
        handler=platform_name,
        params=(Param("platform", "A platform", autocomplete=platform_autocomplete, example="outlier"),),
    ),
    Command(name="sample_boom", description="Fails unexpectedly", handler=boom),
    Command(
        name="sample_long",
        description="A reply longer than any message limit",
        handler=long_reply,
        params=(Param("picture", "Attach an image too", kind=ParamKind.BOOLEAN, required=False),),
    ),
)


def sample_registry() -> Registry:
    """The real commands plus the sample ones."""
    return Registry([*all_commands(), *SAMPLE_COMMANDS])
