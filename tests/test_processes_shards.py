"""Discord shards: DISCORD_SHARD_COUNT and DISCORD_SHARD_IDS connect this process's shards through discord.py's
AutoShardedClient, each shard told its [id, count] and sent its own guilds; the commands are synced by the process
that runs shard 0 only."""

from __future__ import annotations

import discord
import pytest

from bot.adapters.discord import DiscordAdapter
from bot.settings import SettingsError, load_settings
from bot.wiring import build_app
from tests.discord_fake import GUILD_ID, FakeDiscord, discord_settings
from tests.support.sample_commands import sample_registry

# Guild ids whose shard (id >> 22) % 2 is 0 and 1.
EVEN_GUILD = GUILD_ID if (GUILD_ID >> 22) % 2 == 0 else GUILD_ID + (1 << 22)
ODD_GUILD = EVEN_GUILD + (1 << 22)


async def connect(fake: FakeDiscord, clock, **shards):
    app = await build_app(discord_settings(**shards), clock, registry=sample_registry())
    adapter = DiscordAdapter(app, ready_timeout=10.0, guild_ready_timeout=0.01)
    await adapter.start()
    return app, adapter


async def test_a_process_connects_its_shards_and_each_gets_its_guilds(clock):
    async with FakeDiscord(guild_ids=(EVEN_GUILD, ODD_GUILD)) as fake:
        app, adapter = await connect(fake, clock, discord_shard_count=2, discord_shard_ids=[0, 1])
        try:
            assert isinstance(adapter.client, discord.AutoShardedClient)
            assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
            assert {g.id for g in adapter.client.guilds} == {EVEN_GUILD, ODD_GUILD}
            assert adapter.client.get_guild(EVEN_GUILD).shard_id == 0
            assert adapter.client.get_guild(ODD_GUILD).shard_id == 1
        finally:
            await adapter.stop()
            await app.db.close()


async def test_only_the_process_running_shard_0_syncs_the_commands(clock):
    async with FakeDiscord(guild_ids=(EVEN_GUILD, ODD_GUILD)) as fake:
        app, adapter = await connect(fake, clock, discord_shard_count=2, discord_shard_ids=[1])
        try:
            assert [tuple(i["shard"]) for i in fake.identifies] == [(1, 2)]
            assert fake.calls_to("PUT", r"/commands$") == []  # shard 1's process leaves the sync to shard 0's
            assert {g.id for g in adapter.client.guilds} == {ODD_GUILD}
        finally:
            await adapter.stop()
            await app.db.close()
        app, adapter = await connect(fake, clock, discord_shard_count=2, discord_shard_ids=[0])
        try:
            assert len(fake.calls_to("PUT", r"/commands$")) == 1
        finally:
            await adapter.stop()
            await app.db.close()


async def test_without_shard_settings_one_plain_client_connects(clock):
    async with FakeDiscord() as fake:
        app, adapter = await connect(fake, clock)
        try:
            assert type(adapter.client) is discord.Client and "shard" not in fake.identify
        finally:
            await adapter.stop()
            await app.db.close()


def test_shard_settings_are_checked_with_a_clear_line():
    with pytest.raises(SettingsError, match="DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT"):
        load_settings(discord_shard_ids="0,1")
    with pytest.raises(SettingsError, match="shard 2 does not exist; with DISCORD_SHARD_COUNT=2 the ids are 0 to 1"):
        load_settings(discord_shard_ids="0,2", discord_shard_count=2)
    with pytest.raises(SettingsError, match="DISCORD_SHARD_IDS: expected comma-separated numeric ids"):
        load_settings(discord_shard_ids="zero", discord_shard_count=2)
