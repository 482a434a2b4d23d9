-- PostgreSQL's form of ../0014_history_free_reads.sql: the same tables and indexes, kept by plpgsql triggers
-- instead of SQLite's trigger bodies (same rules: first_seen lowered only; totals kept on insert, delete, hide
-- and unhide). Comments on the rules are in the shared file.

CREATE TABLE reporter_first_seen (
    reporter  TEXT    NOT NULL,
    community TEXT    NOT NULL,
    first_at  BIGINT  NOT NULL,
    PRIMARY KEY (reporter, community)
);
INSERT INTO reporter_first_seen (reporter, community, first_at)
    SELECT reporter, coalesce(community, ''), min(created_at) FROM reports GROUP BY reporter, coalesce(community, '');

CREATE FUNCTION reports_first_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reporter_first_seen (reporter, community, first_at)
        VALUES (NEW.reporter, coalesce(NEW.community, ''), NEW.created_at)
        ON CONFLICT (reporter, community) DO UPDATE SET first_at = excluded.first_at
        WHERE excluded.first_at < reporter_first_seen.first_at;
    RETURN NULL;
END $$;
CREATE TRIGGER reports_first_seen_insert AFTER INSERT ON reports
    FOR EACH ROW EXECUTE FUNCTION reports_first_seen();
CREATE TRIGGER reports_first_seen_update AFTER UPDATE OF created_at, community ON reports
    FOR EACH ROW WHEN (NEW.created_at < OLD.created_at OR NEW.community IS DISTINCT FROM OLD.community)
    EXECUTE FUNCTION reports_first_seen();

CREATE TABLE report_totals (
    platform TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    n        BIGINT  NOT NULL,
    PRIMARY KEY (platform, kind)
);
INSERT INTO report_totals (platform, kind, n)
    SELECT platform, kind, count(*) FROM reports WHERE hidden = 0 GROUP BY platform, kind;

CREATE FUNCTION reports_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.hidden = 0 THEN
        UPDATE report_totals SET n = n - 1 WHERE platform = OLD.platform AND kind = OLD.kind;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.hidden = 0 THEN
        INSERT INTO report_totals (platform, kind, n) VALUES (NEW.platform, NEW.kind, 1)
            ON CONFLICT (platform, kind) DO UPDATE SET n = report_totals.n + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER reports_totals_insert AFTER INSERT ON reports
    FOR EACH ROW WHEN (NEW.hidden = 0) EXECUTE FUNCTION reports_totals();
CREATE TRIGGER reports_totals_delete AFTER DELETE ON reports
    FOR EACH ROW WHEN (OLD.hidden = 0) EXECUTE FUNCTION reports_totals();
CREATE TRIGGER reports_totals_update AFTER UPDATE OF hidden, platform, kind ON reports
    FOR EACH ROW WHEN ((OLD.hidden = 0) <> (NEW.hidden = 0) OR OLD.platform <> NEW.platform OR OLD.kind <> NEW.kind)
    EXECUTE FUNCTION reports_totals();

DROP INDEX reports_onboarding;
CREATE INDEX reports_onboarding_by_time ON reports (platform, kind, updated_at, hidden, paid, hours)
    WHERE kind = 'onboarding';
CREATE INDEX reports_payrate_by_time ON reports (kind, updated_at, platform, hidden, hourly_usd)
    WHERE kind = 'payrate';
CREATE INDEX status_events_by_project_platform ON status_events (project, platform, at);

ALTER TABLE reporter_trust ADD COLUMN settled_until BIGINT NOT NULL DEFAULT 0;
