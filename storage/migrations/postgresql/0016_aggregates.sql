-- PostgreSQL's form of ../0016_aggregates.sql: BIGINT for the unix times (past 2038), DOUBLE PRECISION for REAL (a
-- REAL there is 4 bytes, which would round pay figures); counts stay INTEGER, so sums of them are integers.
-- Aggregates of the reports, kept by storage/aggregates.py in the same transaction as every write to reports
-- (a report, a repeat, a retraction, a hide or unhide, /forget, a clock put right), so the long windows (the
-- 8-week drought baseline, /pay, /legit's 90 days, the digest's chart) are read from a few rows instead of every
-- report. `queuewatch aggregates rebuild` recomputes them from the reports with the statements below. They hold
-- no reporter: only platform, kind and time buckets. Plain SQL, so a PostgreSQL backend keeps the same tables.

-- Visible reports per platform, kind and UTC hour of updated_at.
CREATE TABLE report_hours (
    platform TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    hour     BIGINT  NOT NULL,   -- unix seconds, a multiple of 3600
    n        INTEGER NOT NULL,
    PRIMARY KEY (platform, kind, hour)
);
CREATE INDEX report_hours_by_hour ON report_hours (hour, platform, n);
CREATE INDEX report_hours_covering ON report_hours (platform, kind, hour, n);

-- Distinct reporters of a visible platform-wide drought report (project '') with updated_at in the 6 hours
-- [slot_end - 6 h, slot_end), per platform and whole hour slot_end: the hour-of-week baseline sums 8 of them.
CREATE TABLE drought_slots (
    platform  TEXT    NOT NULL,
    slot_end  BIGINT  NOT NULL,   -- unix seconds, a multiple of 3600
    reporters INTEGER NOT NULL,
    PRIMARY KEY (slot_end, platform)
);
CREATE INDEX drought_slots_covering ON drought_slots (slot_end, platform, reporters);

-- The figures /pay and the digest take medians and quartiles of, exactly: per platform, kind, UTC day of
-- updated_at, tag and value, how many visible reports gave that value. payrate: tag = role ('' when none),
-- value = hourly_usd (NULL figures are left out); onboarding: tag = paid ('1', '0', '' when unknown),
-- value = hours (-1 when not given).
CREATE TABLE report_values (
    platform TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    day      BIGINT  NOT NULL,   -- unix seconds, a multiple of 86400
    tag      TEXT    NOT NULL,
    value    DOUBLE PRECISION NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (platform, kind, day, tag, value)
);
CREATE INDEX report_values_by_day ON report_values (kind, day, platform, value, n);
CREATE INDEX report_values_covering ON report_values (platform, kind, day, tag, value, n);

INSERT INTO report_hours (platform, kind, hour, n)
    SELECT platform, kind, updated_at - updated_at % 3600, count(*) FROM reports WHERE hidden = 0
    GROUP BY platform, kind, updated_at - updated_at % 3600;
INSERT INTO drought_slots (platform, slot_end, reporters)
    WITH k(n) AS (VALUES (1), (2), (3), (4), (5), (6))
    SELECT r.platform, r.updated_at - r.updated_at % 3600 + k.n * 3600, count(DISTINCT r.reporter)
    FROM reports r CROSS JOIN k WHERE r.kind = 'drought' AND r.project = '' AND r.hidden = 0
    GROUP BY r.platform, r.updated_at - r.updated_at % 3600 + k.n * 3600;
INSERT INTO report_values (platform, kind, day, tag, value, n)
    SELECT platform, kind, updated_at - updated_at % 86400, coalesce(role, ''), hourly_usd, count(*) FROM reports
    WHERE kind = 'payrate' AND hidden = 0 AND hourly_usd IS NOT NULL
    GROUP BY platform, kind, updated_at - updated_at % 86400, coalesce(role, ''), hourly_usd;
INSERT INTO report_values (platform, kind, day, tag, value, n)
    SELECT platform, kind, updated_at - updated_at % 86400,
           CASE WHEN paid IS NULL THEN '' WHEN paid = 0 THEN '0' ELSE '1' END, coalesce(hours, -1), count(*)
    FROM reports WHERE kind = 'onboarding' AND hidden = 0
    GROUP BY platform, kind, updated_at - updated_at % 86400,
             CASE WHEN paid IS NULL THEN '' WHEN paid = 0 THEN '0' ELSE '1' END, coalesce(hours, -1);
