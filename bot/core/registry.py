"""The set of declared commands, checked once when it is built."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rapidfuzz import process

from bot.core.declarations import Access, Command, check_command


class RegistryError(ValueError):
    """A declaration is invalid (a programming error, caught by the tests and at start)."""


class Registry:
    """Commands by name, in declaration order."""

    def __init__(self, commands: Iterable[Command] = ()) -> None:
        self._commands: dict[str, Command] = {}
        for command in commands:
            self.add(command)

    def add(self, command: Command) -> None:
        """Add a command, refusing an invalid declaration or a duplicate name."""
        problems = check_command(command)
        if command.name in self._commands:
            problems.append(f"/{command.name}: declared twice")
        if problems:
            raise RegistryError("; ".join(problems))
        self._commands[command.name] = command

    def get(self, name: str) -> Command | None:
        """The command with that name, or None."""
        return self._commands.get(name)

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands.values())

    def __len__(self) -> int:
        return len(self._commands)

    def visible(self, access: Access | None = None) -> list[Command]:
        """Commands shown in help and menus, optionally only those of one access level."""
        return [c for c in self if not c.hidden and (access is None or c.access is access)]

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Names close to a mistyped one, best first; the nearest one even when none is close."""
        names = [c.name for c in self.visible()]
        matches = process.extract(name.lower(), names, limit=limit, score_cutoff=60)
        if not matches:
            matches = process.extract(name.lower(), names, limit=1)
        return [match for match, _score, _index in matches]
