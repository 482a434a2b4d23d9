"""Long polling with getUpdates that acknowledges a batch only after the inbox has stored it.

PTB's Updater moves the offset (which tells Telegram the updates arrived, so it drops them) as soon as a
batch is fetched, before anything is handled: a crash then loses the whole batch. This loop asks for the
next batch, with the offset past the last one, only once the inbox has committed it.

It fetches the raw JSON (Bot.do_api_request): that is what the inbox stores and what a webhook would
receive, and Bot.get_updates would build PTB objects of every update only for them to be turned back into
JSON, which under a flood of 1,000 commands cost more than a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Sequence
from typing import Any

from telegram import Bot
from telegram.error import InvalidToken, TelegramError, TimedOut
from telegram.warnings import PTBUserWarning

from bot.adapters.telegram.inbox import Inbox

log = logging.getLogger(__name__)

FIRST_BACKOFF = 1.0  # seconds before polling again after a failure, doubling ...
MAX_BACKOFF = 30.0  # ... up to this
BOOTSTRAP_RETRIES = 3  # deleteWebhook attempts at start before giving up
READ_MARGIN = 5.0  # seconds a long poll's answer may take beyond the poll timeout

# do_api_request suggests get_updates for getUpdates; the raw JSON is deliberate here (see above).
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.getUpdates'", category=PTBUserWarning)


class Poller:
    """Fetches updates from Telegram into the inbox, in the running event loop, until stopped."""

    def __init__(self, bot: Bot, inbox: Inbox, timeout: float, allowed_updates: Sequence[str]) -> None:
        self._bot = bot
        self._inbox = inbox
        self._timeout = timeout
        self._allowed = list(allowed_updates)
        self._offset: int | None = None  # None: from the earliest update Telegram still holds for the bot
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """True while the polling loop runs."""
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Make sure no webhook is set (Telegram refuses getUpdates then), and start the loop."""
        for attempt in range(BOOTSTRAP_RETRIES + 1):
            try:
                await self._bot.delete_webhook()
                break
            except InvalidToken:
                raise
            except TelegramError:
                if attempt == BOOTSTRAP_RETRIES:
                    raise
                await asyncio.sleep(FIRST_BACKOFF)
        self._task = asyncio.create_task(self._loop(), name="telegram-polling")

    async def stop(self) -> None:
        """Stop polling, then acknowledge what the inbox has stored, so Telegram does not send it again."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        if self._offset is not None:
            try:  # anything this returns is not acknowledged (no offset past it), so it comes again later
                await self._fetch(timeout=0, limit=1)
            except TelegramError as exc:
                log.info("telegram: could not acknowledge the last updates (%s); they are ignored when they "
                         "come again", exc)

    async def _loop(self) -> None:
        backoff = FIRST_BACKOFF
        while True:
            try:
                updates = await self._fetch(timeout=self._timeout)
            except TimedOut:  # a long poll cut short on the way; ask again
                continue
            except TelegramError as exc:
                log.warning("telegram: polling failed (%s: %s); retrying in %.0f s", type(exc).__name__, exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            backoff = FIRST_BACKOFF
            if not updates:
                continue
            try:
                await self._inbox.accept(updates)
            except Exception as exc:  # not stored: not acknowledged either, so Telegram sends them again
                log.error("telegram: could not store %d updates (%s: %s); fetching them again in %.0f s",
                          len(updates), type(exc).__name__, exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            self._offset = int(updates[-1]["update_id"]) + 1

    async def _fetch(self, timeout: float, limit: int = 100) -> list[dict[str, Any]]:
        """One getUpdates call: the updates after the offset, as Telegram's JSON."""
        params: dict[str, Any] = {"timeout": timeout, "limit": limit, "allowed_updates": self._allowed}
        if self._offset is not None:
            params["offset"] = self._offset
        result = await self._bot.do_api_request("getUpdates", api_kwargs=params, read_timeout=timeout + READ_MARGIN)
        return result if isinstance(result, list) else []
