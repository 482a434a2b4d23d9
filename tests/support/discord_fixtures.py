"""Fixtures for Discord tests: the loopback fake, and the real adapter connected to it with the sample commands."""

from __future__ import annotations

import pytest

from bot.wiring import build_app
from tests.discord_fake import FakeDiscord, connected, discord_settings
from tests.support.sample_commands import sample_registry


@pytest.fixture
async def fake():
    """A running loopback Discord."""
    async with FakeDiscord() as server:
        yield server


@pytest.fixture
async def adapter(fake, clock):
    """The real Discord adapter of an app with the sample commands, connected to the fake."""
    app = await build_app(discord_settings(), clock, registry=sample_registry())
    async with connected(app) as running:
        yield running
    await app.db.close()
