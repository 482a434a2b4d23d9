-- Who took part, kept as reports arrive, so the digest counts distinct people in a week without reading the
-- week's reports (at 10M stored reports a week held 1.9M of them and each count(DISTINCT reporter) took 3-5 s).
-- - reporter_activity: per scope and person, the updated_at of that person's latest visible report in the scope.
--   Scopes: '' everyone; 'p:' || platform; 'c:' || community; 'k:' || platform || '|' || kind for the payment
--   kinds; 'j:' || platform || '|' || kind || '|' || project for the project kinds (a named project only).
-- - activity_hours: for the scopes '', 'p:' and 'k:' (the big ones), how many people have their latest report in
--   each UTC hour: the people active since a whole hour h are the sum of the hours from h on.
-- While no report is later than a window's end (a digest of the week before now), "a visible report in
-- [start, end)" is "a latest report at or after start" (storage/activity.py; an older window reads the reports).
-- A report in or its repeat moves a latest time up (and its person from one hour to a later one); a report out
-- (deleted, hidden, moved to another platform, kind, project or community, its time put back) that held a latest
-- time has it recomputed from the person's remaining reports. An hour whose count falls to 0 is removed. A rekey
-- moves the hashes like every other (storage/keys.py), so no trigger watches `reporter`.
-- `queuewatch aggregates rebuild` recomputes both (storage/activity.py REBUILD).

CREATE TABLE reporter_activity (
    scope    TEXT    NOT NULL,
    reporter TEXT    NOT NULL,
    latest   INTEGER NOT NULL,
    PRIMARY KEY (scope, reporter)
) WITHOUT ROWID;
CREATE TABLE activity_hours (
    scope TEXT    NOT NULL,
    hour  INTEGER NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (scope, hour)
) WITHOUT ROWID;

CREATE TRIGGER reports_activity_insert AFTER INSERT ON reports WHEN NEW.hidden = 0 BEGIN
    UPDATE activity_hours SET n = n - 1
        WHERE (scope, hour) IN (SELECT a.scope, a.latest - a.latest % 3600 FROM reporter_activity a
                                WHERE a.scope IN ('', 'p:' || NEW.platform,
                                                  CASE WHEN NEW.kind IN ('paid_on_time', 'paid_late', 'payment_missing')
                                                       THEN 'k:' || NEW.platform || '|' || NEW.kind END)
                                AND a.reporter = NEW.reporter
                                AND a.latest - a.latest % 3600 < NEW.updated_at - NEW.updated_at % 3600);
    DELETE FROM activity_hours
        WHERE n <= 0 AND (scope, hour) IN (SELECT a.scope, a.latest - a.latest % 3600 FROM reporter_activity a
                                WHERE a.scope IN ('', 'p:' || NEW.platform,
                                                  CASE WHEN NEW.kind IN ('paid_on_time', 'paid_late', 'payment_missing')
                                                       THEN 'k:' || NEW.platform || '|' || NEW.kind END)
                                AND a.reporter = NEW.reporter
                                AND a.latest - a.latest % 3600 < NEW.updated_at - NEW.updated_at % 3600);
    INSERT INTO activity_hours (scope, hour, n)
        SELECT s.scope, NEW.updated_at - NEW.updated_at % 3600, 1
        FROM (SELECT '' AS scope UNION ALL SELECT 'p:' || NEW.platform
              UNION ALL SELECT CASE WHEN NEW.kind IN ('paid_on_time', 'paid_late', 'payment_missing')
                               THEN 'k:' || NEW.platform || '|' || NEW.kind END) AS s
        WHERE s.scope IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM reporter_activity a WHERE a.scope = s.scope AND a.reporter = NEW.reporter
                          AND a.latest - a.latest % 3600 >= NEW.updated_at - NEW.updated_at % 3600)
        ON CONFLICT (scope, hour) DO UPDATE SET n = n + 1;
    INSERT INTO reporter_activity (scope, reporter, latest)
        SELECT s.scope, NEW.reporter, NEW.updated_at
        FROM (SELECT '' AS scope UNION ALL SELECT 'p:' || NEW.platform UNION ALL SELECT 'c:' || NEW.community
              UNION ALL SELECT CASE WHEN NEW.kind IN ('paid_on_time', 'paid_late', 'payment_missing')
                                    THEN 'k:' || NEW.platform || '|' || NEW.kind END
              UNION ALL SELECT CASE WHEN NEW.kind IN ('project_paused', 'project_ended') AND NEW.project != ''
                                    THEN 'j:' || NEW.platform || '|' || NEW.kind || '|' || NEW.project END) AS s
        WHERE s.scope IS NOT NULL
        ON CONFLICT (scope, reporter) DO UPDATE SET latest = excluded.latest WHERE excluded.latest > latest;
END;

-- A report that held someone's latest time in a scope went out: recompute it from their visible reports.
CREATE TRIGGER reports_activity_delete AFTER DELETE ON reports WHEN OLD.hidden = 0 BEGIN
    UPDATE activity_hours SET n = n - 1
        WHERE (scope, hour) IN (SELECT a.scope, a.latest - a.latest % 3600 FROM reporter_activity a
                                WHERE a.scope IN ('', 'p:' || OLD.platform,
                                                  CASE WHEN OLD.kind IN ('paid_on_time', 'paid_late', 'payment_missing')
                                                       THEN 'k:' || OLD.platform || '|' || OLD.kind END)
                                AND a.reporter = OLD.reporter
                                AND a.latest = OLD.updated_at);
    DELETE FROM activity_hours
        WHERE n <= 0 AND (scope, hour) IN (SELECT a.scope, a.latest - a.latest % 3600 FROM reporter_activity a
                                WHERE a.scope IN ('', 'p:' || OLD.platform,
                                                  CASE WHEN OLD.kind IN ('paid_on_time', 'paid_late', 'payment_missing')
                                                       THEN 'k:' || OLD.platform || '|' || OLD.kind END)
                                AND a.reporter = OLD.reporter
                                AND a.latest = OLD.updated_at);
    INSERT INTO activity_hours (scope, hour, n)
        SELECT x.scope, x.m - x.m % 3600, 1
        FROM (SELECT a.scope, (SELECT max(r.updated_at) FROM reports r WHERE r.reporter = OLD.reporter
                                AND r.hidden = 0 AND (a.scope = '' OR r.platform = OLD.platform
                                                       AND (a.scope LIKE 'p:%' OR r.kind = OLD.kind))) AS m
              FROM reporter_activity a WHERE a.scope IN ('', 'p:' || OLD.platform,
                                                  CASE WHEN OLD.kind IN ('paid_on_time', 'paid_late', 'payment_missing')
                                                       THEN 'k:' || OLD.platform || '|' || OLD.kind END)
                                AND a.reporter = OLD.reporter
              AND a.latest = OLD.updated_at) AS x
        WHERE x.m IS NOT NULL
        ON CONFLICT (scope, hour) DO UPDATE SET n = n + 1;
    UPDATE reporter_activity
        SET latest = coalesce((SELECT max(r.updated_at) FROM reports r WHERE r.reporter = OLD.reporter AND r.hidden = 0
                               AND CASE substr(reporter_activity.scope, 1, 2)
                                   WHEN 'p:' THEN r.platform = OLD.platform
                                   WHEN 'c:' THEN r.community = OLD.community
                                   WHEN 'k:' THEN r.platform = OLD.platform AND r.kind = OLD.kind
                                   WHEN 'j:' THEN r.platform = OLD.platform AND r.kind = OLD.kind
                                                  AND r.project = OLD.project
                                   ELSE 1 END), -1)
        WHERE reporter = OLD.reporter AND latest = OLD.updated_at
        AND scope IN ('', 'p:' || OLD.platform, 'c:' || OLD.community, 'k:' || OLD.platform || '|' || OLD.kind,
                      'j:' || OLD.platform || '|' || OLD.kind || '|' || OLD.project);
    DELETE FROM reporter_activity WHERE reporter = OLD.reporter AND latest = -1
        AND scope IN ('', 'p:' || OLD.platform, 'c:' || OLD.community, 'k:' || OLD.platform || '|' || OLD.kind,
                      'j:' || OLD.platform || '|' || OLD.kind || '|' || OLD.project);
END;

-- The same, for a report that leaves its scopes by an update: hidden, moved, or its time put back.
CREATE TRIGGER reports_activity_out AFTER UPDATE ON reports
    WHEN OLD.hidden = 0 AND (NEW.hidden != 0 OR NEW.updated_at < OLD.updated_at OR NEW.platform != OLD.platform
                             OR NEW.kind != OLD.kind OR NEW.project != OLD.project
                             OR NEW.community IS NOT OLD.community) BEGIN
    UPDATE activity_hours SET n = n - 1
        WHERE (scope, hour) IN (SELECT a.scope, a.latest - a.latest % 3600 FROM reporter_activity a
                                WHERE a.scope IN ('', 'p:' || OLD.platform,
                                                  CASE WHEN OLD.kind IN ('paid_on_time', 'paid_late', 'payment_missing')
                                                       THEN 'k:' || OLD.platform || '|' || OLD.kind END)
                                AND a.reporter = OLD.reporter
                                AND a.latest = OLD.updated_at);
    DELETE FROM activity_hours
        WHERE n <= 0 AND (scope, hour) IN (SELECT a.scope, a.latest - a.latest % 3600 FROM reporter_activity a
                                WHERE a.scope IN ('', 'p:' || OLD.platform,
                                                  CASE WHEN OLD.kind IN ('paid_on_time', 'paid_late', 'payment_missing')
                                                       THEN 'k:' || OLD.platform || '|' || OLD.kind END)
                                AND a.reporter = OLD.reporter
                                AND a.latest = OLD.updated_at);
    INSERT INTO activity_hours (scope, hour, n)
        SELECT x.scope, x.m - x.m % 3600, 1
        FROM (SELECT a.scope, (SELECT max(r.updated_at) FROM reports r WHERE r.reporter = OLD.reporter
                                AND r.hidden = 0 AND (a.scope = '' OR r.platform = OLD.platform
                                                       AND (a.scope LIKE 'p:%' OR r.kind = OLD.kind))) AS m
              FROM reporter_activity a WHERE a.scope IN ('', 'p:' || OLD.platform,
                                                  CASE WHEN OLD.kind IN ('paid_on_time', 'paid_late', 'payment_missing')
                                                       THEN 'k:' || OLD.platform || '|' || OLD.kind END)
                                AND a.reporter = OLD.reporter
              AND a.latest = OLD.updated_at) AS x
        WHERE x.m IS NOT NULL
        ON CONFLICT (scope, hour) DO UPDATE SET n = n + 1;
    UPDATE reporter_activity
        SET latest = coalesce((SELECT max(r.updated_at) FROM reports r WHERE r.reporter = OLD.reporter AND r.hidden = 0
                               AND CASE substr(reporter_activity.scope, 1, 2)
                                   WHEN 'p:' THEN r.platform = OLD.platform
                                   WHEN 'c:' THEN r.community = OLD.community
                                   WHEN 'k:' THEN r.platform = OLD.platform AND r.kind = OLD.kind
                                   WHEN 'j:' THEN r.platform = OLD.platform AND r.kind = OLD.kind
                                                  AND r.project = OLD.project
                                   ELSE 1 END), -1)
        WHERE reporter = OLD.reporter AND latest = OLD.updated_at
        AND scope IN ('', 'p:' || OLD.platform, 'c:' || OLD.community, 'k:' || OLD.platform || '|' || OLD.kind,
                      'j:' || OLD.platform || '|' || OLD.kind || '|' || OLD.project);
    DELETE FROM reporter_activity WHERE reporter = OLD.reporter AND latest = -1
        AND scope IN ('', 'p:' || OLD.platform, 'c:' || OLD.community, 'k:' || OLD.platform || '|' || OLD.kind,
                      'j:' || OLD.platform || '|' || OLD.kind || '|' || OLD.project);
END;

-- A report that enters scopes or moves its time up by an update: a repeat, an unhide, a move.
CREATE TRIGGER reports_activity_in AFTER UPDATE ON reports
    WHEN NEW.hidden = 0 AND (OLD.hidden != 0 OR NEW.updated_at > OLD.updated_at OR NEW.platform != OLD.platform
                             OR NEW.kind != OLD.kind OR NEW.project != OLD.project
                             OR NEW.community IS NOT OLD.community) BEGIN
    UPDATE activity_hours SET n = n - 1
        WHERE (scope, hour) IN (SELECT a.scope, a.latest - a.latest % 3600 FROM reporter_activity a
                                WHERE a.scope IN ('', 'p:' || NEW.platform,
                                                  CASE WHEN NEW.kind IN ('paid_on_time', 'paid_late', 'payment_missing')
                                                       THEN 'k:' || NEW.platform || '|' || NEW.kind END)
                                AND a.reporter = NEW.reporter
                                AND a.latest - a.latest % 3600 < NEW.updated_at - NEW.updated_at % 3600);
    DELETE FROM activity_hours
        WHERE n <= 0 AND (scope, hour) IN (SELECT a.scope, a.latest - a.latest % 3600 FROM reporter_activity a
                                WHERE a.scope IN ('', 'p:' || NEW.platform,
                                                  CASE WHEN NEW.kind IN ('paid_on_time', 'paid_late', 'payment_missing')
                                                       THEN 'k:' || NEW.platform || '|' || NEW.kind END)
                                AND a.reporter = NEW.reporter
                                AND a.latest - a.latest % 3600 < NEW.updated_at - NEW.updated_at % 3600);
    INSERT INTO activity_hours (scope, hour, n)
        SELECT s.scope, NEW.updated_at - NEW.updated_at % 3600, 1
        FROM (SELECT '' AS scope UNION ALL SELECT 'p:' || NEW.platform
              UNION ALL SELECT CASE WHEN NEW.kind IN ('paid_on_time', 'paid_late', 'payment_missing')
                               THEN 'k:' || NEW.platform || '|' || NEW.kind END) AS s
        WHERE s.scope IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM reporter_activity a WHERE a.scope = s.scope AND a.reporter = NEW.reporter
                          AND a.latest - a.latest % 3600 >= NEW.updated_at - NEW.updated_at % 3600)
        ON CONFLICT (scope, hour) DO UPDATE SET n = n + 1;
    INSERT INTO reporter_activity (scope, reporter, latest)
        SELECT s.scope, NEW.reporter, NEW.updated_at
        FROM (SELECT '' AS scope UNION ALL SELECT 'p:' || NEW.platform UNION ALL SELECT 'c:' || NEW.community
              UNION ALL SELECT CASE WHEN NEW.kind IN ('paid_on_time', 'paid_late', 'payment_missing')
                                    THEN 'k:' || NEW.platform || '|' || NEW.kind END
              UNION ALL SELECT CASE WHEN NEW.kind IN ('project_paused', 'project_ended') AND NEW.project != ''
                                    THEN 'j:' || NEW.platform || '|' || NEW.kind || '|' || NEW.project END) AS s
        WHERE s.scope IS NOT NULL
        ON CONFLICT (scope, reporter) DO UPDATE SET latest = excluded.latest WHERE excluded.latest > latest;
END;

-- The reports already stored (storage/activity.py REBUILD's statements), then the index the reads use.
INSERT INTO reporter_activity (scope, reporter, latest)
    WITH found AS MATERIALIZED (
        SELECT reporter, platform, kind, project, community, max(updated_at) AS latest FROM reports
        WHERE hidden = 0 GROUP BY reporter, platform, kind, project, community)
    SELECT '', reporter, max(latest) FROM found GROUP BY reporter
    UNION ALL SELECT 'p:' || platform, reporter, max(latest) FROM found GROUP BY platform, reporter
    UNION ALL SELECT 'c:' || community, reporter, max(latest) FROM found WHERE community IS NOT NULL
        GROUP BY community, reporter
    UNION ALL SELECT 'k:' || platform || '|' || kind, reporter, max(latest) FROM found
        WHERE kind IN ('paid_on_time', 'paid_late', 'payment_missing') GROUP BY platform, kind, reporter
    UNION ALL SELECT 'j:' || platform || '|' || kind || '|' || project, reporter, max(latest) FROM found
        WHERE kind IN ('project_paused', 'project_ended') AND project != '' GROUP BY platform, kind, project, reporter;
INSERT INTO activity_hours (scope, hour, n)
    SELECT scope, latest - latest % 3600, count(*) FROM reporter_activity
    WHERE scope = '' OR substr(scope, 1, 2) IN ('p:', 'k:') GROUP BY scope, latest - latest % 3600;
CREATE INDEX reporter_activity_by_latest ON reporter_activity (scope, latest);
-- One community's reports of a week are counted from the index alone (hidden ones left out).
DROP INDEX reports_by_community;
CREATE INDEX reports_by_community ON reports (community, updated_at, hidden);
