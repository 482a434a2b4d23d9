"""Start-up serves at once: no read or refresh waits on a trust settle; the trust service settles in the background."""

from __future__ import annotations

from bot.core.clock import unix
from bot.features.availability.trust import (
    NEW_WEIGHT,
    SETTLE_AFTER,
    SETTLED_META_KEY,
    trust_service,
    trust_weights,
    weight_for,
)
from tests.test_trust import DAY, HOUR, insert_event, insert_report


async def test_status_and_refresh_read_stored_trust_and_the_trust_service_settles(app, clock) -> None:
    start = unix(clock.now())
    await insert_event(app, "flowing", start - DAY)
    for day in range(3):
        await insert_report(app, "right", "tasks_back", start + day * DAY)
    clock.advance(seconds=3 * DAY + SETTLE_AFTER)  # three days are judgeable, none settled yet (a fresh start)
    await app.availability.statuses(clock.now())
    assert await trust_weights(app, ["right"]) == {"right": NEW_WEIGHT}  # what is stored, judged by no read
    assert await app.db.get_meta(SETTLED_META_KEY) is None
    await app.availability.tick()  # the availability service's first round after a start: it settles nothing
    assert await app.db.get_meta(SETTLED_META_KEY) is None
    await trust_service(app).run_once()  # the trust service's round
    assert await app.db.get_meta(SETTLED_META_KEY) is not None
    assert await trust_weights(app, ["right"]) == {"right": weight_for(3, 0)}
    watermark = await app.db.get_meta(SETTLED_META_KEY)
    clock.advance(seconds=2 * HOUR)
    await trust_service(app).run_once()  # an hour on: nothing new to judge, nothing judged twice
    assert await app.db.get_meta(SETTLED_META_KEY) == watermark
    assert await trust_weights(app, ["right"]) == {"right": weight_for(3, 0)}


async def test_the_trust_round_weighs_the_book_again_so_the_next_status_reads_no_trust(app, clock, monkeypatch) -> None:
    start = unix(clock.now())
    await insert_event(app, "flowing", start - DAY)
    for day in range(3):
        await insert_report(app, "right", "tasks_back", start + day * DAY)
    clock.advance(seconds=3 * DAY + SETTLE_AFTER)
    await insert_report(app, "right", "tasks_back", unix(clock.now()))  # an opinion in the book now
    await app.availability.tick()
    assert await trust_service(app).run_once() and await app.db.get_meta(SETTLED_META_KEY) is not None
    asked: list[str] = []
    fetchall = app.db.fetchall

    async def recording(sql, params=()):
        asked.append(sql)
        return await fetchall(sql, params)

    monkeypatch.setattr(app.db, "fetchall", recording)
    statuses = await app.availability.statuses(clock.now(), "outlier")
    assert not [sql for sql in asked if "reporter_trust" in sql]  # weighed again by the trust round, not by this read
    assert next(s for s in statuses if s.project == "").flowing_n == 1
