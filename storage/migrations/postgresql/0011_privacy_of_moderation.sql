-- PostgreSQL's form of ../0011_privacy_of_moderation.sql: BIGINT for integers (unix times past 2038), DOUBLE PRECISION for REAL;
-- otherwise the same.
-- Privacy of buttons and moderators (issue 13).
-- Button payloads are bound to the person they were shown to (keyed hash; NULL: anyone may press) and expire
-- after 7 days. Old payloads are dropped: they are bound to no one (a stored payload could be replayed by
-- another member) and may hold the notes of members who have since used /forget; their buttons now answer
-- "expired, run the command again".
DROP TABLE button_payloads;
CREATE TABLE button_payloads (
    token      TEXT    PRIMARY KEY,           -- random, unrelated to who it is for
    viewer     TEXT,                          -- keyed hash of the person it was shown to; NULL: anyone
    command    TEXT    NOT NULL,
    args_json  TEXT    NOT NULL,
    created_at BIGINT NOT NULL               -- unix seconds
);
CREATE INDEX button_payloads_by_viewer ON button_payloads (viewer);
CREATE INDEX button_payloads_by_time ON button_payloads (created_at);

-- No display names are stored: the audit log keeps the moderator's keyed hash only (shown as "a moderator").
ALTER TABLE moderation_log DROP COLUMN actor_name;

-- Who turned a digest off: a keyed hash (NULL: the bot itself, or they used /forget), never a name.
ALTER TABLE digest_settings ADD COLUMN disabled_by TEXT;
UPDATE digest_settings SET disabled_reason = 'turned off by a moderator' WHERE disabled_reason LIKE 'turned off by %';

-- What /forget keeps of a reporter whose trust was below a newcomer's: how far below, under a separate keyed
-- hash of their reporter hash, so /forget cannot launder a bad record, and the row joins nothing else.
CREATE TABLE trust_penalties (
    key     TEXT PRIMARY KEY,                 -- HMAC(secret, "trust-penalty:" + reporter hash)
    penalty DOUBLE PRECISION NOT NULL                     -- subtracted from the reporter's weight
);
