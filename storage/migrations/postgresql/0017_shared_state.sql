-- PostgreSQL's form of ../0017_shared_state.sql: the same send_limits table (DOUBLE PRECISION for REAL), and what
-- only a database that several processes share needs.
-- send_limits: one row per platform send limit (the platform's overall limit, or one destination's, named by a keyed
-- hash, never by the chat's id): `tat` is its theoretical arrival time in unix seconds (the generic cell rate
-- algorithm): a send is allowed once now >= tat - burst tolerance, and each send moves tat on by one interval.
CREATE TABLE send_limits (
    name TEXT PRIMARY KEY,
    tat DOUBLE PRECISION NOT NULL
);
-- One send in flight per destination, whichever process claimed it: a second claim to the same chat fails.
CREATE UNIQUE INDEX outbox_one_in_flight ON outbox (platform, dest_kind, dest_id) WHERE state = 'sending';
-- Idle workers LISTEN on queuewatch_outbox; a queued message wakes them at once (polling finds it otherwise).
CREATE FUNCTION queuewatch_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('queuewatch_outbox', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION queuewatch_outbox_notify();
