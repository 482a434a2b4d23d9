"""The inbox: updates stored before they are acknowledged, repeats ignored, unfinished ones resumed, old ones pruned."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.adapters.telegram.inbox import Inbox
from storage import inbox as store

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL


def _update(update_id: int, chat: int = 1) -> dict:
    return {"update_id": update_id, "message": {"message_id": update_id, "date": 0, "text": f"/about {update_id}",
                                                "chat": {"id": chat, "type": "private"}}}


class Recorder:
    """A handler that records what it was given, optionally holding until released."""

    def __init__(self) -> None:
        self.handled: list[int] = []
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, raw: dict) -> None:
        await self.release.wait()
        self.handled.append(raw["update_id"])


async def _drained(inbox: Inbox) -> None:
    for _ in range(200):
        if inbox.busy == 0:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the inbox did not finish")


async def test_a_repeated_update_id_is_stored_and_handled_once(app):
    """The same update delivered twice (Telegram after a crash, or a repeated webhook POST) is handled once."""
    handler = Recorder()
    inbox = Inbox(app, handler)
    assert await inbox.accept([_update(1), _update(2)]) == 2
    assert await inbox.accept([_update(2), _update(3)]) == 1  # 2 was there already
    await _drained(inbox)
    assert await inbox.accept([_update(1)]) == 0  # and after it was answered
    await _drained(inbox)
    assert sorted(handler.handled) == [1, 2, 3]
    assert await store.unfinished(app.db, "telegram") == []


async def test_an_update_is_stored_before_it_is_handled_and_its_content_deleted_once_done(app):
    """accept() returns with the batch committed, before any handling; a finished row keeps only its id."""
    handler = Recorder()
    handler.release.clear()
    inbox = Inbox(app, handler)
    await inbox.accept([_update(7)])
    [row] = await store.unfinished(app.db, "telegram")
    assert json.loads(row.payload) == _update(7) and handler.handled == []
    handler.release.set()
    await _drained(inbox)
    assert handler.handled == [7]
    assert [tuple(r) for r in await app.db.fetchall("SELECT state, payload FROM inbox")] == [("done", None)]


async def test_unfinished_updates_are_handled_at_start_and_a_crashing_one_is_given_up(app):
    """What a killed run left is handled by the next, in order; one that was cut short three times is dropped,
    and one whose reply may have gone out is sent again only once."""
    await store.accept(app.db, "telegram", [(n, json.dumps(_update(n))) for n in (10, 11, 12, 13)], 0)
    for _ in range(3):
        await store.started(app.db, "telegram", 11)  # crashed the process three times
    await store.started(app.db, "telegram", 12)
    await store.replying(app.db, "telegram", [12])  # its reply may have arrived: once more
    for _ in range(2):
        await store.started(app.db, "telegram", 13)
    await store.replying(app.db, "telegram", [13])  # already sent again once
    handler = Recorder()
    inbox = Inbox(app, handler, working=1)
    await inbox.resume()
    await _drained(inbox)
    assert handler.handled == [10, 12]
    assert await store.unfinished(app.db, "telegram") == []
    states = dict(await app.db.fetchall("SELECT update_id, state FROM inbox"))
    assert states == {10: "done", 11: "dropped", 12: "done", 13: "dropped"}


async def test_finished_updates_are_pruned_after_a_day(app, clock):
    """Finished ids are kept a day to recognise repeats, then deleted; unfinished ones are never pruned."""
    handler = Recorder()
    inbox = Inbox(app, handler)
    await inbox.accept([_update(1)])
    await _drained(inbox)
    await store.accept(app.db, "telegram", [(2, json.dumps(_update(2)))], 0)  # stays unfinished
    clock.advance(hours=23)
    await inbox.accept([_update(3)])
    await _drained(inbox)
    assert {r[0] for r in await app.db.fetchall("SELECT update_id FROM inbox")} == {1, 2, 3}
    clock.advance(hours=2)
    await inbox.accept([_update(4)])
    await _drained(inbox)
    assert {r[0] for r in await app.db.fetchall("SELECT update_id FROM inbox")} == {2, 3, 4}
    assert await inbox.accept([_update(1)]) == 1  # forgotten: Telegram resends nothing it was told of a day ago


async def test_one_busy_chat_takes_only_its_share_of_the_working_slots(app):
    """A chat with many updates in hand leaves working slots for the others."""
    started: list[int] = []
    gate = asyncio.Event()

    async def handle(raw: dict) -> None:
        started.append(raw["update_id"])
        if raw["message"]["chat"]["id"] == 1:
            await gate.wait()

    inbox = Inbox(app, handle, per_chat=2, working=4)
    await inbox.accept([_update(n, chat=1) for n in range(1, 11)] + [_update(99, chat=2)])
    for _ in range(100):
        if len(started) >= 3:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # time for a fourth to start, were chat 1 not held to its share
    assert sorted(started) == [1, 2, 99]  # chat 1 holds its two slots; which start is recorded first may vary
    gate.set()
    await _drained(inbox)
    assert sorted(started) == [*range(1, 11), 99]
