-- Versions of what the availability status is computed from, so each process keeps its copy of the recent
-- opinions, project changes and reporter weights in memory and reads again only what changed
-- (bot/features/availability/book.py). 'opinions:<platform>' moves with every write to a platform's drought or
-- tasks-back reports, 'projects:<platform>' with every write to its project-paused or project-ended reports (a
-- report or its repeat, a retraction, a hide or unhide, /forget, a clock put right, a rekey); 'trust' moves with
-- every write to reporter trust, bars and trust penalties. A version only ever grows; its value means nothing but
-- "changed". The table holds no reporter: a name and a number. Every process, and any number of them, reads the
-- same versions.
CREATE TABLE data_versions (
    name    TEXT    PRIMARY KEY,
    version INTEGER NOT NULL
);
INSERT INTO data_versions (name, version)
    SELECT CASE WHEN kind IN ('drought', 'tasks_back') THEN 'opinions:' ELSE 'projects:' END || platform, 1
    FROM reports WHERE kind IN ('drought', 'tasks_back', 'project_paused', 'project_ended') GROUP BY 1;
INSERT INTO data_versions (name, version) VALUES ('trust', 1);

CREATE TRIGGER reports_version_insert AFTER INSERT ON reports
    WHEN NEW.kind IN ('drought', 'tasks_back', 'project_paused', 'project_ended') BEGIN
    INSERT INTO data_versions (name, version)
        VALUES (CASE WHEN NEW.kind IN ('drought', 'tasks_back') THEN 'opinions:' ELSE 'projects:' END || NEW.platform, 1)
        ON CONFLICT (name) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER reports_version_delete AFTER DELETE ON reports
    WHEN OLD.kind IN ('drought', 'tasks_back', 'project_paused', 'project_ended') BEGIN
    UPDATE data_versions SET version = version + 1
        WHERE name = CASE WHEN OLD.kind IN ('drought', 'tasks_back') THEN 'opinions:' ELSE 'projects:' END
                     || OLD.platform;
END;
-- An update moves the version of the row as it was and as it is (the same one, most often: moved once).
CREATE TRIGGER reports_version_update AFTER UPDATE ON reports
    WHEN OLD.kind IN ('drought', 'tasks_back', 'project_paused', 'project_ended')
      OR NEW.kind IN ('drought', 'tasks_back', 'project_paused', 'project_ended') BEGIN
    INSERT INTO data_versions (name, version)
        SELECT CASE WHEN NEW.kind IN ('drought', 'tasks_back') THEN 'opinions:' ELSE 'projects:' END || NEW.platform, 1
        WHERE NEW.kind IN ('drought', 'tasks_back', 'project_paused', 'project_ended')
        ON CONFLICT (name) DO UPDATE SET version = version + 1;
    UPDATE data_versions SET version = version + 1
        WHERE name = CASE WHEN OLD.kind IN ('drought', 'tasks_back') THEN 'opinions:' ELSE 'projects:' END
                     || OLD.platform
        AND OLD.kind IN ('drought', 'tasks_back', 'project_paused', 'project_ended')
        AND (OLD.platform != NEW.platform OR (OLD.kind IN ('drought', 'tasks_back')) != (NEW.kind IN ('drought', 'tasks_back'))
             OR NEW.kind NOT IN ('drought', 'tasks_back', 'project_paused', 'project_ended'));
END;

CREATE TRIGGER reporter_trust_version_insert AFTER INSERT ON reporter_trust BEGIN
    UPDATE data_versions SET version = version + 1 WHERE name = 'trust';
END;
CREATE TRIGGER reporter_trust_version_update AFTER UPDATE ON reporter_trust BEGIN
    UPDATE data_versions SET version = version + 1 WHERE name = 'trust';
END;
CREATE TRIGGER reporter_trust_version_delete AFTER DELETE ON reporter_trust BEGIN
    UPDATE data_versions SET version = version + 1 WHERE name = 'trust';
END;
CREATE TRIGGER reporter_bars_version_insert AFTER INSERT ON reporter_bars BEGIN
    UPDATE data_versions SET version = version + 1 WHERE name = 'trust';
END;
CREATE TRIGGER reporter_bars_version_update AFTER UPDATE ON reporter_bars BEGIN
    UPDATE data_versions SET version = version + 1 WHERE name = 'trust';
END;
CREATE TRIGGER reporter_bars_version_delete AFTER DELETE ON reporter_bars BEGIN
    UPDATE data_versions SET version = version + 1 WHERE name = 'trust';
END;
CREATE TRIGGER trust_penalties_version_insert AFTER INSERT ON trust_penalties BEGIN
    UPDATE data_versions SET version = version + 1 WHERE name = 'trust';
END;
CREATE TRIGGER trust_penalties_version_update AFTER UPDATE ON trust_penalties BEGIN
    UPDATE data_versions SET version = version + 1 WHERE name = 'trust';
END;
CREATE TRIGGER trust_penalties_version_delete AFTER DELETE ON trust_penalties BEGIN
    UPDATE data_versions SET version = version + 1 WHERE name = 'trust';
END;
