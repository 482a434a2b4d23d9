"""A Discord 429 on an interaction callback or follow-up, through the real discord.py client and the fake:
the member still gets exactly one answer, retried after `retry_after` or deferred when that is too long."""

from __future__ import annotations

import asyncio

from tests.discord_fake import EPHEMERAL, FakeDiscord, messages, text_of

pytest_plugins = ("tests.support.discord_fixtures",)  # the `fake` and `adapter` fixtures

LIMITED = "You are being rate limited."




def rate_limit(fake: FakeDiscord, pattern: str, retry_after: float, method: str = "POST", **headers: str) -> None:
    """The next matching request gets a 429 with Discord's JSON body (no Via header unless given)."""
    fake.fail(method, pattern, 429, 0, LIMITED, headers=headers or None, times=1,
              body={"message": LIMITED, "retry_after": retry_after, "global": False})


def statuses(calls) -> list[tuple[str, int, int | None]]:
    """(method, answered status, callback type) of each call, in order."""
    return [(c.method, c.status, (c.json or {}).get("type") if c.path.endswith("/callback") else None)
            for c in calls]


async def timed_interact(fake: FakeDiscord, payload) -> tuple[list, float]:
    loop = asyncio.get_running_loop()
    started = loop.time()
    calls = await fake.interact(payload, timeout=4)
    return calls, loop.time() - started


async def test_a_429_on_the_answer_is_retried_after_its_retry_after(fake, adapter):
    rate_limit(fake, r"/callback$", 0.4)
    calls, took = await timed_interact(fake, fake.command("about", {}))
    assert statuses(calls) == [("POST", 429, 4), ("POST", 200, 4)]
    assert "About queuewatch" in text_of(messages(calls)[0])
    assert took >= 0.4


async def test_a_429_longer_than_the_deadline_defers_then_follows_up(fake, adapter):
    rate_limit(fake, r"/callback$", 30.0)
    calls, took = await timed_interact(fake, fake.command("about", {}))
    assert statuses(calls) == [("POST", 429, 4), ("POST", 200, 5), ("PATCH", 200, None)]
    [answer] = messages(calls)
    assert "About queuewatch" in text_of(answer)
    assert took < 3  # the member is not left waiting for the 30 s


async def test_a_private_answer_deferred_after_a_429_stays_private(fake, adapter):
    rate_limit(fake, r"/callback$", 30.0)
    calls, _ = await timed_interact(fake, fake.command("sample_mod", {"note": "x"}))  # refused: ephemeral
    assert statuses(calls) == [("POST", 429, 4), ("POST", 200, 5), ("PATCH", 200, None)]
    assert calls[1].json["data"]["flags"] & EPHEMERAL
    assert "for moderators" in text_of(messages(calls)[0])


async def test_a_429_on_the_defer_of_a_slow_command_is_retried(fake, adapter):
    rate_limit(fake, r"/callback$", 0.3)
    calls, _ = await timed_interact(fake, fake.command("sample_slow", {}))
    assert statuses(calls) == [("POST", 429, 5), ("POST", 200, 5), ("PATCH", 200, None)]
    assert "done slowly" in text_of(messages(calls)[0])


async def test_a_429_on_the_follow_up_is_retried(fake, adapter):
    rate_limit(fake, r"/webhooks/\d+/[^/]+/messages/@original$", 0.3, method="PATCH")
    calls, _ = await timed_interact(fake, fake.command("sample_slow", {}))
    assert statuses(calls) == [("POST", 200, 5), ("PATCH", 429, None), ("PATCH", 200, None)]
    assert "done slowly" in text_of(messages(calls)[0])


async def test_a_429_discord_py_retries_itself_is_not_retried_twice(fake, adapter):
    # With Discord's Via header discord.py waits and retries on its own; the answer still goes out once.
    rate_limit(fake, r"/callback$", 0.2, Via="1.1 google")
    calls, _ = await timed_interact(fake, fake.command("about", {}))
    assert statuses(calls) == [("POST", 429, 4), ("POST", 200, 4)]


async def test_a_429_with_only_a_retry_after_header_is_retried_after_it(fake, adapter):
    fake.fail("POST", r"/callback$", 429, 0, LIMITED, headers={"Retry-After": "0.3"}, times=1)
    calls, took = await timed_interact(fake, fake.command("about", {}))
    assert statuses(calls) == [("POST", 429, 4), ("POST", 200, 4)]
    assert took >= 0.3
