"""Telegram updates kept in the database from the moment they are fetched until they are answered.

Every update is stored (one transaction per batch) before Telegram is told it arrived, handled from here,
and marked done once answered; a run that dies leaves its unfinished updates for the next one, which
handles them before anything new. A repeated update id is ignored, so nothing is answered twice because
Telegram (or a webhook) delivered it twice. One exception is unavoidable: a reply that was on its way when
the process died may have arrived or not; such an update is answered again, once, and counted in the log.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from bot.adapters.telegram.ratelimit import before_send
from bot.core.clock import unix
from bot.wiring import App
from storage import inbox as store

log = logging.getLogger(__name__)

PLATFORM = "telegram"
# Updates worked on at once until their reply is ready (waiting for a chat's send limit takes no slot): across
# all chats few, so the database queue stays short and an answered update is marked done a moment after its
# reply went out; in one chat fewer, so one busy chat (or one member's flood) cannot take every slot.
WORKING = 8
PER_CHAT = 2
KEEP_FINISHED = timedelta(days=1)  # finished update ids are kept this long to recognise repeats
PRUNE_EVERY = timedelta(hours=1)
MAX_ATTEMPTS = 3  # an update whose handling was cut short this often (the process died) is given up
MAX_UNCERTAIN_ATTEMPTS = 2  # a reply that may have arrived is sent again at most once


class _Lane:
    """One chat's working slots, and how many of its updates are in hand."""

    def __init__(self, size: int) -> None:
        self.slots = asyncio.Semaphore(size)
        self.users = 0


class _Slot:
    """A working slot in the update's chat and overall, held from the start of handling until its reply is
    ready (or handling ends)."""

    def __init__(self, lane: _Lane, overall: asyncio.Semaphore) -> None:
        self._lane = lane
        self._overall = overall
        self._held = False

    async def take(self) -> None:
        await self._lane.slots.acquire()
        try:
            await self._overall.acquire()
        except BaseException:
            self._lane.slots.release()
            raise
        self._held = True

    def give_back(self) -> None:
        if self._held:
            self._held = False
            self._overall.release()
            self._lane.slots.release()


_working: ContextVar[_Slot | None] = ContextVar("telegram_working_slot", default=None)


def reply_ready() -> None:
    """Called by the adapter when an update's reply is ready to send: its working slot goes to the next one."""
    slot = _working.get()
    if slot is not None:
        slot.give_back()


class Inbox:
    """Stores updates, hands each to `handle` (WORKING at once, PER_CHAT of them in one chat), marks it done."""

    def __init__(self, app: App, handle: Callable[[dict[str, Any]], Awaitable[None]], per_chat: int = PER_CHAT,
                 working: int = WORKING) -> None:
        self._db = app.db
        self._clock = app.clock
        self._handle = handle
        self._per_chat = per_chat
        self._working = asyncio.Semaphore(working)
        self._lanes: dict[Hashable, _Lane] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._pruned_at: int | None = None

    async def accept(self, updates: Sequence[Mapping[str, Any]]) -> int:
        """Store raw updates (a getUpdates batch, or the one update of a webhook POST) in one transaction and
        start handling the new ones; returns how many were new. Raises when they could not be stored, and then
        they must not be acknowledged."""
        if not updates:
            return 0
        now = unix(self._clock.now())
        payloads = [(int(u["update_id"]), json.dumps(u, ensure_ascii=False)) for u in updates]
        new = set(await store.accept(self._db, PLATFORM, payloads, now))
        for update in updates:
            if int(update["update_id"]) in new:
                self._start(int(update["update_id"]), dict(update))
        await self._prune_now_and_then(now)
        return len(new)

    async def resume(self, received_before: int | None = None) -> None:
        """Start handling what a previous run stored but did not finish (received before `received_before`, when
        given), oldest first."""
        rows = await store.unfinished(self._db, PLATFORM, received_before)
        again = uncertain = 0
        for row in rows:
            if row.attempts >= MAX_ATTEMPTS or (row.state == "replying" and row.attempts >= MAX_UNCERTAIN_ATTEMPTS):
                log.warning("telegram: giving up update %s after %s attempts cut short", row.update_id, row.attempts)
                await store.finish(self._db, PLATFORM, row.update_id, unix(self._clock.now()), state="dropped")
                continue
            again += 1
            uncertain += row.state == "replying"
            self._start(row.update_id, json.loads(row.payload))
        if again:
            log.info("telegram: answering %d updates left unfinished by the last run (%d of them were being "
                     "answered, so a member may get that answer twice)", again, uncertain)
        await self._prune_now_and_then(unix(self._clock.now()))

    async def close(self, timeout: float) -> None:
        """Let the updates in hand finish for up to `timeout` seconds; the rest stay for the next run."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
                log.info("telegram: %d updates left for the next run", len(pending))

    @property
    def busy(self) -> int:
        """How many updates are being handled or wait for a slot."""
        return len(self._tasks)

    def _start(self, update_id: int, raw: dict[str, Any]) -> None:
        task = asyncio.create_task(self._run(update_id, raw), name=f"telegram-update-{update_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, update_id: int, raw: dict[str, Any]) -> None:
        key = _chat_of(raw)
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = _Lane(self._per_chat)
        lane.users += 1
        slot = _Slot(lane, self._working)
        try:
            await slot.take()
            tokens = _working.set(slot), before_send.set(self._replying_marker(update_id))
            try:
                await self._record(store.started(self._db, PLATFORM, update_id))
                await self._handle(raw)
            except Exception:  # the handler answers every failure itself; this is a last resort
                log.exception("telegram: update %s could not be handled", update_id)
            finally:
                slot.give_back()
                _working.reset(tokens[0])
                before_send.reset(tokens[1])
            await self._record(store.finish(self._db, PLATFORM, update_id, unix(self._clock.now())))
        finally:
            slot.give_back()
            lane.users -= 1
            if not lane.users:
                del self._lanes[key]

    def _replying_marker(self, update_id: int) -> Callable[[], Awaitable[None]]:
        """Records, once, that a reply to the update is about to go out."""
        marked = False

        async def mark() -> None:
            nonlocal marked
            if not marked:
                marked = True
                await store.replying(self._db, PLATFORM, [update_id])

        return mark

    async def _record(self, write: Awaitable[None]) -> None:
        """A bookkeeping write; if it fails the update is at worst handled again after a restart."""
        try:
            await write
        except Exception as exc:
            log.warning("telegram: could not update the inbox (%s: %s)", type(exc).__name__, exc)

    async def _prune_now_and_then(self, now: int) -> None:
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY.total_seconds():
            return
        self._pruned_at = now
        await self._record(store.prune(self._db, now - int(KEEP_FINISHED.total_seconds())))


def _chat_of(raw: Mapping[str, Any]) -> Hashable:
    """The chat an update is about (its lane), or the sender, or the update itself."""
    for value in raw.values():
        if not isinstance(value, Mapping):
            continue
        message = value.get("message") if isinstance(value.get("message"), Mapping) else value
        chat = message.get("chat")
        if isinstance(chat, Mapping) and "id" in chat:
            return chat["id"]
        sender = value.get("from")
        if isinstance(sender, Mapping) and "id" in sender:
            return sender["id"]
    return ("update", raw.get("update_id"))
