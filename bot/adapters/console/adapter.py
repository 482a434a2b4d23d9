"""Reads lines from standard input, runs them, prints replies as plain text."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from typing import TextIO

from bot.adapters.console.lines import TooLong, read_lines
from bot.core.delivery import Destination, PartSent
from bot.core.i18n import _
from bot.core.model import Actor, Button, Place, Platform, Reply
from bot.wiring import App

CONSOLE_COMMUNITY = "local"


def render(reply: Reply, buttons_from: int = 1) -> str:
    """A reply as plain text, with buttons as numbered options."""
    text = reply.plain_text()
    if reply.buttons:
        options = "\n".join(f"  [{n}] {b.label}" for n, b in enumerate(reply.buttons, start=buttons_from))
        text += "\n\n" + _("Type a number to choose:") + "\n" + options
    return text


class ConsoleAdapter:
    """The console front end: one user, one community, standard input and output."""

    name = "console"

    def __init__(
        self,
        app: App,
        stop: asyncio.Event,
        user: str = "you",
        moderator: bool = False,
        community: str | None = CONSOLE_COMMUNITY,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        locale: str | None = None,
    ) -> None:
        self.app = app
        self._stop = stop
        self._stdin = stdin or sys.stdin
        self._stdout = stdout or sys.stdout
        self._interactive = self._stdin.isatty()
        # Piped input is the operator's own script: the per-person limit is for people typing.
        self.actor = Actor(Platform.CONSOLE, user, user, is_moderator=moderator, rate_limited=self._interactive,
                           locale=locale)
        self.place = Place(Platform.CONSOLE, community, community, is_private=community is None)
        self._buttons: list[Button] = []
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        """Greet and begin reading lines."""
        if self._interactive:
            self._print(
                f"queuewatch console: you are {self.actor.display_name}"
                f"{' (moderator)' if self.actor.is_moderator else ''} in "
                f"{'a private chat' if self.place.is_private else 'community ' + str(self.place.community_id)}."
                "\nType /help to see every command, or ask a question. Ctrl-D to quit.\n"
            )
        self.app.senders[Platform.CONSOLE] = self  # digests and alerts are printed here
        self._task = asyncio.create_task(self._loop())

    @property
    def connected(self) -> bool:
        """True while lines are read (for /healthz and /metrics)."""
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        """Stop reading."""
        if self._task and not self._task.done():
            self._task.cancel()

    async def send(self, destination: Destination, reply: Reply, first_part: int = 0,
                   part_sent: PartSent | None = None) -> None:
        """Deliver a digest or alert from the outbox by printing it (one part)."""
        if first_part > 0:
            return
        self._print(f"[to {destination.kind} {destination.id}] {render(reply)}\n")
        if part_sent is not None:
            await part_sent(1)

    async def handle(self, line: str) -> str | None:
        """Run one line (a command, a button number or a question) and return the rendered reply."""
        line = line.strip()
        if not line:
            return None
        if line.isdigit() and self._buttons:
            index = int(line) - 1
            if not 0 <= index < len(self._buttons):
                return f"Choose a number from 1 to {len(self._buttons)}."
            button = self._buttons[index]
            reply = await self.app.dispatcher.dispatch(button.command, button.args, self.actor, self.place)
        else:
            reply = await self.app.dispatcher.dispatch_line(line, self.actor, self.place)
        self._buttons = list(reply.buttons)
        return render(reply)

    async def _loop(self) -> None:
        lines: asyncio.Queue[str | TooLong | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def put(item: str | TooLong | None) -> None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: the console is shutting down
                loop.call_soon_threadsafe(lines.put_nowait, item)

        def read() -> None:  # a daemon thread, so a blocked read never holds up shutdown
            try:
                for line in read_lines(self._stdin):
                    put(line)
            finally:
                put(None)

        threading.Thread(target=read, name="console-stdin", daemon=True).start()
        try:
            while True:
                self._prompt()
                raw = await lines.get()
                if raw is None:
                    break
                output = raw.refusal() if isinstance(raw, TooLong) else await self.handle(raw)
                if output:
                    self._print(output + "\n")
        finally:
            self._stop.set()

    def _prompt(self) -> None:
        if self._interactive:
            self._stdout.write("> ")
            self._stdout.flush()

    def _print(self, text: str) -> None:
        self._stdout.write(text + "\n")
        self._stdout.flush()
