"""The dispatcher: validates params, checks who may run a command, rate-limits, runs, classifies errors."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.core import arguments, i18n
from bot.core.declarations import Command
from bot.core.errors import BadArgument, NotAllowed, RateLimited, UserError, classify, shorten
from bot.core.i18n import _
from bot.core.metrics import Metrics
from bot.core.model import Actor, Button, Invocation, Place, Reply
from bot.core.ratelimit import RateLimiter

log = logging.getLogger(__name__)

COMMANDS_PER_MINUTE = 30

# Answers a plain-language message (one without a leading slash).
QuestionHandler = Callable[[Invocation, str], Awaitable[Reply]]
# The locale of a reply to this person in this place (bot/features/languages.py wires the chain in).
LocaleResolver = Callable[[Actor, Place], Awaitable[str]]


class Dispatcher:
    """Runs commands from any front end and always returns a Reply."""

    def __init__(self, app: Any, ask: QuestionHandler, operators: Collection[str] = (),
                 metrics: Metrics | None = None, locale_of: LocaleResolver | None = None) -> None:
        self.app = app
        self.metrics = metrics or Metrics()
        self._locale_of = locale_of
        self.registry = app.registry
        self._ask = ask
        self._limiter = RateLimiter(app.clock, COMMANDS_PER_MINUTE, timedelta(minutes=1))
        self._operators = frozenset(operators)  # "telegram:<user id>", "discord:<user id>"

    def identify(self, actor: Actor) -> Actor:
        """The actor with is_operator set when they are on the operator list: the one place it is decided.

        A caller inside the process (the `queuewatch mod` command line) may pass an operator already.
        """
        if actor.is_operator or f"{actor.platform}:{actor.user_id}" not in self._operators:
            return actor
        return replace(actor, is_operator=True)

    async def dispatch_line(self, line: str, actor: Actor, place: Place) -> Reply:
        """Run a typed line such as `/help report`; a line without a slash is a question."""
        text = arguments.readable(line).strip()
        if not text.startswith("/"):
            return await self.ask(text, actor, place)
        name, *rest_of_line = text[1:].split(maxsplit=1) or [""]
        rest = rest_of_line[0] if rest_of_line else ""
        name = name.split("@", 1)[0].lower()
        command = self.registry.get(name)
        if command is None:
            await self.localise(actor, place)
            return self.unknown_command(name)
        try:
            raw = arguments.parse_line(command, rest)
        except BadArgument as exc:
            await self.localise(actor, place)
            return _declared_privacy(command, classify(exc, name))
        return await self.dispatch(name, raw, actor, place)

    async def localise(self, actor: Actor, place: Place) -> str:
        """Set the locale of the replies built from here on in this task: the wired chain, else the platform's."""
        i18n.set_locale(actor.locale)
        if self._locale_of is not None:
            try:
                i18n.set_locale(await self._locale_of(actor, place))
            except Exception:  # a language is never worth failing a reply for
                log.exception("could not look up the reply language; using the platform's")
        return i18n.current()

    async def dispatch(self, name: str, raw: Mapping[str, Any], actor: Actor, place: Place) -> Reply:
        """Run a command by name with raw (unconverted) argument values."""
        started = time.perf_counter()
        command = self.registry.get(name)
        if command is None:
            await self.localise(actor, place)
            self.metrics.command_done("unknown", "unknown_command", time.perf_counter() - started)
            return self.unknown_command(name)
        reply, outcome = await self._run(command, name, raw, actor, place)
        self.metrics.command_done(name, outcome, time.perf_counter() - started)
        return reply

    async def _run(self, command: Command, name: str, raw: Mapping[str, Any], actor: Actor,
                   place: Place) -> tuple[Reply, str]:
        """The reply to a known command, and its outcome for the metrics (ok, refused, bad_input, failed)."""
        raw = {key: arguments.readable(value) if isinstance(value, str) else value for key, value in raw.items()}
        actor = self.identify(actor)
        i18n.set_locale(actor.locale)  # "slow down" costs no lookup
        refused = self._admit(actor, "commands")
        if refused is not None:
            return refused, "refused"
        await self.localise(actor, place)
        try:
            await self._check_access(command, actor, place)
        except NotAllowed as exc:  # says only who may run it; the asker may have no private chat with the bot
            return classify(exc, name), "refused"
        outcome = "ok"
        try:
            params, prompt = self._convert(command, raw)
            if prompt is not None:
                # Only the declared choices: it stays where it was asked, where its buttons can run the command.
                return prompt, outcome
            invocation = Invocation(name, params, actor, place, self.app.clock.now(), self.app)
            reply = await command.handler(invocation, **params)
        except Exception as exc:  # the one place every handler error is turned into a reply
            reply, outcome = classify(exc, name), "bad_input" if isinstance(exc, UserError) else "failed"
        return _declared_privacy(command, reply), outcome

    async def ask(self, text: str, actor: Actor, place: Place) -> Reply:
        """Answer a plain-language message through the question handler the app was wired with."""
        started = time.perf_counter()
        text = arguments.readable(text)
        actor = self.identify(actor)
        i18n.set_locale(actor.locale)
        refused = self._admit(actor, "messages")
        if refused is not None:
            self.metrics.command_done("question", "refused", time.perf_counter() - started)
            return refused
        await self.localise(actor, place)
        invocation = Invocation("", {"text": text}, actor, place, self.app.clock.now(), self.app)
        outcome = "ok"
        try:
            reply = await self._ask(invocation, text)
        except Exception as exc:
            reply, outcome = classify(exc, "question"), "bad_input" if isinstance(exc, UserError) else "failed"
        self.metrics.command_done("question", outcome, time.perf_counter() - started)
        return reply

    def unknown_command(self, name: str) -> Reply:
        """The reply to a command that does not exist, with suggestions."""
        suggestions = self.registry.suggest(name)
        text = _("Unknown command /{name}.").format(name=shorten(name))
        if suggestions:
            text += " " + _("Did you mean {commands}?").format(
                commands=_(" or ").join(f"/{s}" for s in suggestions))
        return Reply(
            title=_("Unknown command"),
            blocks=[text, _("Type /help to see every command.")],
            buttons=[Button(f"/{s}", "help", {"command": s}) for s in suggestions],
            ephemeral=True,
            is_error=True,
        )

    def _admit(self, actor: Actor, what: str) -> Reply | None:
        """The per-person limit, checked before anything else (and before any platform call): None if admitted,
        else the "slow down" reply, marked as a repeat after the first one since the person was last admitted.
        Piped console input (`rate_limited` False) is never limited."""
        if not actor.rate_limited:
            return None
        key = f"{actor.platform}:{actor.user_id}"
        wait = self._limiter.hit(key)
        if wait is None:
            return None
        text = (_("You're sending commands very fast. Try again in {seconds} seconds.") if what == "commands" else
                _("You're sending messages very fast. Try again in {seconds} seconds."))
        reply = classify(RateLimited(text.format(seconds=f"{wait:.0f}")))
        reply.repeat_notice = not self._limiter.first_refusal(key)
        return reply

    async def _check_access(self, command: Command, actor: Actor, place: Place) -> None:
        if command.lets_operator(actor, place):
            return
        if command.needs_community and place.is_private:
            raise NotAllowed(
                _("/{command} works in a community (a server channel or group), not in a private chat.").format(
                    command=command.name),
                hint=_("Run it in the group or server you moderate."),
            )
        if command.is_moderator_only and not await actor.moderates():
            raise NotAllowed(_("/{command} is for moderators of this community.").format(command=command.name))

    def _convert(self, command: Command, raw: Mapping[str, Any]) -> tuple[dict[str, Any], Reply | None]:
        """Convert every given value; a missing choice is offered as buttons, other gaps are errors."""
        unknown = set(raw) - {p.name for p in command.params}
        if unknown:
            raise BadArgument(
                _("/{command} has no parameter {name}.").format(command=command.name,
                                                               name=shorten(", ".join(sorted(unknown)))),
                hint=_("Usage: {usage}").format(usage=arguments.usage(command)),
            )
        params: dict[str, Any] = {}
        for param in command.params:
            value = raw.get(param.name)
            if value is None or (isinstance(value, str) and not value.strip()):
                if param.required:
                    if param.choices:
                        return params, self._choice_prompt(command, param, raw)
                    raise BadArgument(
                        _("/{command} needs {param}: {description}").format(
                            command=command.name, param=param.name, description=_(param.description)),
                        hint=_("Usage: {usage}").format(usage=arguments.usage(command)) + "\n"
                        + _("Example: {example}").format(example=arguments.example(command)),
                    )
                continue
            params[param.name] = arguments.convert(command, param, value)
        return params, None

    def _choice_prompt(self, command: Command, param, raw: Mapping[str, Any]) -> Reply:
        given = {k: str(v) for k, v in raw.items() if v is not None and str(v).strip()}
        return Reply(
            title=_("/{command}: choose {param}").format(command=command.name, param=param.name),
            blocks=[_(param.description)],
            # The given arguments are what the member typed (a note, a reason): only they may press these.
            buttons=[Button(_(c.display), command.name, {**given, param.name: c.value}, personal=bool(given))
                     for c in param.choices],
            ephemeral=True,
        )


def _declared_privacy(command: Command, reply: Reply) -> Reply:
    """Mark the reply private when the command's replies are (errors too: "already hidden (reason: ...)" is a
    moderator's business); the one place this is decided."""
    if command.replies_privately:
        reply.private = reply.ephemeral = True
    return reply
