-- PostgreSQL's form of ../0019_aggregate_triggers.sql: the same rules, kept by plpgsql trigger functions (each
-- takes the row out as it was, OLD, and puts it in as it is, NEW; the WHEN clauses run them only when a column the
-- aggregate is made of changed). Comments on the rules are in the shared file. One addition: PostgreSQL runs
-- writers side by side, so a drought report first takes a transaction lock on its reporter and platform; a
-- concurrent report of the same reporter then waits, and its check of their other reports sees this one.

CREATE FUNCTION reports_hours() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.hidden = 0 THEN
        INSERT INTO report_hours (platform, kind, hour, n)
            VALUES (NEW.platform, NEW.kind, NEW.updated_at - NEW.updated_at % 3600, 1)
            ON CONFLICT (platform, kind, hour) DO UPDATE SET n = report_hours.n + 1;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.hidden = 0 THEN
        UPDATE report_hours SET n = n - 1
            WHERE platform = OLD.platform AND kind = OLD.kind AND hour = OLD.updated_at - OLD.updated_at % 3600;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER reports_hours_insert AFTER INSERT ON reports
    FOR EACH ROW WHEN (NEW.hidden = 0) EXECUTE FUNCTION reports_hours();
CREATE TRIGGER reports_hours_delete AFTER DELETE ON reports
    FOR EACH ROW WHEN (OLD.hidden = 0) EXECUTE FUNCTION reports_hours();
CREATE TRIGGER reports_hours_update AFTER UPDATE OF hidden, platform, kind, updated_at ON reports
    FOR EACH ROW WHEN ((OLD.hidden = 0 OR NEW.hidden = 0) AND ((OLD.hidden = 0) <> (NEW.hidden = 0)
        OR OLD.platform <> NEW.platform OR OLD.kind <> NEW.kind
        OR OLD.updated_at - OLD.updated_at % 3600 <> NEW.updated_at - NEW.updated_at % 3600))
    EXECUTE FUNCTION reports_hours();

-- A report's place in report_values: whether it is counted, its tag and its value.
CREATE FUNCTION report_value_counted(kind TEXT, hidden BIGINT, hourly_usd DOUBLE PRECISION) RETURNS BOOLEAN
    LANGUAGE sql IMMUTABLE AS
    $$ SELECT hidden = 0 AND (kind = 'onboarding' OR (kind = 'payrate' AND hourly_usd IS NOT NULL)) $$;
CREATE FUNCTION report_value_tag(kind TEXT, role TEXT, paid BIGINT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS
    $$ SELECT CASE WHEN kind = 'payrate' THEN coalesce(role, '') WHEN paid IS NULL THEN '' WHEN paid = 0 THEN '0'
                   ELSE '1' END $$;
CREATE FUNCTION report_value_of(kind TEXT, hourly_usd DOUBLE PRECISION, hours DOUBLE PRECISION)
    RETURNS DOUBLE PRECISION LANGUAGE sql IMMUTABLE AS
    $$ SELECT CASE WHEN kind = 'payrate' THEN hourly_usd ELSE coalesce(hours, -1) END $$;

CREATE FUNCTION reports_values() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_tag TEXT;
    old_value DOUBLE PRECISION;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') AND report_value_counted(NEW.kind, NEW.hidden, NEW.hourly_usd) THEN
        INSERT INTO report_values (platform, kind, day, tag, value, n)
            VALUES (NEW.platform, NEW.kind, NEW.updated_at - NEW.updated_at % 86400,
                    report_value_tag(NEW.kind, NEW.role, NEW.paid),
                    report_value_of(NEW.kind, NEW.hourly_usd, NEW.hours), 1)
            ON CONFLICT (platform, kind, day, tag, value) DO UPDATE SET n = report_values.n + 1;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') AND report_value_counted(OLD.kind, OLD.hidden, OLD.hourly_usd) THEN
        old_tag := report_value_tag(OLD.kind, OLD.role, OLD.paid);
        old_value := report_value_of(OLD.kind, OLD.hourly_usd, OLD.hours);
        UPDATE report_values SET n = n - 1
            WHERE platform = OLD.platform AND kind = OLD.kind AND day = OLD.updated_at - OLD.updated_at % 86400
            AND tag = old_tag AND value = old_value;
        DELETE FROM report_values
            WHERE platform = OLD.platform AND kind = OLD.kind AND day = OLD.updated_at - OLD.updated_at % 86400
            AND tag = old_tag AND value = old_value AND n <= 0;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER reports_values_insert AFTER INSERT ON reports
    FOR EACH ROW WHEN (report_value_counted(NEW.kind, NEW.hidden, NEW.hourly_usd)) EXECUTE FUNCTION reports_values();
CREATE TRIGGER reports_values_delete AFTER DELETE ON reports
    FOR EACH ROW WHEN (report_value_counted(OLD.kind, OLD.hidden, OLD.hourly_usd)) EXECUTE FUNCTION reports_values();
CREATE TRIGGER reports_values_update AFTER UPDATE OF hidden, platform, kind, updated_at, role, hourly_usd, hours, paid
    ON reports FOR EACH ROW WHEN (
        (report_value_counted(OLD.kind, OLD.hidden, OLD.hourly_usd)
         OR report_value_counted(NEW.kind, NEW.hidden, NEW.hourly_usd))
        AND NOT (report_value_counted(OLD.kind, OLD.hidden, OLD.hourly_usd)
                 AND report_value_counted(NEW.kind, NEW.hidden, NEW.hourly_usd)
                 AND OLD.platform = NEW.platform AND OLD.kind = NEW.kind
                 AND OLD.updated_at - OLD.updated_at % 86400 = NEW.updated_at - NEW.updated_at % 86400
                 AND report_value_tag(OLD.kind, OLD.role, OLD.paid) = report_value_tag(NEW.kind, NEW.role, NEW.paid)
                 AND report_value_of(OLD.kind, OLD.hourly_usd, OLD.hours)
                     = report_value_of(NEW.kind, NEW.hourly_usd, NEW.hours)))
    EXECUTE FUNCTION reports_values();

CREATE FUNCTION reports_slots() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    mine BOOLEAN := TG_OP IN ('INSERT', 'UPDATE') AND NEW.kind = 'drought' AND NEW.project = '' AND NEW.hidden = 0;
    was BOOLEAN := TG_OP IN ('DELETE', 'UPDATE') AND OLD.kind = 'drought' AND OLD.project = '' AND OLD.hidden = 0;
BEGIN
    IF mine THEN
        PERFORM pg_advisory_xact_lock(hashtext('drought_slots:' || NEW.reporter || ':' || NEW.platform));
        INSERT INTO drought_slots (platform, slot_end, reporters)
            SELECT NEW.platform, s.slot_end, 1
            FROM (SELECT NEW.updated_at - NEW.updated_at % 3600 + 3600 * k AS slot_end
                  FROM generate_series(1, 6) AS k) AS s
            WHERE NOT EXISTS (SELECT 1 FROM reports o WHERE o.reporter = NEW.reporter AND o.platform = NEW.platform
                              AND o.kind = 'drought' AND o.project = '' AND o.window_start > s.slot_end - 43200
                              AND o.id <> NEW.id AND o.hidden = 0 AND o.updated_at >= s.slot_end - 21600
                              AND o.updated_at < s.slot_end)
            ON CONFLICT (slot_end, platform) DO UPDATE SET reporters = drought_slots.reporters + 1;
    END IF;
    IF was THEN
        PERFORM pg_advisory_xact_lock(hashtext('drought_slots:' || OLD.reporter || ':' || OLD.platform));
        UPDATE drought_slots d SET reporters = d.reporters - 1
            WHERE d.platform = OLD.platform
            AND d.slot_end IN (SELECT OLD.updated_at - OLD.updated_at % 3600 + 3600 * k FROM generate_series(1, 6) AS k)
            AND NOT EXISTS (SELECT 1 FROM reports o WHERE o.reporter = OLD.reporter AND o.platform = OLD.platform
                            AND o.kind = 'drought' AND o.project = '' AND o.window_start > d.slot_end - 43200
                            AND o.id <> OLD.id AND o.hidden = 0 AND o.updated_at >= d.slot_end - 21600
                            AND o.updated_at < d.slot_end);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER reports_slots_insert AFTER INSERT ON reports
    FOR EACH ROW WHEN (NEW.kind = 'drought' AND NEW.project = '' AND NEW.hidden = 0) EXECUTE FUNCTION reports_slots();
CREATE TRIGGER reports_slots_delete AFTER DELETE ON reports
    FOR EACH ROW WHEN (OLD.kind = 'drought' AND OLD.project = '' AND OLD.hidden = 0) EXECUTE FUNCTION reports_slots();
CREATE TRIGGER reports_slots_update AFTER UPDATE OF hidden, platform, kind, project, updated_at ON reports
    FOR EACH ROW WHEN ((OLD.kind = 'drought' AND OLD.project = '' AND OLD.hidden = 0
                        OR NEW.kind = 'drought' AND NEW.project = '' AND NEW.hidden = 0)
        AND NOT (OLD.kind = 'drought' AND OLD.project = '' AND OLD.hidden = 0
                 AND NEW.kind = 'drought' AND NEW.project = '' AND NEW.hidden = 0 AND OLD.platform = NEW.platform
                 AND OLD.updated_at - OLD.updated_at % 3600 = NEW.updated_at - NEW.updated_at % 3600))
    EXECUTE FUNCTION reports_slots();
