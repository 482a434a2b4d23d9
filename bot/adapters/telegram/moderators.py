"""Who moderates a Telegram group: its administrators and creator, asked through getChatMember."""

from __future__ import annotations

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
    """Answers "is this user an admin of this chat?", remembering answers briefly to spare the API."""

    def __init__(self, bot: Bot, clock: Clock, ttl: timedelta = CACHE_FOR) -> None:
        self._bot = bot
        self._clock = clock
        self._ttl = ttl.total_seconds()
        self._cache: dict[tuple[int, int], tuple[bool, float]] = {}  # answer, monotonic time

    async def is_moderator(self, chat_id: int, user_id: int) -> bool:
        """True if the user is an administrator or the creator of the chat (False if Telegram can't say)."""
        now = self._clock.monotonic()  # a wall clock stepped back must not keep an answer
        cached = self._cache.get((chat_id, user_id))
        if cached is not None and now - cached[1] < self._ttl:
            return cached[0]
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
