-- Moderation, reporter trust and community notes.
-- People appear only as keyed hashes (HMAC of "platform:user id"), except a moderator's display name in
-- the audit log (accountability: other moderators must be able to see who acted). Times are unix seconds.

-- Why a report was hidden (reports.hidden = 1); the audit log keeps the history.
ALTER TABLE reports ADD COLUMN hidden_reason TEXT;
-- /mod_reports: one community's newest reports.
CREATE INDEX reports_by_community ON reports (community, updated_at);

-- Every moderator action: who did what, when, why. Never names the reporter behind a report.
CREATE TABLE moderation_log (
    id          INTEGER PRIMARY KEY,
    community   TEXT    NOT NULL,             -- community key where the action was taken
    actor       TEXT    NOT NULL,             -- keyed hash of the moderator ('' once they used /forget)
    actor_name  TEXT    NOT NULL,             -- the moderator's display name at the time
    action      TEXT    NOT NULL,             -- hide, unhide, bar, unbar, note, note_cleared
    report_id   INTEGER,                      -- the report acted on, if any (not a foreign key: kept after /forget)
    platform    TEXT,                         -- the platform acted on, if any
    reason      TEXT    NOT NULL DEFAULT '',
    at          INTEGER NOT NULL
);
CREATE INDEX moderation_log_by_community ON moderation_log (community, at);
CREATE INDEX moderation_log_by_actor ON moderation_log (actor);

-- Reporters barred from reporting, one row per community that barred them; a bar counts everywhere,
-- because reports are pooled into one data set.
CREATE TABLE reporter_bars (
    reporter    TEXT    NOT NULL,             -- keyed hash
    community   TEXT    NOT NULL,             -- the community whose moderators barred them
    report_id   INTEGER NOT NULL,             -- the report the bar was placed through
    until       INTEGER NOT NULL,
    reason      TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (reporter, community)
);
CREATE INDEX reporter_bars_by_until ON reporter_bars (until);

-- How far each reporter's past reports agreed with the consensus that followed.
CREATE TABLE reporter_trust (
    reporter        TEXT    PRIMARY KEY,      -- keyed hash
    first_seen      INTEGER NOT NULL,         -- earliest report settled for them
    agreements      INTEGER NOT NULL DEFAULT 0,
    contradictions  INTEGER NOT NULL DEFAULT 0,
    updated_at      INTEGER NOT NULL
);

-- A moderator's note about a platform, shown under /legit in that community only (one per platform).
CREATE TABLE community_notes (
    community   TEXT    NOT NULL,
    platform    TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    author      TEXT    NOT NULL,             -- keyed hash of the moderator ('' once they used /forget)
    at          INTEGER NOT NULL,
    PRIMARY KEY (community, platform)
);
