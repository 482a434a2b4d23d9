"""Who moderates a Telegram group: its administrators and creator, asked through getChatMember."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import Bot, ChatMember
from telegram.error import TelegramError

from bot.core.clock import Clock

log = logging.getLogger(__name__)

CACHE_FOR = timedelta(seconds=60)
MAX_ENTRIES = 5_000
MODERATOR_STATUSES = {ChatMember.ADMINISTRATOR, ChatMember.OWNER}


class ModeratorCache:
    """Answers "is this user an admin of this chat?", remembering answers briefly to spare the API.

    Asked only for moderator commands. Concurrent questions about the same member share one getChatMember.
    """

    def __init__(self, bot: Bot, clock: Clock, ttl: timedelta = CACHE_FOR) -> None:
        self._bot = bot
        self._clock = clock
        self._ttl = ttl.total_seconds()
        self._cache: dict[tuple[int, int], tuple[bool, float]] = {}  # answer, monotonic time
        self._asking: dict[tuple[int, int], asyncio.Task[bool]] = {}

    async def is_moderator(self, chat_id: int, user_id: int) -> bool:
        """True if the user is an administrator or the creator of the chat (False if Telegram can't say)."""
        key = (chat_id, user_id)
        cached = self._cache.get(key)
        if cached is not None and self._clock.monotonic() - cached[1] < self._ttl:  # a clock stepped back keeps none
            return cached[0]
        task = self._asking.get(key)
        if task is None:
            task = self._asking[key] = asyncio.create_task(self._ask(chat_id, user_id))
            task.add_done_callback(lambda _: self._asking.pop(key, None))
        return await asyncio.shield(task)  # one asker giving up does not cancel the others' answer

    async def _ask(self, chat_id: int, user_id: int) -> bool:
        """getChatMember, remembered for a while."""
        now = self._clock.monotonic()
        try:
            member = await self._bot.get_chat_member(chat_id, user_id)
        except TelegramError as exc:
            log.warning("could not check admin status in chat %s: %s", chat_id, exc)
            return False
        answer = member.status in MODERATOR_STATUSES
        if len(self._cache) >= MAX_ENTRIES:
            self._cache.clear()
        self._cache[(chat_id, user_id)] = (answer, now)
        return answer
