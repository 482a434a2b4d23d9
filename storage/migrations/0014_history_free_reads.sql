-- Reads whose cost grows with their window, not with all history (issue 15's hot spots).

-- When each reporter first reported, per community ('' = a private chat): the brigading guard's "new reporter"
-- test in one primary-key lookup instead of a scan of the reporter's whole history. Kept by the triggers
-- below; lowered only, never raised (a retracted report was still made); /forget deletes the rows.
CREATE TABLE reporter_first_seen (
    reporter  TEXT    NOT NULL,
    community TEXT    NOT NULL,
    first_at  INTEGER NOT NULL,
    PRIMARY KEY (reporter, community)
) WITHOUT ROWID;
INSERT INTO reporter_first_seen (reporter, community, first_at)
    SELECT reporter, coalesce(community, ''), min(created_at) FROM reports GROUP BY reporter, coalesce(community, '');

CREATE TRIGGER reports_first_seen_insert AFTER INSERT ON reports BEGIN
    INSERT INTO reporter_first_seen (reporter, community, first_at)
        VALUES (NEW.reporter, coalesce(NEW.community, ''), NEW.created_at)
        ON CONFLICT (reporter, community) DO UPDATE SET first_at = excluded.first_at
        WHERE excluded.first_at < reporter_first_seen.first_at;
END;
-- A repeat can add a community (coalesce) and a clock put right can lower created_at. A reporter hash changes
-- only in `queuewatch rekey`, which moves this table's hashes itself.
CREATE TRIGGER reports_first_seen_update AFTER UPDATE OF created_at, community ON reports
    WHEN NEW.created_at < OLD.created_at OR NEW.community IS NOT OLD.community BEGIN
    INSERT INTO reporter_first_seen (reporter, community, first_at)
        VALUES (NEW.reporter, coalesce(NEW.community, ''), NEW.created_at)
        ON CONFLICT (reporter, community) DO UPDATE SET first_at = excluded.first_at
        WHERE excluded.first_at < reporter_first_seen.first_at;
END;

-- Visible reports per platform and kind, all time: the "All time" line of /legit's payment record in one row
-- instead of a count over every report. Kept by the triggers below on insert, delete, hide and unhide.
CREATE TABLE report_totals (
    platform TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (platform, kind)
) WITHOUT ROWID;
INSERT INTO report_totals (platform, kind, n)
    SELECT platform, kind, count(*) FROM reports WHERE hidden = 0 GROUP BY platform, kind;

CREATE TRIGGER reports_totals_insert AFTER INSERT ON reports WHEN NEW.hidden = 0 BEGIN
    INSERT INTO report_totals (platform, kind, n) VALUES (NEW.platform, NEW.kind, 1)
        ON CONFLICT (platform, kind) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER reports_totals_delete AFTER DELETE ON reports WHEN OLD.hidden = 0 BEGIN
    UPDATE report_totals SET n = n - 1 WHERE platform = OLD.platform AND kind = OLD.kind;
END;
CREATE TRIGGER reports_totals_update AFTER UPDATE OF hidden, platform, kind ON reports
    WHEN (OLD.hidden = 0) != (NEW.hidden = 0) OR OLD.platform != NEW.platform OR OLD.kind != NEW.kind BEGIN
    UPDATE report_totals SET n = n - 1 WHERE OLD.hidden = 0 AND platform = OLD.platform AND kind = OLD.kind;
    INSERT INTO report_totals (platform, kind, n) SELECT NEW.platform, NEW.kind, 1 WHERE NEW.hidden = 0
        ON CONFLICT (platform, kind) DO UPDATE SET n = n + 1;
END;

-- Onboarding hours of the last year (one story per person per year): a time range per platform, covered.
DROP INDEX reports_onboarding;
CREATE INDEX reports_onboarding_by_time ON reports (platform, kind, updated_at, hidden, paid, hours)
    WHERE kind = 'onboarding';
-- The digest's pay medians: a week and the four weeks before, every platform, read from this index alone
-- (it leads with kind like reports_by_kind_time, so the planner prefers it for being covering).
CREATE INDEX reports_payrate_by_time ON reports (kind, updated_at, platform, hidden, hourly_usd)
    WHERE kind = 'payrate';
-- The digest's latest whole-platform state per platform: one descent per platform.
CREATE INDEX status_events_by_project_platform ON status_events (project, platform, at);

-- The trust settle writes in short transactions: each reporter's record says up to which watermark it holds
-- the settled days, so a settle interrupted between two of them is finished, not counted twice, on retry.
ALTER TABLE reporter_trust ADD COLUMN settled_until INTEGER NOT NULL DEFAULT 0;
