"""PTB's AIORateLimiter, plus at most one message per interval in each private chat."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from telegram.ext import AIORateLimiter

MAX_RETRIES = 3
MAX_TRACKED_CHATS = 10_000


class ChatRateLimiter(AIORateLimiter):
    """Spaces messages to each private chat; AIORateLimiter handles groups, the global rate and RetryAfter."""

    def __init__(self, private_chat_interval: float = 1.0, max_retries: int = MAX_RETRIES) -> None:
        super().__init__(max_retries=max_retries)
        self._interval = private_chat_interval
        self._next_slot: dict[int, float] = {}

    async def process_request(self, callback, args, kwargs, endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None):
        """Wait for the chat's next free slot (private chats only), then hand over to AIORateLimiter."""
        chat_id = _int(data.get("chat_id"))
        if self._interval > 0 and chat_id is not None and chat_id > 0 and endpoint.startswith("send"):
            await asyncio.sleep(self._reserve(chat_id))
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)

    def _reserve(self, chat_id: int) -> float:
        """Book the chat's next slot and return how long to wait for it."""
        now = time.monotonic()
        if len(self._next_slot) > MAX_TRACKED_CHATS:
            self._next_slot = {k: v for k, v in self._next_slot.items() if v > now}
        slot = max(now, self._next_slot.get(chat_id, now))
        self._next_slot[chat_id] = slot + self._interval
        return slot - now


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
