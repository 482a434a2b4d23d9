"""The console chat: try every command locally, interactively or piped."""

from bot.adapters.console.adapter import ConsoleAdapter, render

__all__ = ["ConsoleAdapter", "render"]
