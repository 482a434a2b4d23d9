-- Who took part, so the digest counts distinct people in a week without reading the week's reports (at 10M stored
-- reports a week held 1.9M of them, and each count(DISTINCT reporter) took 3-5 s).
-- - reporter_activity: per scope and person, the updated_at of that person's latest visible report in the scope.
--   Scopes: '' everyone; 'p:' || platform; 'c:' || community; 'k:' || platform || '|' || kind for the payment
--   kinds; 'j:' || platform || '|' || kind || '|' || project for the project kinds (a named project only).
-- - activity_hours: for the scopes '', 'p:' and 'k:' (the big ones), how many people have their latest report in
--   each UTC hour: the people active since a whole hour h are the sum of the hours from h on.
-- - activity_progress: how far the batches have come (the last report id, the latest updated_at).
-- New reports and repeats only ever move a latest time up, so they are taken in batches, off the path of a report
-- (storage/activity.py `catch_up`: the digest's worker each minute, and a digest before it reads): kept in every
-- report's own statement they had doubled what a report cost. A report going out (deleted, hidden, moved to
-- another platform, kind, project or community, its time put back) that may hold a latest time has it recomputed
-- from the person's remaining reports by the triggers below, and one coming in by an update (unhidden, moved) moves
-- it up; both are rare. An hour whose count falls to 0 is removed. A rekey moves the hashes like every other
-- (storage/keys.py), so no trigger watches `reporter`. `queuewatch aggregates rebuild` recomputes all three.

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
CREATE TABLE activity_progress (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    last_id INTEGER NOT NULL,   -- every report up to this id is taken
    last_at INTEGER NOT NULL    -- and every updated_at up to this one (repeats move updated_at, not the id)
);

-- A report that may hold someone's latest time in a scope went out (deleted, or by an update: hidden, moved, its
-- time put back): recompute that time from their visible reports. The two triggers after this hand the report
-- to this one (SQLite has no shared trigger bodies; an INSTEAD OF trigger on a view that holds no row is one).
CREATE VIEW activity_leaving AS SELECT reporter, platform, kind, project, community, updated_at FROM reports
    WHERE 0;
CREATE TRIGGER activity_leave INSTEAD OF INSERT ON activity_leaving BEGIN
    UPDATE activity_hours SET n = n - 1
        WHERE (scope, hour) IN (SELECT a.scope, a.latest - a.latest % 3600 FROM reporter_activity a
                                WHERE a.scope IN ('', 'p:' || NEW.platform,
                                                  CASE WHEN NEW.kind IN ('paid_on_time', 'paid_late', 'payment_missing')
                                                       THEN 'k:' || NEW.platform || '|' || NEW.kind END)
                                AND a.reporter = NEW.reporter
                                AND a.latest <= NEW.updated_at);
    DELETE FROM activity_hours  -- (the hour just emptied: no other hour is ever left at 0)
        WHERE n <= 0 AND scope IN ('', 'p:' || NEW.platform,
                                   CASE WHEN NEW.kind IN ('paid_on_time', 'paid_late', 'payment_missing')
                                        THEN 'k:' || NEW.platform || '|' || NEW.kind END);
    INSERT INTO activity_hours (scope, hour, n)
        SELECT x.scope, x.m - x.m % 3600, 1
        FROM (SELECT a.scope, (SELECT max(r.updated_at) FROM reports r WHERE r.reporter = NEW.reporter
                                AND r.hidden = 0 AND (a.scope = '' OR r.platform = NEW.platform
                                                       AND (a.scope LIKE 'p:%' OR r.kind = NEW.kind))) AS m
              FROM reporter_activity a WHERE a.scope IN ('', 'p:' || NEW.platform,
                                                  CASE WHEN NEW.kind IN ('paid_on_time', 'paid_late', 'payment_missing')
                                                       THEN 'k:' || NEW.platform || '|' || NEW.kind END)
                                AND a.reporter = NEW.reporter
              AND a.latest <= NEW.updated_at) AS x
        WHERE x.m IS NOT NULL
        ON CONFLICT (scope, hour) DO UPDATE SET n = n + 1;
    UPDATE reporter_activity
        SET latest = coalesce((SELECT max(r.updated_at) FROM reports r WHERE r.reporter = NEW.reporter AND r.hidden = 0
                               AND CASE substr(reporter_activity.scope, 1, 2)
                                   WHEN 'p:' THEN r.platform = NEW.platform
                                   WHEN 'c:' THEN r.community = NEW.community
                                   WHEN 'k:' THEN r.platform = NEW.platform AND r.kind = NEW.kind
                                   WHEN 'j:' THEN r.platform = NEW.platform AND r.kind = NEW.kind
                                                  AND r.project = NEW.project
                                   ELSE 1 END), -1)
        WHERE reporter = NEW.reporter AND latest <= NEW.updated_at
        AND scope IN ('', 'p:' || NEW.platform, 'c:' || NEW.community, 'k:' || NEW.platform || '|' || NEW.kind,
                      'j:' || NEW.platform || '|' || NEW.kind || '|' || NEW.project);
    DELETE FROM reporter_activity WHERE reporter = NEW.reporter AND latest = -1
        AND scope IN ('', 'p:' || NEW.platform, 'c:' || NEW.community, 'k:' || NEW.platform || '|' || NEW.kind,
                      'j:' || NEW.platform || '|' || NEW.kind || '|' || NEW.project);
END;
CREATE TRIGGER reports_activity_delete AFTER DELETE ON reports WHEN OLD.hidden = 0 BEGIN
    INSERT INTO activity_leaving VALUES (OLD.reporter, OLD.platform, OLD.kind, OLD.project, OLD.community,
                                         OLD.updated_at);
END;

-- SQLite gives a new report the id after the highest one left: when the newest report goes, the batches look again
-- from the id before it.
CREATE TRIGGER reports_activity_ids AFTER DELETE ON reports
    WHEN NOT EXISTS (SELECT 1 FROM reports WHERE id > OLD.id) BEGIN
    UPDATE activity_progress SET last_id = OLD.id - 1 WHERE last_id >= OLD.id;
END;

CREATE TRIGGER reports_activity_out AFTER UPDATE ON reports
    WHEN OLD.hidden = 0 AND (NEW.hidden != 0 OR NEW.updated_at < OLD.updated_at OR NEW.platform != OLD.platform
                             OR NEW.kind != OLD.kind OR NEW.project != OLD.project
                             OR NEW.community IS NOT OLD.community) BEGIN
    INSERT INTO activity_leaving VALUES (OLD.reporter, OLD.platform, OLD.kind, OLD.project, OLD.community,
                                         OLD.updated_at);
END;

-- A report that enters scopes by an update: an unhide, a move, or a repeat dated before the batches look for
-- repeats (storage/activity.py MARGIN); the batches take every other repeat.
CREATE TRIGGER reports_activity_in AFTER UPDATE ON reports
    WHEN NEW.hidden = 0 AND (OLD.hidden != 0 OR NEW.platform != OLD.platform OR NEW.kind != OLD.kind
                             OR NEW.project != OLD.project OR NEW.community IS NOT OLD.community
                             OR NEW.updated_at > OLD.updated_at
                                AND NEW.updated_at < (SELECT last_at - 300 FROM activity_progress)) BEGIN
    UPDATE activity_hours SET n = n - 1
        WHERE (scope, hour) IN (SELECT a.scope, a.latest - a.latest % 3600 FROM reporter_activity a
                                WHERE a.scope IN ('', 'p:' || NEW.platform,
                                                  CASE WHEN NEW.kind IN ('paid_on_time', 'paid_late', 'payment_missing')
                                                       THEN 'k:' || NEW.platform || '|' || NEW.kind END)
                                AND a.reporter = NEW.reporter
                                AND a.latest - a.latest % 3600 < NEW.updated_at - NEW.updated_at % 3600);
    DELETE FROM activity_hours  -- (the hour just emptied: no other hour is ever left at 0)
        WHERE n <= 0 AND scope IN ('', 'p:' || NEW.platform,
                                   CASE WHEN NEW.kind IN ('paid_on_time', 'paid_late', 'payment_missing')
                                        THEN 'k:' || NEW.platform || '|' || NEW.kind END);
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

-- The reports already stored are taken by the batches, a transaction at a time from the first id (a fill here
-- held the start for 17 minutes at 10M reports); repeats are looked for from now.
INSERT INTO activity_progress (id, last_id, last_at)
    SELECT 1, 0, min(coalesce(max(updated_at), 0), CAST(strftime('%s', 'now') AS INTEGER))
    FROM reports HAVING count(*) > 0;  -- (none on an empty database: a copy's target must be empty)
CREATE INDEX reporter_activity_by_latest ON reporter_activity (scope, latest);
-- One community's reports of a week are counted from the index alone (hidden ones left out).
DROP INDEX reports_by_community;
CREATE INDEX reports_by_community ON reports (community, updated_at, hidden);
