"""Platform-neutral commands. Each module declares its commands once in a module-level COMMANDS tuple."""

from __future__ import annotations

import importlib
import pkgutil

from bot.core.declarations import Command
from bot.core.registry import Registry


def all_commands() -> list[Command]:
    """Every command declared in this package, modules in alphabetical order (help first)."""
    found: list[Command] = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: (m.name != "help", m.name)):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        found.extend(getattr(module, "COMMANDS", ()))
    return found


def load_registry() -> Registry:
    """The registry of every declared command."""
    return Registry(all_commands())
