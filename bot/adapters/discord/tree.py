"""The slash-command JSON (Discord API v10) built from the registry, and option values read back from it.

We sync this JSON ourselves and route interactions in `on_interaction` instead of using discord.py's
CommandTree: the declarations already carry types, choices and access, and the dispatcher already
converts, checks and classifies errors, so a second layer of callbacks would only repeat them.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.core.declarations import Command, Param, ParamKind
from bot.core.i18n import DISCORD_LOCALES, in_every_locale
from bot.core.registry import Registry

OptionType = discord.AppCommandOptionType
OPTION_TYPES = {
    ParamKind.TEXT: OptionType.string,
    ParamKind.INTEGER: OptionType.integer,
    ParamKind.NUMBER: OptionType.number,
    ParamKind.BOOLEAN: OptionType.boolean,
    ParamKind.CHANNEL: OptionType.channel,
}
# Channels a digest or alert can be posted to: text and announcement channels.
POSTABLE_CHANNEL_TYPES = [discord.ChannelType.text.value, discord.ChannelType.news.value]
MODERATOR_PERMISSIONS = discord.Permissions(manage_guild=True)
IN_SERVERS = discord.AppCommandContext(guild=True).to_array()
IN_SERVERS_AND_DMS = discord.AppCommandContext(guild=True, dm_channel=True).to_array()
GUILD_INSTALL = discord.AppInstallationType(guild=True).to_array()
MAX_CHOICE_TEXT = 100


def slash_commands(registry: Registry) -> list[dict[str, Any]]:
    """Every visible command as a CHAT_INPUT application command payload, in registry order."""
    return [command_json(command) for command in registry if not command.hidden]


def command_json(command: Command) -> dict[str, Any]:
    """One command as the JSON Discord expects; moderator and community-only commands stay in servers, except
    the ones operators may run in a private chat (the dispatcher refuses everyone else there)."""
    guild_only = command.needs_community and not command.operators
    return {
        "type": discord.AppCommandType.chat_input.value,
        "name": command.name,
        "description": command.description,
        "description_localizations": localizations(command.description),
        "options": [option_json(param) for param in command.params],
        "default_member_permissions": str(MODERATOR_PERMISSIONS.value) if command.is_moderator_only else None,
        "dm_permission": not guild_only,
        "contexts": IN_SERVERS if guild_only else IN_SERVERS_AND_DMS,
        "integration_types": GUILD_INSTALL,
        "nsfw": False,
    }


def option_json(param: Param) -> dict[str, Any]:
    """One parameter as a typed option with its description, choices, limits or autocomplete."""
    option: dict[str, Any] = {
        "type": OPTION_TYPES[param.kind].value,
        "name": param.name,
        "description": param.description,
        "description_localizations": localizations(param.description),
        "required": param.required,
    }
    if param.choices and typed_aliases(param):
        option["autocomplete"] = True  # fixed choices would refuse "EQ"; suggestions match every alias instead
    elif param.choices:
        option["choices"] = [
            {"name": choice.display[:MAX_CHOICE_TEXT], "value": _typed(param, choice.value),
             "name_localizations": localizations(choice.display, MAX_CHOICE_TEXT)}
            for choice in param.choices
        ]
    elif param.autocomplete is not None and param.kind is ParamKind.TEXT:
        option["autocomplete"] = True
    if param.kind in (ParamKind.INTEGER, ParamKind.NUMBER):
        if param.min_value is not None:
            option["min_value"] = _typed(param, param.min_value)
        if param.max_value is not None:
            option["max_value"] = _typed(param, param.max_value)
    if param.kind is ParamKind.TEXT and param.max_length is not None:
        option["max_length"] = param.max_length
    if param.kind is ParamKind.CHANNEL:
        option["channel_types"] = POSTABLE_CHANNEL_TYPES
    return option


def localizations(text: str, limit: int = 100) -> dict[str, str]:
    """A description or choice label in every Discord locale the bot speaks (names stay the same everywhere)."""
    return {discord_locale: translated[:limit] for locale, translated in in_every_locale(text).items()
            for discord_locale in DISCORD_LOCALES[locale]}


def typed_aliases(param: Param) -> bool:
    """True when members may type other words for the choices (Discord's fixed choices accept only their names)."""
    return param.kind is ParamKind.TEXT and any(choice.aliases for choice in param.choices)


def _typed(param: Param, value: Any) -> Any:
    """A value in the option's own JSON type (integer options need integer choices and limits)."""
    if param.kind is ParamKind.INTEGER:
        return int(value)
    if param.kind is ParamKind.NUMBER:
        return float(value)
    return str(value)


def raw_options(data: dict[str, Any]) -> dict[str, Any]:
    """The option values of an application-command interaction, by name (channels as their id)."""
    return {option["name"]: option.get("value") for option in data.get("options", [])}


def focused_option(data: dict[str, Any]) -> tuple[str, str] | None:
    """The option being typed in an autocomplete interaction and what has been typed so far."""
    for option in data.get("options", []):
        if option.get("focused"):
            return option["name"], str(option.get("value", ""))
    return None
