"""/help: every command with its one-line description, or one command in detail."""

from __future__ import annotations

from bot.core import arguments
from bot.core.declarations import Access, Command, Param
from bot.core.errors import NotFound, shorten
from bot.core.i18n import N_, _
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
        hint = _("Did you mean {commands}?").format(
            commands=_(" or ").join(f"/{s}" for s in suggestions)) if suggestions else None
        raise NotFound(
            _("There is no command called /{name}.").format(name=shorten(name)),
            hint=hint or _("Type /help to see every command."),
            buttons=[Button(f"/{s}", "help", {"command": s}) for s in suggestions],
        )
    return _detail(declared)


def _overview(inv: Invocation) -> Reply:
    registry = inv.app.registry
    member = "\n".join(f"/{c.name} — {_(c.description)}" for c in registry.visible(Access.MEMBER))
    blocks = [member]
    moderator = registry.visible(Access.MODERATOR)
    if moderator:
        blocks.append(_("For moderators:") + "\n" + "\n".join(f"/{c.name} — {_(c.description)}" for c in moderator))
    blocks.append(_("Type /help <command> for details, e.g. /help about."))
    return Reply(title=_("queuewatch commands"), blocks=blocks)


def _detail(command: Command) -> Reply:
    blocks = [_(command.description)]
    if command.help:
        blocks.append(_(command.help))
    fields = [Field(_("Usage"), arguments.usage(command))]
    for param in command.params:
        text = _(param.description) + ("" if param.required else " " + _("(optional)"))
        if param.choices:
            text += "\n" + _("One of:") + " " + ", ".join(choice.value for choice in param.choices)
        fields.append(Field(param.name, text))
    examples = command.examples or (arguments.example(command),)
    fields.append(Field(_("Example") if len(examples) == 1 else _("Examples"), "\n".join(examples)))
    if command.is_moderator_only:
        fields.append(Field(_("Who"), _("Moderators only")))
    return Reply(title=f"/{command.name}", blocks=blocks, fields=fields)


COMMANDS = (
    Command(
        name="help",
        description=N_("Every command, or how to use one"),
        handler=help_command,
        params=(Param("command", N_("The command to explain, e.g. report"), required=False, example="about"),),
        examples=("/help", "/help about"),
    ),
)
