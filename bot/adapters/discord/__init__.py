"""The Discord front end: slash commands built from the registry, embeds, buttons, outbox delivery."""

from bot.adapters.discord.adapter import DiscordAdapter

__all__ = ["DiscordAdapter"]
