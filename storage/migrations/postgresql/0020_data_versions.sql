-- PostgreSQL's form of ../0020_data_versions.sql: the same table and rules, kept by plpgsql trigger functions;
-- trust's version moves once per statement (a settle writes thousands of rows in one). Comments in the shared file.
CREATE TABLE data_versions (
    name    TEXT    PRIMARY KEY,
    version BIGINT  NOT NULL
);
INSERT INTO data_versions (name, version)
    SELECT CASE WHEN kind IN ('drought', 'tasks_back') THEN 'opinions:' ELSE 'projects:' END || platform, 1
    FROM reports WHERE kind IN ('drought', 'tasks_back', 'project_paused', 'project_ended') GROUP BY 1;
INSERT INTO data_versions (name, version) VALUES ('trust', 1);

-- The version a report of this kind on this platform moves (NULL: none).
CREATE FUNCTION report_version_name(kind TEXT, platform TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS
    $$ SELECT CASE WHEN kind IN ('drought', 'tasks_back') THEN 'opinions:' || platform
                   WHEN kind IN ('project_paused', 'project_ended') THEN 'projects:' || platform END $$;

CREATE FUNCTION reports_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    new_name TEXT := CASE WHEN TG_OP <> 'DELETE' THEN report_version_name(NEW.kind, NEW.platform) END;
    old_name TEXT := CASE WHEN TG_OP <> 'INSERT' THEN report_version_name(OLD.kind, OLD.platform) END;
BEGIN
    IF new_name IS NOT NULL THEN
        INSERT INTO data_versions (name, version) VALUES (new_name, 1)
            ON CONFLICT (name) DO UPDATE SET version = data_versions.version + 1;
    END IF;
    IF old_name IS NOT NULL AND old_name IS DISTINCT FROM new_name THEN
        UPDATE data_versions SET version = version + 1 WHERE name = old_name;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER reports_version AFTER INSERT OR UPDATE OR DELETE ON reports
    FOR EACH ROW EXECUTE FUNCTION reports_version();

CREATE FUNCTION trust_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_versions SET version = version + 1 WHERE name = 'trust';
    RETURN NULL;
END $$;
CREATE TRIGGER reporter_trust_version AFTER INSERT OR UPDATE OR DELETE ON reporter_trust
    FOR EACH STATEMENT EXECUTE FUNCTION trust_version();
CREATE TRIGGER reporter_bars_version AFTER INSERT OR UPDATE OR DELETE ON reporter_bars
    FOR EACH STATEMENT EXECUTE FUNCTION trust_version();
CREATE TRIGGER trust_penalties_version AFTER INSERT OR UPDATE OR DELETE ON trust_penalties
    FOR EACH STATEMENT EXECUTE FUNCTION trust_version();
