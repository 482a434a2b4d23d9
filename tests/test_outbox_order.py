"""A destination's messages go out in the order they were queued, also when an earlier one waits for a retry: a
later message is never due while an earlier one to the same destination is still to be delivered (both backends,
one process or several)."""

from __future__ import annotations

import pytest

from storage import outbox as store

pytestmark = pytest.mark.usefixtures("backend")

NOW = 1_800_000_000.0


@pytest.fixture
async def db(app):
    """The app's migrated database on the backend."""
    return app.db


async def queue(db, *keys: tuple[str, str]) -> None:
    """Queue one message per (key, destination id), all due now."""
    for key, dest in keys:
        await store.add(db, key, "telegram", "user", dest, "alerts", "order", "{}", NOW)


async def test_a_message_waiting_for_a_retry_holds_back_the_later_ones_to_its_destination(db) -> None:
    await queue(db, ("first", "1"), ("second", "1"), ("elsewhere", "2"))
    first = next(item for item in await store.due(db, ["telegram"], NOW, 10) if item.key == "first")
    assert await store.claim(db, first.id, "token", NOW, NOW + 60)
    assert await store.retry_later(db, first.id, "token", NOW + 30, "429", 0)  # a passing failure: later
    due = await store.due(db, ["telegram"], NOW + 5, 10)
    assert [item.key for item in due] == ["elsewhere"]  # "second" waits for "first"
    if db.dialect == "postgresql":  # where several processes claim in one statement
        claimed = await store.claim_due(db, ["telegram"], NOW + 5, NOW + 65, "other", 10)
        assert [item.key for item in claimed] == ["elsewhere"]
    later = [item.key for item in await store.due(db, ["telegram"], NOW + 31, 10)]
    assert "first" in later and "second" not in later  # the retry's time came: it goes first


async def test_a_delivered_or_failed_message_lets_the_next_one_go(db) -> None:
    await queue(db, ("first", "1"), ("second", "1"), ("third", "1"))
    first, = [item for item in await store.due(db, ["telegram"], NOW, 10)]
    assert first.key == "first"
    assert await store.claim(db, first.id, "t1", NOW, NOW + 60)
    assert await store.mark_sent(db, first.id, "t1", NOW, 1)
    second, = await store.due(db, ["telegram"], NOW, 10)
    assert second.key == "second" and await store.claim(db, second.id, "t2", NOW, NOW + 60)
    assert await store.mark_failed(db, second.id, "t2", "blocked")
    assert [item.key for item in await store.due(db, ["telegram"], NOW, 10)] == ["third"]
