"""A statement on PostgreSQL costs one round trip to the server: a pooled connection goes back to the pool without
the pool's reset query (advisory locks, cursors, LISTEN, settings: none of which a pooled connection keeps past its
statement or transaction here), which doubled the trips of every read (/status makes four or five). An open
transaction is still rolled back when its connection comes back."""

from __future__ import annotations

import pytest

from storage.database import open_database

pytest_plugins = ("tests.support.pg_processes",)  # the `admin_url` and `pg_url` fixtures


@pytest.fixture
async def db(pg_url):
    """A pool of one connection, whose every query is noted in `db.sent`."""
    database = await open_database(pg_url, pool_size=1)
    database.sent = []
    async with database._pool.acquire() as conn:
        conn.add_query_logger(lambda record: database.sent.append(record.query))
    database.sent.clear()
    yield database
    await database.close()


async def test_each_statement_is_the_only_query_sent(db):
    for n in range(5):
        assert (await db.fetchone("SELECT ?::int AS n", (n,)))["n"] == n
    await db.execute("UPDATE outbox SET attempts = 0 WHERE id = -1")
    assert len(db.sent) == 6, db.sent


async def test_a_transaction_left_open_is_rolled_back_before_the_connection_is_used_again(db):
    conn = await db._pool.acquire()
    await conn.execute("BEGIN")
    await conn.execute("INSERT INTO outbox (key, platform, dest_kind, dest_id, origin, origin_ref, topic, payload, "
                       "next_at, created_at) VALUES ('left-open', 'telegram', 'user', '1', 'alerts', 'x', '', '{}', "
                       "0, 0)")
    await db._pool.release(conn)
    assert (await db.fetchone("SELECT count(*) FROM outbox WHERE key = 'left-open'"))[0] == 0
