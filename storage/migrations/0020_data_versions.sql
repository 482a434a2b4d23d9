-- Versions of what the availability status is computed from, so each process keeps its copy of the recent
-- opinions and reporter weights in memory and reads again only what changed (bot/features/availability/book.py).
-- 'opinions:<platform>' moves with every write to a platform's drought or tasks-back reports (a report or its
-- repeat, a retraction, a hide or unhide, /forget, a clock put right, a rekey); 'trust' moves with every write to
-- reporter trust, bars and trust penalties. A version only ever grows; its value means nothing but "changed". The
-- table holds no reporter: a name and a number. Every process, and any number of them, reads the same versions.
CREATE TABLE data_versions (
    name    TEXT    PRIMARY KEY,
    version INTEGER NOT NULL
);
INSERT INTO data_versions (name, version)
    SELECT 'opinions:' || platform, 1 FROM reports WHERE kind IN ('drought', 'tasks_back') GROUP BY platform;
INSERT INTO data_versions (name, version) VALUES ('trust', 1);

CREATE TRIGGER reports_opinions_insert AFTER INSERT ON reports WHEN NEW.kind IN ('drought', 'tasks_back') BEGIN
    INSERT INTO data_versions (name, version) VALUES ('opinions:' || NEW.platform, 1)
        ON CONFLICT (name) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER reports_opinions_delete AFTER DELETE ON reports WHEN OLD.kind IN ('drought', 'tasks_back') BEGIN
    UPDATE data_versions SET version = version + 1 WHERE name = 'opinions:' || OLD.platform;
END;
CREATE TRIGGER reports_opinions_update AFTER UPDATE ON reports
    WHEN OLD.kind IN ('drought', 'tasks_back') OR NEW.kind IN ('drought', 'tasks_back') BEGIN
    INSERT INTO data_versions (name, version) VALUES ('opinions:' || NEW.platform, 1)
        ON CONFLICT (name) DO UPDATE SET version = version + 1;
    UPDATE data_versions SET version = version + 1
        WHERE name = 'opinions:' || OLD.platform AND OLD.platform != NEW.platform;
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
