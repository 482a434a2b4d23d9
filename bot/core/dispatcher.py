"""The dispatcher: validates params, checks who may run a command, rate-limits, runs, classifies errors."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.core import arguments
from bot.core.declarations import Command
from bot.core.errors import BadArgument, NotAllowed, RateLimited, classify
from bot.core.model import Actor, Button, Invocation, Place, Reply
from bot.core.ratelimit import RateLimiter

if TYPE_CHECKING:
    from bot.core.app import App

log = logging.getLogger(__name__)

COMMANDS_PER_MINUTE = 30


class Dispatcher:
    """Runs commands from any front end and always returns a Reply."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.registry = app.registry
        self._limiter = RateLimiter(app.clock, COMMANDS_PER_MINUTE, timedelta(minutes=1))

    async def dispatch_line(self, line: str, actor: Actor, place: Place) -> Reply:
        """Run a typed line such as `/help report`; a line without a slash is a question."""
        text = line.strip()
        if not text.startswith("/"):
            return await self.ask(text, actor, place)
        name, _, rest = text[1:].partition(" ")
        name = name.split("@", 1)[0].lower()
        command = self.registry.get(name)
        if command is None:
            return self.unknown_command(name)
        try:
            raw = arguments.parse_line(command, rest)
        except BadArgument as exc:
            return classify(exc, name)
        return await self.dispatch(name, raw, actor, place)

    async def dispatch(self, name: str, raw: Mapping[str, Any], actor: Actor, place: Place) -> Reply:
        """Run a command by name with raw (unconverted) argument values."""
        command = self.registry.get(name)
        if command is None:
            return self.unknown_command(name)
        refused = self._admit(actor, "commands")
        if refused is not None:
            return refused
        try:
            await self._check_access(command, actor, place)
            params, prompt = self._convert(command, raw)
            if prompt is not None:
                return prompt
            invocation = Invocation(name, params, actor, place, self.app.clock.now(), self.app)
            return await command.handler(invocation, **params)
        except Exception as exc:  # the one place every handler error is turned into a reply
            return classify(exc, name)

    async def ask(self, text: str, actor: Actor, place: Place) -> Reply:
        """Answer a plain-language message through the core's question handler."""
        from bot.core import questions

        refused = self._admit(actor, "messages")
        if refused is not None:
            return refused
        invocation = Invocation("", {"text": text}, actor, place, self.app.clock.now(), self.app)
        try:
            return await questions.answer(invocation, text)
        except Exception as exc:
            return classify(exc, "question")

    def unknown_command(self, name: str) -> Reply:
        """The reply to a command that does not exist, with suggestions."""
        suggestions = self.registry.suggest(name)
        text = f"Unknown command /{name}."
        if suggestions:
            text += " Did you mean " + " or ".join(f"/{s}" for s in suggestions) + "?"
        return Reply(
            title="Unknown command",
            blocks=[text, "Type /help to see every command."],
            buttons=[Button(f"/{s}", "help", {"command": s}) for s in suggestions],
            ephemeral=True,
            is_error=True,
        )

    def _admit(self, actor: Actor, what: str) -> Reply | None:
        """The per-person limit, checked before anything else (and before any platform call): None if admitted,
        else the "slow down" reply, marked as a repeat after the first one since the person was last admitted."""
        key = f"{actor.platform}:{actor.user_id}"
        wait = self._limiter.hit(key)
        if wait is None:
            return None
        reply = classify(RateLimited(f"You're sending {what} very fast. Try again in {wait:.0f} seconds."))
        reply.repeat_notice = not self._limiter.first_refusal(key)
        return reply

    async def _check_access(self, command: Command, actor: Actor, place: Place) -> None:
        if command.needs_community and place.is_private:
            raise NotAllowed(
                f"/{command.name} works in a community (a server channel or group), not in a private chat.",
                hint="Run it in the group or server you moderate.",
            )
        if command.is_moderator_only and not await actor.moderates():
            raise NotAllowed(f"/{command.name} is for moderators of this community.")

    def _convert(self, command: Command, raw: Mapping[str, Any]) -> tuple[dict[str, Any], Reply | None]:
        """Convert every given value; a missing choice is offered as buttons, other gaps are errors."""
        unknown = set(raw) - {p.name for p in command.params}
        if unknown:
            raise BadArgument(
                f"/{command.name} has no parameter {', '.join(sorted(unknown))}.",
                hint=f"Usage: {arguments.usage(command)}",
            )
        params: dict[str, Any] = {}
        for param in command.params:
            value = raw.get(param.name)
            if value is None or value == "":
                if param.required:
                    if param.choices:
                        return params, self._choice_prompt(command, param, raw)
                    raise BadArgument(
                        f"/{command.name} needs {param.name}: {param.description}",
                        hint=f"Usage: {arguments.usage(command)}\nExample: {arguments.example(command)}",
                    )
                continue
            params[param.name] = arguments.convert(command, param, value)
        return params, None

    def _choice_prompt(self, command: Command, param, raw: Mapping[str, Any]) -> Reply:
        given = {k: str(v) for k, v in raw.items() if v not in (None, "")}
        return Reply(
            title=f"/{command.name}: choose {param.name}",
            blocks=[param.description],
            buttons=[Button(c.display, command.name, {**given, param.name: c.value}) for c in param.choices],
            ephemeral=True,
        )
