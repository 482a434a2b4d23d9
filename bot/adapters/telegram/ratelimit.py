"""Telegram's send limits, kept per chat, so one busy chat never holds up the others.

Telegram allows about one message a second in a private chat, 20 a minute in a group and 30 a second
overall, and answers 429 with `retry_after` beyond that. PTB's AIORateLimiter is not used: it spends a
group's budget as a leaky bucket (20 at once, then one every 3 s, which "20 in any minute" refuses), it
counts every request that names a group (getChatMember too) against that group's message budget, and after
a 429 it pauses every request of the bot, so one busy group froze everyone. Here private chats are spaced,
a group gets at most 20 messages in any 60 seconds, requests that send no message are held only to the
overall rate, and a 429 delays only the chat it was about.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

MAX_RETRIES = 3
MAX_TRACKED_CHATS = 10_000
GROUP_LIMIT = 20  # messages per group ...
GROUP_PERIOD = 60.5  # ... in any this many seconds (a minute, and a little room for the request's travel)
OVERALL_PER_SECOND = 30

# Set by whoever wants to record that a message is about to go out (the inbox: "a reply may have arrived");
# awaited just before each message request leaves, after any wait for the chat's limit.
before_send: ContextVar[Callable[[], Awaitable[None]] | None] = ContextVar("telegram_before_send", default=None)
# Set while the outbox sends: a 429 is not retried inside the send (the retry would go out past the outbox's
# pacing, which every process shares); the outbox holds the platform off and sends the message again in its turn.
# Nor is the send held to this process's overall rate: its turn is the outbox's (at TELEGRAM_SENDS_PER_SECOND),
# and a second pacer here only delays it past that turn.
paced_elsewhere: ContextVar[bool] = ContextVar("telegram_paced_elsewhere", default=False)


class ChatRateLimiter(BaseRateLimiter[int]):
    """Spaces messages per private chat and per group, keeps the overall rate, and retries after a 429."""

    def __init__(self, private_chat_interval: float = 1.0, max_retries: int = MAX_RETRIES,
                 group_limit: int = GROUP_LIMIT, group_period: float = GROUP_PERIOD) -> None:
        self._interval = private_chat_interval
        self._max_retries = max_retries
        self._group_limit = group_limit
        self._group_period = group_period
        self._overall = AsyncLimiter(OVERALL_PER_SECOND, 1)
        self._next_private: dict[int, float] = {}  # chat id -> the next free slot
        self._group_sends: dict[int, deque[float]] = {}  # chat id -> the last `group_limit` send slots
        self._held: dict[int, float] = {}  # chat id -> no message before this (after a 429)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(self, callback, args, kwargs, endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None):
        """Wait for the chat's next slot (messages only) and the overall rate, then send; retry after a 429."""
        chat_id = _int(data.get("chat_id"))
        message = chat_id is not None and _is_message(endpoint)
        retries = 0 if paced_elsewhere.get() else rate_limit_args or self._max_retries
        attempt = 0
        while True:
            if message:
                await asyncio.sleep(self._reserve(chat_id))
            if chat_id is not None and not paced_elsewhere.get():
                await self._overall.acquire()
            if message:
                await _announce()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt >= retries:
                    raise
                attempt += 1
                delay = retry_seconds(exc) + 0.1
                if chat_id is not None:
                    self._held[chat_id] = max(self._held.get(chat_id, 0.0), time.monotonic() + delay)
                log.info("telegram: rate limited in chat %s; retrying in %.1f s", chat_id, delay)
                if not message:
                    await asyncio.sleep(delay)

    def _reserve(self, chat_id: int) -> float:
        """Book the chat's next free slot for a message and return how long to wait for it."""
        now = time.monotonic()
        if len(self._next_private) + len(self._group_sends) > MAX_TRACKED_CHATS:
            self._forget_idle(now)
        slot = max(now, self._held.get(chat_id, now))
        if chat_id > 0:
            if self._interval > 0:
                slot = max(slot, self._next_private.get(chat_id, slot))
                self._next_private[chat_id] = slot + self._interval
            return slot - now
        sent = self._group_sends.setdefault(chat_id, deque())
        if sent:
            slot = max(slot, sent[-1])
        if len(sent) >= self._group_limit:
            slot = max(slot, sent[0] + self._group_period)
            sent.popleft()
        sent.append(slot)
        return slot - now

    def _forget_idle(self, now: float) -> None:
        """Drop chats whose limits no longer constrain anything, so memory stays bounded."""
        self._next_private = {k: v for k, v in self._next_private.items() if v > now}
        self._group_sends = {k: v for k, v in self._group_sends.items() if v[-1] + self._group_period > now}
        self._held = {k: v for k, v in self._held.items() if v > now}


async def _announce() -> None:
    hook = before_send.get()
    if hook is None:
        return
    try:
        await hook()
    except Exception:  # recording is a safeguard; the member's answer matters more
        log.exception("telegram: could not record that a reply is going out")


def _is_message(endpoint: str) -> bool:
    """Methods that post a message, which is what the per-chat limits count."""
    return (endpoint.startswith("send") and endpoint != "sendChatAction") or endpoint.startswith(
        ("copyMessage", "forwardMessage"))


def retry_seconds(exc: RetryAfter) -> float:
    """The seconds a 429 asks to wait."""
    delay = getattr(exc, "_retry_after", None)  # a timedelta; the public property warns about its type
    return delay.total_seconds() if isinstance(delay, timedelta) else float(exc.retry_after)


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
