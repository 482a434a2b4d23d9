-- PostgreSQL's form of ../0021_pay_bins.sql: the same tables and rules (comments on them are in the shared file),
-- kept by a plpgsql trigger function that takes the row out as it was (OLD) and puts it in as it is (NEW), after
-- migration 0019's report_value_counted / report_value_tag / report_value_of. One addition: PostgreSQL runs
-- writers side by side, and a bin's running counts are read and moved over several rows, so a write first takes a
-- transaction lock on each tag's bins it changes (in order, so two moves between the same two tags cannot deadlock).

DROP TRIGGER reports_values_insert ON reports;
DROP TRIGGER reports_values_delete ON reports;
DROP TRIGGER reports_values_update ON reports;
DROP FUNCTION reports_values();
DROP TABLE report_values;

CREATE TABLE report_bins (
    platform TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    tag      TEXT    NOT NULL,
    bin      INTEGER NOT NULL,
    hour     BIGINT  NOT NULL,   -- unix seconds, a multiple of 3600
    n        INTEGER NOT NULL,   -- visible reports of this bin in this hour
    n_upto   INTEGER NOT NULL,   -- visible reports of this bin in this hour and every hour before it
    PRIMARY KEY (platform, kind, tag, bin, hour)
);
CREATE TABLE report_bin_totals (
    platform TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    tag      TEXT    NOT NULL,
    bin      INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (platform, kind, tag, bin)
);

-- A figure's bin: ceil(ln(v) / ln(51/49)) for v > 0, -999999 for 0, -1000000 for no figure (v < 0).
CREATE FUNCTION report_value_bin(v DOUBLE PRECISION) RETURNS INTEGER LANGUAGE sql IMMUTABLE AS
    $$ SELECT CASE WHEN v > 0 THEN CAST(ceil(ln(v) / ln(CAST(51 AS DOUBLE PRECISION) / 49)) AS INTEGER)
                   WHEN v = 0 THEN -999999 ELSE -1000000 END $$;

CREATE FUNCTION report_bin_lock(platform TEXT, kind TEXT, tag TEXT) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS
    $$ SELECT hashtextextended('report_bins:' || platform || ':' || kind || ':' || tag, 21) $$;

-- One report in or out of its figure's bin and its tag's bin 1000000 (every report of the tag).
CREATE FUNCTION report_bins_move(r_platform TEXT, r_kind TEXT, r_tag TEXT, r_bin INTEGER, r_hour BIGINT, step INTEGER)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    b INTEGER;
BEGIN
    FOREACH b IN ARRAY ARRAY[r_bin, 1000000] LOOP
        IF step > 0 THEN
            INSERT INTO report_bins AS x (platform, kind, tag, bin, hour, n, n_upto)
                VALUES (r_platform, r_kind, r_tag, b, r_hour, 1,
                        1 + coalesce((SELECT p.n_upto FROM report_bins p WHERE p.platform = r_platform
                                      AND p.kind = r_kind AND p.tag = r_tag AND p.bin = b AND p.hour < r_hour
                                      ORDER BY p.hour DESC LIMIT 1), 0))
                ON CONFLICT (platform, kind, tag, bin, hour) DO UPDATE SET n = x.n + 1, n_upto = x.n_upto + 1;
            UPDATE report_bins SET n_upto = n_upto + 1
                WHERE platform = r_platform AND kind = r_kind AND tag = r_tag AND bin = b AND hour > r_hour;
            INSERT INTO report_bin_totals AS t (platform, kind, tag, bin, n) VALUES (r_platform, r_kind, r_tag, b, 1)
                ON CONFLICT (platform, kind, tag, bin) DO UPDATE SET n = t.n + 1;
        ELSE
            UPDATE report_bins SET n_upto = n_upto - 1, n = n - CASE WHEN hour = r_hour THEN 1 ELSE 0 END
                WHERE platform = r_platform AND kind = r_kind AND tag = r_tag AND bin = b AND hour >= r_hour;
            DELETE FROM report_bins
                WHERE platform = r_platform AND kind = r_kind AND tag = r_tag AND bin = b AND hour = r_hour AND n <= 0;
            UPDATE report_bin_totals SET n = n - 1
                WHERE platform = r_platform AND kind = r_kind AND tag = r_tag AND bin = b;
            DELETE FROM report_bin_totals
                WHERE platform = r_platform AND kind = r_kind AND tag = r_tag AND bin = b AND n <= 0;
        END IF;
    END LOOP;
END $$;

CREATE FUNCTION reports_bins() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    putting BOOLEAN := TG_OP IN ('INSERT', 'UPDATE') AND report_value_counted(NEW.kind, NEW.hidden, NEW.hourly_usd);
    taking BOOLEAN := TG_OP IN ('DELETE', 'UPDATE') AND report_value_counted(OLD.kind, OLD.hidden, OLD.hourly_usd);
    new_tag TEXT;
    old_tag TEXT;
    new_lock BIGINT;
    old_lock BIGINT;
BEGIN
    IF putting THEN
        new_tag := report_value_tag(NEW.kind, NEW.role, NEW.paid);
        new_lock := report_bin_lock(NEW.platform, NEW.kind, new_tag);
    END IF;
    IF taking THEN
        old_tag := report_value_tag(OLD.kind, OLD.role, OLD.paid);
        old_lock := report_bin_lock(OLD.platform, OLD.kind, old_tag);
    END IF;
    PERFORM pg_advisory_xact_lock(least(new_lock, old_lock));  -- (least and greatest pass NULLs over)
    IF new_lock <> old_lock THEN
        PERFORM pg_advisory_xact_lock(greatest(new_lock, old_lock));
    END IF;
    IF putting THEN
        PERFORM report_bins_move(NEW.platform, NEW.kind, new_tag,
                                 report_value_bin(report_value_of(NEW.kind, NEW.hourly_usd, NEW.hours)),
                                 NEW.updated_at - NEW.updated_at % 3600, 1);
    END IF;
    IF taking THEN
        PERFORM report_bins_move(OLD.platform, OLD.kind, old_tag,
                                 report_value_bin(report_value_of(OLD.kind, OLD.hourly_usd, OLD.hours)),
                                 OLD.updated_at - OLD.updated_at % 3600, -1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER reports_bins_insert AFTER INSERT ON reports
    FOR EACH ROW WHEN (report_value_counted(NEW.kind, NEW.hidden, NEW.hourly_usd)) EXECUTE FUNCTION reports_bins();
CREATE TRIGGER reports_bins_delete AFTER DELETE ON reports
    FOR EACH ROW WHEN (report_value_counted(OLD.kind, OLD.hidden, OLD.hourly_usd)) EXECUTE FUNCTION reports_bins();
CREATE TRIGGER reports_bins_update AFTER UPDATE OF hidden, platform, kind, updated_at, role, hourly_usd, hours, paid
    ON reports FOR EACH ROW WHEN (
        (report_value_counted(OLD.kind, OLD.hidden, OLD.hourly_usd)
         OR report_value_counted(NEW.kind, NEW.hidden, NEW.hourly_usd))
        AND NOT (report_value_counted(OLD.kind, OLD.hidden, OLD.hourly_usd)
                 AND report_value_counted(NEW.kind, NEW.hidden, NEW.hourly_usd)
                 AND OLD.platform = NEW.platform AND OLD.kind = NEW.kind
                 AND OLD.updated_at - OLD.updated_at % 3600 = NEW.updated_at - NEW.updated_at % 3600
                 AND report_value_tag(OLD.kind, OLD.role, OLD.paid) = report_value_tag(NEW.kind, NEW.role, NEW.paid)
                 AND report_value_of(OLD.kind, OLD.hourly_usd, OLD.hours)
                     = report_value_of(NEW.kind, NEW.hourly_usd, NEW.hours)))
    EXECUTE FUNCTION reports_bins();

-- The figures already stored (storage/aggregates.py REBUILD's statements).
INSERT INTO report_bins (platform, kind, tag, bin, hour, n, n_upto)
    SELECT platform, kind, tag, bin, hour, n, sum(n) OVER (PARTITION BY platform, kind, tag, bin ORDER BY hour)
    FROM (SELECT platform, kind, report_value_tag(kind, role, paid) AS tag,
                 report_value_bin(report_value_of(kind, hourly_usd, hours)) AS bin,
                 updated_at - updated_at % 3600 AS hour, count(*) AS n
          FROM reports WHERE report_value_counted(kind, hidden, hourly_usd) GROUP BY 1, 2, 3, 4, 5
          UNION ALL
          SELECT platform, kind, report_value_tag(kind, role, paid), 1000000, updated_at - updated_at % 3600, count(*)
          FROM reports WHERE report_value_counted(kind, hidden, hourly_usd) GROUP BY 1, 2, 3, 4, 5) AS counted;
INSERT INTO report_bin_totals (platform, kind, tag, bin, n)
    SELECT platform, kind, tag, bin, sum(n) FROM report_bins GROUP BY platform, kind, tag, bin;
