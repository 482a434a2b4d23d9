"""Registering the slash commands with Discord, only when they changed since the last sync."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import discord

from bot.adapters.discord.tree import slash_commands
from bot.wiring import App

log = logging.getLogger(__name__)

HASH_META_KEY = "discord_commands_hash"


def commands_hash(application_id: int, guild_ids: list[int], payload: list[dict[str, Any]]) -> str:
    """A hash of what would be synced and where, so a change of commands, app or guilds forces a sync."""
    text = json.dumps({"app": application_id, "guilds": sorted(guild_ids), "commands": payload}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


async def sync_commands(app: App, http: discord.http.HTTPClient, application_id: int) -> bool:
    """Upsert the command set to the configured guilds (instant) or globally; False when unchanged."""
    payload = slash_commands(app.registry)
    guild_ids = list(app.settings.discord_guild_ids)
    digest = commands_hash(application_id, guild_ids, payload)
    if await app.db.get_meta(HASH_META_KEY) == digest:
        log.info("Discord commands unchanged since the last sync; not syncing")
        return False
    if guild_ids:
        for guild_id in guild_ids:
            await http.bulk_upsert_guild_commands(application_id, guild_id, payload)
        log.info("synced %d Discord commands to %d server(s)", len(payload), len(guild_ids))
    else:
        await http.bulk_upsert_global_commands(application_id, payload)
        log.info("synced %d Discord commands globally (they may take a while to appear)", len(payload))
    await app.db.set_meta(HASH_META_KEY, digest)
    return True
