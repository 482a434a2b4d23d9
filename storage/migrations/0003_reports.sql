-- Crowd reports and availability events.
-- Reporters are keyed hashes (HMAC of "platform:user id" with the server secret), never names or ids.
-- Times are unix seconds (UTC).
CREATE TABLE reports (
    id           INTEGER PRIMARY KEY,
    reporter     TEXT    NOT NULL,
    platform     TEXT    NOT NULL,             -- knowledge-base platform id, e.g. 'outlier'
    kind         TEXT    NOT NULL,             -- drought, tasks_back, project_paused, project_ended, paid_on_time,
                                               -- paid_late, payment_missing, account_restricted, payrate, onboarding
    project      TEXT    NOT NULL DEFAULT '',  -- normalised project name; '' means the platform as a whole
    window_start INTEGER NOT NULL,             -- start of the dedupe window this report counts in
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,             -- a repeat in the same window updates the report
    community    TEXT,                         -- community key ("telegram:-100123") where reported; NULL if private
    amount       REAL,                         -- payrate: amount in `currency` per hour
    currency     TEXT,
    hourly_usd   REAL,                         -- payrate: normalised to USD per hour
    role         TEXT,                         -- payrate: role tier
    hours        REAL,                         -- onboarding: hours spent
    paid         INTEGER,                      -- onboarding: 1 paid, 0 unpaid
    note         TEXT,                         -- at most 200 characters; shown only to moderators
    hidden       INTEGER NOT NULL DEFAULT 0,   -- hidden by a moderator: counts nowhere
    UNIQUE (reporter, platform, kind, project, window_start)
);
-- Covering indexes for the queries that run (checked with EXPLAIN QUERY PLAN in tests/test_reports_indexes.py).
-- The UNIQUE key starts with reporter, so it also serves /myreports and /forget.
-- One platform's recent availability reports (/status <platform>):
CREATE INDEX reports_by_platform_time ON reports (platform, updated_at, kind, reporter, hidden, project, created_at);
-- Every platform's recent availability reports (/status) and the hour-of-week drought baseline:
CREATE INDEX reports_by_kind_time ON reports (kind, updated_at, platform, reporter, hidden, project, created_at);
-- One platform's reports of one kind: pay figures, payment reliability, projects paused or ended:
CREATE INDEX reports_by_platform_kind ON reports (platform, kind, updated_at, hidden, reporter, project, role, hourly_usd);
-- Onboarding hours (a partial index: only onboarding rows pay for it):
CREATE INDEX reports_onboarding ON reports (platform, hours, paid, kind, hidden)
    WHERE kind = 'onboarding' AND hidden = 0;

-- Availability state changes: what alerts and digests are made of.
CREATE TABLE status_events (
    id          INTEGER PRIMARY KEY,
    platform    TEXT    NOT NULL,
    project     TEXT    NOT NULL DEFAULT '',
    old_state   TEXT    NOT NULL,   -- flowing, mixed, drought, none
    new_state   TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    reporters   INTEGER NOT NULL,   -- distinct reporters behind the new state
    confidence  REAL    NOT NULL    -- 0..1
);
CREATE INDEX status_events_by_time ON status_events (at);
CREATE INDEX status_events_by_platform ON status_events (platform, at);

-- The current availability state per platform (project '') and per project: what status_events change.
CREATE TABLE availability_state (
    platform    TEXT    NOT NULL,
    project     TEXT    NOT NULL DEFAULT '',
    state       TEXT    NOT NULL,   -- flowing, mixed, drought, none
    since       INTEGER NOT NULL,   -- when this state was entered
    reporters   INTEGER NOT NULL,
    confidence  REAL    NOT NULL,
    PRIMARY KEY (platform, project)
);
