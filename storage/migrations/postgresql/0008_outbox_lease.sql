-- PostgreSQL's form of ../0008_outbox_lease.sql: BIGINT for integers (unix times past 2038), DOUBLE PRECISION for REAL;
-- otherwise the same.
-- Delivered once: an item is claimed with a lease before it is sent, and each part of a multi-part message
-- is recorded as it arrives, so no retry, restart or second process sends a part twice.
-- States: pending -> sending (claimed) -> sent | pending (retry) | uncertain | unconfirmed | failed | cancelled.
--   sending      claimed by `claim` until `lease_until` (unix seconds); an expired lease means the claimer died
--                mid-send, so the item is reclaimed as uncertain
--   uncertain    a send got no answer (it may have arrived): tried once more at next_at
--   unconfirmed  a second send got no answer either: not tried again (it may have arrived)
ALTER TABLE outbox ADD COLUMN claim TEXT;
ALTER TABLE outbox ADD COLUMN lease_until DOUBLE PRECISION;
ALTER TABLE outbox ADD COLUMN parts_sent BIGINT NOT NULL DEFAULT 0;  -- parts delivered, in order
ALTER TABLE outbox ADD COLUMN uncertain BIGINT NOT NULL DEFAULT 0;   -- sends whose outcome was unknown
CREATE INDEX outbox_uncertain ON outbox (origin, origin_ref) WHERE uncertain > 0;
