-- Weekly digests, member alerts and the delivery outbox. Times are unix seconds (UTC).
-- Communities are community keys ("telegram:-100123"); raw platform user ids appear only in
-- subscriptions, because a direct message needs them.

CREATE TABLE digest_settings (
    community        TEXT    PRIMARY KEY,
    platform         TEXT    NOT NULL,            -- where to post: telegram, discord, console
    channel_id       TEXT    NOT NULL,
    weekday          INTEGER NOT NULL,            -- 0 Monday .. 6 Sunday
    local_time       TEXT    NOT NULL,            -- "HH:MM" in `timezone`
    timezone         TEXT    NOT NULL,            -- IANA name, e.g. Europe/London
    enabled          INTEGER NOT NULL DEFAULT 1,
    disabled_reason  TEXT,                        -- why delivery stopped (shown in /digest_preview)
    disabled_at      INTEGER,
    updated_at       INTEGER NOT NULL             -- slots before this are never posted
);

-- One row per community per ISO week once the scheduled digest was queued or skipped.
CREATE TABLE digest_ledger (
    community   TEXT    NOT NULL,
    iso_week    TEXT    NOT NULL,                 -- e.g. 2026-W47, of the slot's local date
    slot_at     INTEGER NOT NULL,
    outcome     TEXT    NOT NULL,                 -- queued, skipped
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (community, iso_week)
);

CREATE TABLE subscriptions (
    platform        TEXT    NOT NULL,             -- messaging platform of the member
    user_id         TEXT    NOT NULL,             -- raw platform user id (needed to send a direct message)
    gig_platform    TEXT    NOT NULL,             -- knowledge-base platform id, e.g. outlier
    events          TEXT    NOT NULL,             -- comma-separated alert kinds
    enabled         INTEGER NOT NULL DEFAULT 1,
    disabled_reason TEXT,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (platform, user_id, gig_platform)
);
CREATE INDEX subscriptions_by_gig_platform ON subscriptions (gig_platform, enabled);

CREATE TABLE alert_channels (
    community       TEXT    PRIMARY KEY,
    platform        TEXT    NOT NULL,
    channel_id      TEXT    NOT NULL,
    enabled         INTEGER NOT NULL DEFAULT 1,
    disabled_reason TEXT,
    updated_at      INTEGER NOT NULL
);

-- Alert events already fanned out (one row per event, so each is announced once).
CREATE TABLE alert_events (
    key        TEXT    PRIMARY KEY,               -- e.g. drought_ended:<status event id>
    platform   TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    recipients INTEGER NOT NULL
);

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    key         TEXT    NOT NULL UNIQUE,          -- idempotency key: a second enqueue is a no-op
    platform    TEXT    NOT NULL,
    dest_kind   TEXT    NOT NULL,                 -- channel, user
    dest_id     TEXT    NOT NULL,
    origin      TEXT    NOT NULL,                 -- digest:<community>, sub:<platform>:<user>, alerts:<community>
    topic       TEXT    NOT NULL DEFAULT '',      -- alerts: the gig platform (per-member alert spacing)
    payload     TEXT    NOT NULL,                 -- the Reply as JSON (image base64)
    state       TEXT    NOT NULL DEFAULT 'pending', -- pending, sent, failed, cancelled
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     REAL    NOT NULL,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER,
    last_error  TEXT
);
CREATE INDEX outbox_due ON outbox (state, next_at);
CREATE INDEX outbox_by_topic ON outbox (topic, created_at, origin);

-- Digest queries read a week of reports across all platforms; this covering index keeps that fast.
CREATE INDEX reports_by_time_covering ON reports (updated_at, platform, kind, hidden, reporter, community, hourly_usd);
