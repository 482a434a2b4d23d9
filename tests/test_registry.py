"""Every declared command is valid for both platforms; the core never imports a platform library."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.core.declarations import MAX_CHOICES, NAME_PATTERN, Command, Param
from bot.core.registry import Registry, RegistryError
from bot.wiring import all_commands

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = all_commands()


def test_names_are_valid_on_discord_and_telegram() -> None:
    assert COMMANDS, "no commands were found"
    for command in COMMANDS:
        assert NAME_PATTERN.match(command.name), command.name
        for param in command.params:
            assert NAME_PATTERN.match(param.name), f"/{command.name} {param.name}"


def test_names_are_unique() -> None:
    names = [command.name for command in COMMANDS]
    assert len(names) == len(set(names))


def test_descriptions_fit_in_100_characters() -> None:
    for command in COMMANDS:
        assert 0 < len(command.description) <= 100, command.name
        for param in command.params:
            assert 0 < len(param.description) <= 100, f"/{command.name} {param.name}"


def test_no_parameter_has_more_than_25_choices() -> None:
    for command in COMMANDS:
        for param in command.params:
            assert len(param.choices) <= MAX_CHOICES, f"/{command.name} {param.name}"


def test_every_handler_has_a_docstring() -> None:
    for command in COMMANDS:
        assert command.handler.__doc__, f"/{command.name} handler has no docstring"


async def _noop(inv):
    """Do nothing."""


@pytest.mark.parametrize(
    "command, problem",
    [
        (Command("Bad-Name", "x", _noop), "name must match"),
        (Command("ok", "x" * 101, _noop), "description"),
        (Command("ok", "x", _noop, params=(Param("a", "x", required=False), Param("b", "x"))), "required parameter"),
        (Command("ok", "x", _noop, params=(Param("a", "x"), Param("a", "y"))), "duplicate"),
    ],
)
def test_registry_refuses_invalid_declarations(command: Command, problem: str) -> None:
    with pytest.raises(RegistryError, match=problem):
        Registry([command])


def test_registry_refuses_a_duplicate_name() -> None:
    with pytest.raises(RegistryError, match="declared twice"):
        Registry([Command("ok", "x", _noop), Command("ok", "y", _noop)])


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_core_commands_and_storage_never_import_a_platform_library() -> None:
    offenders = []
    for folder in ("commands", "bot/core", "storage"):
        for path in (ROOT / folder).rglob("*.py"):
            banned = _imported_modules(path) & {"discord", "telegram"}
            if banned:
                offenders.append(f"{path.relative_to(ROOT)} imports {', '.join(sorted(banned))}")
    assert not offenders, offenders


def test_the_import_walker_finds_a_platform_import(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("import os\nfrom telegram.ext import Application\nimport discord.ui\n")
    assert {"telegram", "discord"} <= _imported_modules(sample)
