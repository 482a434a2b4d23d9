"""The Telegram adapter's parts for fairness: group send budget, combined group replies, shared admin look-ups."""

from __future__ import annotations

import asyncio
import contextvars

import pytest
from telegram import Bot

from bot.adapters.telegram.groups import GroupReplies
from bot.adapters.telegram.moderators import ModeratorCache
from bot.adapters.telegram.ratelimit import ChatRateLimiter
from tests.telegram_fake import TOKEN, FakeBotApi

GROUP = -100_321


def test_a_group_gets_at_most_20_messages_in_any_minute():
    """Twenty at once, then each further one a full period after the one twenty before it; other chats are free."""
    limiter = ChatRateLimiter(private_chat_interval=1.0, group_period=60.0)
    waits = [limiter._reserve(GROUP) for _ in range(22)]
    assert all(w == pytest.approx(0, abs=0.01) for w in waits[:20])
    assert waits[20] == pytest.approx(60, abs=0.05) and waits[21] == pytest.approx(60, abs=0.05)
    assert limiter._reserve(-100_999) == pytest.approx(0, abs=0.01)
    assert [round(limiter._reserve(42), 1) for _ in range(3)] == [0.0, 1.0, 2.0]  # a private chat: 1 a second


async def test_identical_replies_waiting_together_go_out_as_one():
    """While one message is on its way, the next replies gather; equal ones are sent once, in arrival order."""
    sent: list[tuple[int, list[str]]] = []
    first_sending = asyncio.Event()
    go_on = asyncio.Event()

    async def send(chat: int, items: list[str]) -> None:
        sent.append((chat, items))
        first_sending.set()
        await go_on.wait()

    replies: GroupReplies[str] = GroupReplies(send, contextvars.ContextVar("hook", default=None))
    first = asyncio.create_task(replies.send(GROUP, "status", "ann"))
    await first_sending.wait()
    rest = [asyncio.create_task(replies.send(GROUP, content, who))
            for content, who in [("status", "bob"), ("help", "cid"), ("status", "dan")]]
    await asyncio.sleep(0)
    go_on.set()
    await asyncio.gather(first, *rest)
    assert sent == [(GROUP, ["ann"]), (GROUP, ["bob", "dan"]), (GROUP, ["cid"])]


async def test_a_failed_group_message_fails_for_everyone_it_carried():
    """Every asker whose reply was in a message that could not be sent sees the error (PTB's error handler logs it)."""
    async def send(chat: int, items: list[str]) -> None:
        raise RuntimeError("kicked from the group")

    replies: GroupReplies[str] = GroupReplies(send, contextvars.ContextVar("hook", default=None))
    results = await asyncio.gather(replies.send(GROUP, "x", "ann"), replies.send(GROUP, "x", "bob"),
                                   return_exceptions=True)
    assert [type(r) for r in results] == [RuntimeError, RuntimeError]


async def test_concurrent_admin_look_ups_for_one_member_share_one_get_chat_member(clock):
    """Five moderator commands at once from one member: one getChatMember, and the answer is cached."""
    fake = await FakeBotApi().start()
    bot = Bot(TOKEN, base_url=fake.base_url)
    try:
        await bot.initialize()
        fake.admins[GROUP] = {77}
        cache = ModeratorCache(bot, clock)
        answers = await asyncio.gather(*[cache.is_moderator(GROUP, 77) for _ in range(5)])
        assert answers == [True] * 5
        assert await cache.is_moderator(GROUP, 77) and not await cache.is_moderator(GROUP, 78)
        assert [c.params["user_id"] for c in fake.of("getChatMember")] == ["77", "78"]
    finally:
        await bot.shutdown()
        await fake.close()
