"""Who clicked or typed, and where: a Discord interaction as the neutral Actor and Place."""

from __future__ import annotations

from collections.abc import Iterable

import discord

from bot.core.model import Actor, Place, Platform


def actor_of(interaction: discord.Interaction, mod_role_ids: Iterable[int]) -> Actor:
    """The person behind an interaction; a moderator has Manage Server or one of the configured roles."""
    user = interaction.user
    moderator = is_moderator(interaction, mod_role_ids)
    locale = getattr(interaction, "locale", None)  # the member's Discord client language, e.g. "pt-BR"
    return Actor(Platform.DISCORD, str(user.id), user.display_name, is_moderator=moderator,
                 locale=str(locale.value if isinstance(locale, discord.Locale) else locale or "") or None)


def is_moderator(interaction: discord.Interaction, mod_role_ids: Iterable[int]) -> bool:
    """True in a server for Manage Server (or Administrator) in this channel, or a moderator role."""
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        return False
    permissions = interaction.permissions
    if permissions.manage_guild or permissions.administrator:
        return True
    return not set(_role_ids(interaction.user)).isdisjoint(mod_role_ids)


def _role_ids(member: discord.Member) -> list[int]:
    # member.roles drops roles of a server not in the cache; the payload's role ids are always there.
    return list(getattr(member, "_roles", ())) or [role.id for role in member.roles]


def place_of(interaction: discord.Interaction) -> Place:
    """The server and channel of an interaction, or a private chat for a DM."""
    guild_id = interaction.guild_id
    channel_id = interaction.channel_id
    return Place(
        Platform.DISCORD,
        community_id=None if guild_id is None else str(guild_id),
        channel_id=None if channel_id is None else str(channel_id),
        is_private=guild_id is None,
    )
