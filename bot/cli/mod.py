"""`queuewatch mod`: the operators' moderator commands on the command line, run through the chat commands.

Each action is the chat command `/mod_<action>` (every command declared with `operators=True`), dispatched
as an operator in a private chat: the same parsing, checks, audit log and replies as in Telegram or Discord.
"""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import quiet_logs, with_settings
from bot.core import arguments
from bot.core.declarations import Command
from bot.core.model import Actor, Place, Platform
from bot.settings import Settings

OPERATOR = Actor(Platform.CONSOLE, "operator", "an operator (command line)", is_operator=True)
PRIVATE = Place(Platform.CONSOLE, None, None, is_private=True)


def operator_commands() -> list[Command]:
    """The commands operators may run on every report: the actions of `queuewatch mod`."""
    from bot.wiring import load_registry

    return [command for command in load_registry() if command.operators]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `mod ACTION ...`, one action per operator command."""
    mod = subparsers.add_parser(
        "mod", help="operators: list, hide, unhide, bar and unbar any report, and read the audit logs",
        description="Run the moderator commands as an operator, on every community's reports and private-chat "
        "ones. Every action is written to the audit log of the community the report came from (the 'operator' "
        "log for a report sent in a private chat).",
    )
    actions = mod.add_subparsers(dest="mod_action", metavar="ACTION", required=True)
    for command in operator_commands():
        action = actions.add_parser(command.name.removeprefix("mod_"), help=command.description,
                                    description=command.help or command.description,
                                    epilog=f"Same as {arguments.usage(command)} in a private chat with the bot.")
        for param in command.params:
            if arguments.takes_rest_of_line(command, param):
                nargs = "+" if param.required else "*"
            else:
                nargs = None if param.required else "?"
            action.add_argument(param.name, nargs=nargs, help=param.description)
        action.set_defaults(func=_run, command=command)


def _raw(command: Command, args: argparse.Namespace) -> dict[str, str]:
    """The given values by parameter name (a multi-word reason joined back into one)."""
    raw: dict[str, str] = {}
    for param in command.params:
        value = getattr(args, param.name, None)
        if isinstance(value, list):
            value = " ".join(value)
        if value:
            raw[param.name] = value
    return raw


def _run(args: argparse.Namespace) -> int:
    command: Command = args.command

    async def body(settings: Settings) -> int:
        from bot.adapters.console import render
        from bot.wiring import build_app

        quiet_logs(settings)
        app = await build_app(settings)
        try:
            reply = await app.dispatcher.dispatch(command.name, _raw(command, args), OPERATOR, PRIVATE)
        finally:
            await app.db.close()
        print(render(reply), file=sys.stderr if reply.is_error else sys.stdout)
        return 1 if reply.is_error else 0

    return with_settings(body)
