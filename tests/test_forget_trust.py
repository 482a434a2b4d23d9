"""/forget cannot launder a bad record: a weight below a newcomer's survives it, in a record linked to nothing."""

from __future__ import annotations

import pytest

from bot.core.clock import unix
from bot.features.availability.trust import AGREEMENT_GAIN, MIN_WEIGHT, NEW_WEIGHT, trust_weights
from storage import trust as store
from tests.moderation_helpers import run

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL


async def weight(app, key: str) -> float:
    """The reporter's weight now (cache dropped, so it is read from the database)."""
    app.trust.weights.clear()
    return (await trust_weights(app, [key]))[key]


async def test_a_weight_below_a_newcomers_survives_forget_and_can_be_earned_back(app, clock, member, group):
    key = app.person_key("console", member.user_id)
    now = unix(clock.now())
    await store.add_trust(app.db, key, now, 0, 5, now)  # often contradicted: the floor
    assert await weight(app, key) == MIN_WEIGHT

    done = (await run(app, "/forget yes", member, group)).plain_text()
    assert "reporter trust record: 1" in done
    assert await app.db.fetchall("SELECT * FROM reporter_trust") == []
    assert await weight(app, key) == MIN_WEIGHT  # not back to NEW_WEIGHT
    [penalty] = await app.db.fetchall("SELECT * FROM trust_penalties")
    assert penalty["penalty"] == round(NEW_WEIGHT - MIN_WEIGHT, 3)
    # Linked to nothing: the key is neither the person's keyed hash nor found in any other table.
    assert penalty["key"] != key and key not in penalty["key"]
    for table in ("reports", "reporter_bars", "moderation_log", "member_settings", "button_payloads"):
        rows = await app.db.fetchall(f"SELECT * FROM {table}")
        assert not [r for r in rows if penalty["key"] in map(str, tuple(r))], table

    await store.add_trust(app.db, key, now, 2, 0, now)  # two right days after coming back
    assert await weight(app, key) == round(MIN_WEIGHT + 2 * AGREEMENT_GAIN, 3)
    await run(app, "/forget yes", member, group)  # now above a newcomer: nothing to keep
    assert await app.db.fetchall("SELECT * FROM trust_penalties") == []
    assert await weight(app, key) == NEW_WEIGHT


async def test_a_good_record_is_simply_deleted(app, clock, member, group):
    key = app.person_key("console", member.user_id)
    now = unix(clock.now())
    await store.add_trust(app.db, key, now, 5, 0, now)
    assert await weight(app, key) > NEW_WEIGHT
    await run(app, "/forget yes", member, group)
    assert await app.db.fetchall("SELECT * FROM trust_penalties") == []
    assert await weight(app, key) == NEW_WEIGHT
