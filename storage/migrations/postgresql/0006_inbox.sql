-- PostgreSQL's form of ../0006_inbox.sql: BIGINT for integers (unix times past 2038), DOUBLE PRECISION for REAL;
-- otherwise the same.
-- The inbox: every update a platform hands the bot (a Telegram getUpdates batch, later a webhook POST) is
-- written here before it is acknowledged, and answered from here, so a crash loses none of them.
-- Times are unix seconds.
CREATE TABLE inbox (
    platform    TEXT    NOT NULL,                  -- 'telegram'
    update_id   BIGINT NOT NULL,                  -- the platform's id for the update; a repeat is ignored
    payload     TEXT,                              -- the update as JSON; NULL once finished (nothing kept after)
    state       TEXT    NOT NULL DEFAULT 'pending',-- pending, replying (a reply may have gone out), done, dropped
    attempts    BIGINT NOT NULL DEFAULT 0,        -- how often handling it started
    received_at BIGINT NOT NULL,
    done_at     BIGINT,                           -- when it was finished (done or dropped)
    PRIMARY KEY (platform, update_id)
);
-- What to handle at start, in order.
CREATE INDEX inbox_unfinished ON inbox (platform, update_id) WHERE done_at IS NULL;
-- Pruning finished rows after a day.
CREATE INDEX inbox_finished ON inbox (done_at) WHERE done_at IS NOT NULL;
