"""/help: every command with its one-line description, or one command in detail."""

from __future__ import annotations

from bot.core import arguments
from bot.core.declarations import Access, Command, Param
from bot.core.errors import NotFound, shorten
from bot.core.model import Button, Field, Invocation, Reply


async def help_command(inv: Invocation, command: str | None = None) -> Reply:
    """List every command, or explain one."""
    registry = inv.app.registry
    if command is None:
        return _overview(inv)
    name = command.strip().lstrip("/").lower()
    declared = registry.get(name)
    if declared is None or declared.hidden:
        suggestions = registry.suggest(name)
        hint = ("Did you mean " + " or ".join(f"/{s}" for s in suggestions) + "?") if suggestions else None
        raise NotFound(
            f"There is no command called /{shorten(name)}.",
            hint=hint or "Type /help to see every command.",
            buttons=[Button(f"/{s}", "help", {"command": s}) for s in suggestions],
        )
    return _detail(declared)


def _overview(inv: Invocation) -> Reply:
    registry = inv.app.registry
    member = "\n".join(f"/{c.name} — {c.description}" for c in registry.visible(Access.MEMBER))
    blocks = [member]
    moderator = registry.visible(Access.MODERATOR)
    if moderator:
        blocks.append("For moderators:\n" + "\n".join(f"/{c.name} — {c.description}" for c in moderator))
    blocks.append("Type /help <command> for details, e.g. /help about.")
    return Reply(title="queuewatch commands", blocks=blocks)


def _detail(command: Command) -> Reply:
    blocks = [command.description]
    if command.help:
        blocks.append(command.help)
    fields = [Field("Usage", arguments.usage(command))]
    for param in command.params:
        text = param.description + ("" if param.required else " (optional)")
        if param.choices:
            text += "\nOne of: " + ", ".join(choice.value for choice in param.choices)
        fields.append(Field(param.name, text))
    examples = command.examples or (arguments.example(command),)
    fields.append(Field("Example" if len(examples) == 1 else "Examples", "\n".join(examples)))
    if command.is_moderator_only:
        fields.append(Field("Who", "Moderators only"))
    return Reply(title=f"/{command.name}", blocks=blocks, fields=fields)


COMMANDS = (
    Command(
        name="help",
        description="Every command, or how to use one",
        handler=help_command,
        params=(Param("command", "The command to explain, e.g. report", required=False, example="about"),),
        examples=("/help", "/help about"),
    ),
)
