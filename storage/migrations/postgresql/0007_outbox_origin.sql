-- PostgreSQL's form of ../0007_outbox_origin.sql: strpos for SQLite's instr.
-- The outbox keeps who queued a message as two fields, the sender's kind (digest, alerts, sub) and its
-- reference (a community key, or a platform:user pair), so it never has to read meaning out of a name.
ALTER TABLE outbox ADD COLUMN origin_ref TEXT NOT NULL DEFAULT '';
UPDATE outbox SET origin_ref = substr(origin, strpos(origin, ':') + 1), origin = substr(origin, 1, strpos(origin, ':') - 1)
    WHERE strpos(origin, ':') > 0;
DROP INDEX outbox_by_topic;
CREATE INDEX outbox_by_topic ON outbox (topic, created_at, origin, origin_ref);
