"""The `queuewatch` command line: run, console, migrate and the operator tools."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot import __version__
from bot.cli import aggregates, basic, copy, digest, export, kb, keys, mod

# Each module adds its subcommands; a subcommand's `func(args) -> int` is the exit status.
SUBCOMMAND_MODULES = (basic, digest, kb, export, mod, keys, aggregates, copy)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="queuewatch",
        description="queuewatch: a community bot for AI-training gig workers (Discord, Telegram, console).",
    )
    parser.add_argument("--version", action="version", version=f"queuewatch {__version__}")
    subparsers = parser.add_subparsers(dest="subcommand", metavar="COMMAND")
    for module in SUBCOMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
