"""Discord sharding: DISCORD_SHARD_COUNT shards in all, this process connecting DISCORD_SHARD_IDS of them through
discord.py's AutoShardedClient; and the slash commands synced by one process only."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.adapters.discord.sync import sync_commands
from bot.settings import Settings
from bot.wiring import App

log = logging.getLogger(__name__)

SYNC_JOB = "discord-command-sync"


def new_client(settings: Settings, **options: Any) -> discord.Client:
    """A plain Client, or an AutoShardedClient running this process's shards when DISCORD_SHARD_COUNT is set."""
    count = settings.discord_shard_count
    if count is None:
        return discord.Client(**options)
    ids = list(settings.discord_shard_ids) or list(range(count))
    log.info("discord: connecting shards %s of %d", ",".join(map(str, ids)), count)
    return discord.AutoShardedClient(shard_count=count, shard_ids=ids, **options)


def syncs_commands(settings: Settings) -> bool:
    """Whether this process may sync the commands: with shards, only the process that runs shard 0."""
    if settings.discord_shard_count is None:
        return True
    return 0 in (settings.discord_shard_ids or range(settings.discord_shard_count))


async def sync_once(app: App, http: discord.http.HTTPClient, application_id: int) -> bool:
    """Sync the commands from one process only: the one running shard 0 (when sharded), and at any moment the one
    holding the sync lock (so two processes starting together never both upsert); False when it did not sync."""
    if not syncs_commands(app.settings):
        log.info("discord: the process running shard 0 syncs the commands; not syncing here")
        return False
    coordination = app.coordination
    if not await coordination.lead(SYNC_JOB):
        log.info("discord: another process is syncing the commands; not syncing here")
        return False
    try:
        return await sync_commands(app, http, application_id)
    finally:
        await coordination.resign(SYNC_JOB)
