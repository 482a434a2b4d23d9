-- PostgreSQL's form of ../0020_data_versions.sql: the same table and rules, kept by plpgsql trigger functions;
-- trust's version moves once per statement (a settle writes thousands of rows in one). Comments in the shared file.
CREATE TABLE data_versions (
    name    TEXT    PRIMARY KEY,
    version BIGINT  NOT NULL
);
INSERT INTO data_versions (name, version)
    SELECT 'opinions:' || platform, 1 FROM reports WHERE kind IN ('drought', 'tasks_back') GROUP BY platform;
INSERT INTO data_versions (name, version) VALUES ('trust', 1);

CREATE FUNCTION reports_opinions_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.kind IN ('drought', 'tasks_back') THEN
        INSERT INTO data_versions (name, version) VALUES ('opinions:' || NEW.platform, 1)
            ON CONFLICT (name) DO UPDATE SET version = data_versions.version + 1;
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (NEW.kind NOT IN ('drought', 'tasks_back')
                                                  OR OLD.platform <> NEW.platform)) THEN
        IF OLD.kind IN ('drought', 'tasks_back') THEN
            UPDATE data_versions SET version = version + 1 WHERE name = 'opinions:' || OLD.platform;
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER reports_opinions_version AFTER INSERT OR UPDATE OR DELETE ON reports
    FOR EACH ROW EXECUTE FUNCTION reports_opinions_version();

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
