"""Replies to a Telegram group: one message at a time, and identical replies waiting together sent once.

Telegram lets a bot post about 20 messages a minute in a group (the rate limiter holds each message until
the group's budget allows it). When many members ask the same thing at once (24 people typing
`/status outlier` after a drought rumour), answering each on its own spends the whole budget and keeps the
last ones waiting a minute or more for an answer the others already have. So each group's replies go out
one message at a time, and while one is on its way the next ones gather; in a busy group (BURST messages
in the last BUSY seconds) the next message also waits until GATHER seconds after the last. Replies with
the same content are then sent as one message that answers the first asker's message and names everyone
it answers. The group sees a few messages instead of 24, and nobody waits for a minute; a group that is
not busy gets every reply at once.

Why one combined answer rather than private answers once the budget is spent: Telegram lets a bot write
to someone privately only after they have started a chat with it, which most group members never do; the
answer would fail for them and still need a group message (the start link). A combined answer reaches
everyone, in the place they asked, and keeps the group quiet.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")

MAX_TRACKED_GROUPS = 10_000
BURST, BUSY = 3, 10.0  # a group that got this many messages in this many seconds is busy ...
GATHER = 0.5  # ... and then gets at most one message every this many seconds; replies meanwhile are combined


@dataclass
class _Waiting(Generic[T]):
    content: Hashable  # replies with equal content go out as one message
    item: T
    hook: Callable[[], Awaitable[None]] | None  # the asker's before-send hook (see ratelimit.before_send)
    done: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class GroupReplies(Generic[T]):
    """Per group, a queue of replies; `send(chat, items)` is called with every item of one content at once."""

    def __init__(self, send: Callable[[int, list[T]], Awaitable[None]],
                 hook_var: ContextVar[Callable[[], Awaitable[None]] | None], gather: float = GATHER) -> None:
        self._send = send
        self._hook_var = hook_var
        self._gather = gather
        self._recent: dict[int, deque[float]] = {}  # chat id -> when its last BURST messages went out
        self._queues: dict[int, list[_Waiting[T]]] = {}
        self._senders: dict[int, asyncio.Task[None]] = {}

    async def send(self, chat_id: int, content: Hashable, item: T) -> None:
        """Queue a reply for the group and return once the message carrying it is sent (or raise why not)."""
        waiting = _Waiting(content, item, self._hook_var.get())
        self._queues.setdefault(chat_id, []).append(waiting)
        if chat_id not in self._senders:
            self._senders[chat_id] = asyncio.create_task(self._drain(chat_id), name=f"telegram-group-{chat_id}")
        await asyncio.shield(waiting.done)

    async def close(self) -> None:
        """Stop sending (at shutdown, once the updates in hand had their time; what is left waits for the next run)."""
        senders = list(self._senders.values())
        for task in senders:
            task.cancel()
        await asyncio.gather(*senders, return_exceptions=True)

    async def _drain(self, chat_id: int) -> None:
        queue = self._queues[chat_id]
        batch: list[_Waiting[T]] = []
        try:
            while queue:
                await asyncio.sleep(self._wait(chat_id))
                content = queue[0].content
                batch = [w for w in queue if w.content == content]
                queue[:] = [w for w in queue if w.content != content]
                self._hook_var.set(_all_hooks(batch))
                try:
                    await self._send(chat_id, [w.item for w in batch])
                except Exception as exc:
                    _settle(batch, exc)
                else:
                    _settle(batch, None)
                self._recent.setdefault(chat_id, deque(maxlen=BURST)).append(time.monotonic())
        except asyncio.CancelledError:
            _settle(batch + queue, None, cancelled=True)
            queue.clear()
            raise
        finally:
            del self._senders[chat_id]
            if not queue:
                del self._queues[chat_id]
            if len(self._recent) > MAX_TRACKED_GROUPS:
                cutoff = time.monotonic() - BUSY
                self._recent = {k: v for k, v in self._recent.items() if v[-1] > cutoff}

    def _wait(self, chat_id: int) -> float:
        """Seconds before the group's next message: none unless the group is busy."""
        recent = self._recent.get(chat_id)
        now = time.monotonic()
        if recent is None or len(recent) < BURST or now - recent[0] > BUSY:
            return 0.0
        return max(0.0, recent[-1] + self._gather - now)


def _all_hooks(batch: list[_Waiting[Any]]) -> Callable[[], Awaitable[None]] | None:
    hooks = [w.hook for w in batch if w.hook is not None]
    if not hooks:
        return None

    async def run_all() -> None:
        for hook in hooks:
            await hook()

    return run_all


def _settle(batch: list[_Waiting[Any]], error: BaseException | None, cancelled: bool = False) -> None:
    for waiting in batch:
        if waiting.done.done():
            continue
        if cancelled:
            waiting.done.cancel()
        elif error is None:
            waiting.done.set_result(None)
        else:
            waiting.done.set_exception(error)
            waiting.done.exception()  # retrieved: an asker who gave up must not leave a warning behind
