-- PostgreSQL's form of ../0026_reporter_activity.sql: the same tables and rules (comments on them are in the shared
-- file), with one plpgsql trigger function. One addition: PostgreSQL runs writers side by side, and latest times
-- are read and moved over several rows, so the trigger and a batch (storage/activity.py) first take one
-- transaction lock (both are rare: a report going out or coming in by an update, a batch a minute).

CREATE TABLE reporter_activity (
    scope    TEXT   COLLATE "C" NOT NULL,  -- byte order, as on SQLite: a kind of scope is one range
    reporter TEXT   NOT NULL,
    latest   BIGINT NOT NULL,
    PRIMARY KEY (scope, reporter)
);
CREATE TABLE activity_hours (
    scope TEXT    COLLATE "C" NOT NULL,
    hour  BIGINT  NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (scope, hour)
);
CREATE TABLE activity_progress (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    last_id BIGINT  NOT NULL,
    last_at BIGINT  NOT NULL
);

-- The scopes a report counts in ('', 'p:' and 'k:' are also kept per hour, in activity_hours).
CREATE FUNCTION report_activity_scopes(platform TEXT, kind TEXT, project TEXT, community TEXT) RETURNS TEXT[]
    LANGUAGE sql IMMUTABLE AS
    $$ SELECT array_remove(ARRAY['', 'p:' || platform, 'c:' || community,
                                 CASE WHEN kind IN ('paid_on_time', 'paid_late', 'payment_missing')
                                      THEN 'k:' || platform || '|' || kind END,
                                 CASE WHEN kind IN ('project_paused', 'project_ended') AND project <> ''
                                      THEN 'j:' || platform || '|' || kind || '|' || project END], NULL) $$;

CREATE FUNCTION reports_activity() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s TEXT;
    was BIGINT;
    m BIGINT;
    moved BOOLEAN := TG_OP = 'UPDATE' AND (NEW.platform <> OLD.platform OR NEW.kind <> OLD.kind
                                           OR NEW.project <> OLD.project
                                           OR NEW.community IS DISTINCT FROM OLD.community);
    -- (a new report or a repeat only moves a time up: storage/activity.py catch_up takes those in batches, all
    -- but a repeat dated before the batches look for repeats)
    new_in BOOLEAN := TG_OP = 'UPDATE' AND NEW.hidden = 0 AND (OLD.hidden <> 0 OR moved
        OR NEW.updated_at > OLD.updated_at AND NEW.updated_at < (SELECT last_at - 300 FROM activity_progress));
    old_in BOOLEAN := OLD.hidden = 0 AND (TG_OP = 'DELETE' OR NEW.hidden <> 0 OR NEW.updated_at < OLD.updated_at
                                          OR moved);
BEGIN
    IF NOT (new_in OR old_in) THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('reporter_activity', 26));
    IF old_in THEN
        FOREACH s IN ARRAY report_activity_scopes(OLD.platform, OLD.kind, OLD.project, OLD.community) LOOP
            SELECT latest INTO was FROM reporter_activity WHERE scope = s AND reporter = OLD.reporter;
            CONTINUE WHEN was IS NULL OR was > OLD.updated_at;  -- (a report not yet caught up may hold it)
            SELECT max(r.updated_at) INTO m FROM reports r WHERE r.reporter = OLD.reporter AND r.hidden = 0
                AND CASE substr(s, 1, 2) WHEN 'p:' THEN r.platform = OLD.platform
                                         WHEN 'c:' THEN r.community = OLD.community
                                         WHEN 'k:' THEN r.platform = OLD.platform AND r.kind = OLD.kind
                                         WHEN 'j:' THEN r.platform = OLD.platform AND r.kind = OLD.kind
                                                        AND r.project = OLD.project
                                         ELSE true END;
            IF s = '' OR substr(s, 1, 2) IN ('p:', 'k:') THEN
                UPDATE activity_hours SET n = n - 1 WHERE scope = s AND hour = was - was % 3600;
                DELETE FROM activity_hours WHERE scope = s AND hour = was - was % 3600 AND n <= 0;
                IF m IS NOT NULL THEN
                    INSERT INTO activity_hours AS h (scope, hour, n) VALUES (s, m - m % 3600, 1)
                        ON CONFLICT (scope, hour) DO UPDATE SET n = h.n + 1;
                END IF;
            END IF;
            IF m IS NULL THEN
                DELETE FROM reporter_activity WHERE scope = s AND reporter = OLD.reporter;
            ELSE
                UPDATE reporter_activity SET latest = m WHERE scope = s AND reporter = OLD.reporter;
            END IF;
        END LOOP;
    END IF;
    IF new_in THEN
        FOREACH s IN ARRAY report_activity_scopes(NEW.platform, NEW.kind, NEW.project, NEW.community) LOOP
            SELECT latest INTO was FROM reporter_activity WHERE scope = s AND reporter = NEW.reporter;
            CONTINUE WHEN was >= NEW.updated_at;
            IF (s = '' OR substr(s, 1, 2) IN ('p:', 'k:')) AND (was IS NULL OR was - was % 3600 < NEW.updated_at - NEW.updated_at % 3600) THEN
                UPDATE activity_hours SET n = n - 1 WHERE scope = s AND hour = was - was % 3600;
                DELETE FROM activity_hours WHERE scope = s AND hour = was - was % 3600 AND n <= 0;
                INSERT INTO activity_hours AS h (scope, hour, n) VALUES (s, NEW.updated_at - NEW.updated_at % 3600, 1)
                    ON CONFLICT (scope, hour) DO UPDATE SET n = h.n + 1;
            END IF;
            INSERT INTO reporter_activity AS a (scope, reporter, latest) VALUES (s, NEW.reporter, NEW.updated_at)
                ON CONFLICT (scope, reporter) DO UPDATE SET latest = excluded.latest;
        END LOOP;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER reports_activity AFTER UPDATE OR DELETE ON reports
    FOR EACH ROW EXECUTE FUNCTION reports_activity();

-- The reports already stored are taken by the batches, a transaction at a time from the first id (a fill here
-- held the start for 17 minutes at 10M reports); repeats are looked for from now.
INSERT INTO activity_progress (id, last_id, last_at)
    SELECT 1, 0, least(coalesce(max(updated_at), 0), CAST(extract(epoch FROM now()) AS BIGINT))
    FROM reports HAVING count(*) > 0;  -- (none on an empty database: a copy's target must be empty)
CREATE INDEX reporter_activity_by_latest ON reporter_activity (scope, latest);
DROP INDEX reports_by_community;
CREATE INDEX reports_by_community ON reports (community, updated_at, hidden);
