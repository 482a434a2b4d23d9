-- /pay's figures in log-scale bins with running counts, instead of migration 0016's report_values (one row per
-- platform, kind, day, tag and distinct value: nearly one row per report, as nearly every hourly_usd is distinct, so
-- a 90-day median read about as many rows as there were reports). Two tables, kept by the triggers below in the
-- statement that writes a report and recomputed by `queuewatch aggregates rebuild` (storage/aggregates.py):
-- - report_bins: per platform, kind, tag, bin and UTC hour of updated_at, how many visible reports fell in it (n)
--   and how many in that bin up to and including that hour (n_upto, a running count);
-- - report_bin_totals: per platform, kind, tag and bin, how many visible reports in all.
-- A window [since, now] then costs one look-up per bin, not one row per report: a bin's reports from hour h on are
-- its total less the n_upto of its last row before h (the part of an hour before h from the reports themselves).
-- Tags as before: payrate: role ('' when none; NULL figures are left out), onboarding: paid ('1', '0', '' unknown).
-- A figure v > 0 lies in bin i = ceil(ln(v) / ln(g)), g = 51/49, which holds (g^(i-1), g^i]; the bin stands for
-- 2 g^i / (g + 1), within 2% of every figure in it (storage/aggregates.py RELATIVE_ERROR). 0 is bin -999999,
-- "no figure" (onboarding without hours) bin -1000000: counted, never ranked. Each report also counts in its
-- tag's bin 1000000 (every report of the tag), so a tag whose figures a read does not want is one look-up. A row
-- whose count falls to 0 is removed. A write first counts the new figure, then takes out the old one (the UPDATE
-- trigger runs only when a column the figure is made of changed). A report of the current hour touches one row
-- per bin; one of an earlier hour also moves the running counts of the later hours of its bins.

DROP TRIGGER reports_values_insert;
DROP TRIGGER reports_values_delete;
DROP TRIGGER reports_values_update;
DROP TABLE report_values;

CREATE TABLE report_bins (
    platform TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    tag      TEXT    NOT NULL,
    bin      INTEGER NOT NULL,
    hour     INTEGER NOT NULL,   -- unix seconds, a multiple of 3600
    n        INTEGER NOT NULL,   -- visible reports of this bin in this hour
    n_upto   INTEGER NOT NULL,   -- visible reports of this bin in this hour and every hour before it
    PRIMARY KEY (platform, kind, tag, bin, hour)
) WITHOUT ROWID;
CREATE TABLE report_bin_totals (
    platform TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    tag      TEXT    NOT NULL,
    bin      INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (platform, kind, tag, bin)
) WITHOUT ROWID;

CREATE TRIGGER reports_bins_insert AFTER INSERT ON reports
    WHEN NEW.hidden = 0 AND (NEW.kind = 'onboarding' OR (NEW.kind = 'payrate' AND NEW.hourly_usd IS NOT NULL)) BEGIN
    INSERT INTO report_bins (platform, kind, tag, bin, hour, n, n_upto)
        SELECT NEW.platform, NEW.kind, CASE WHEN NEW.kind = 'payrate' THEN coalesce(NEW.role, '') WHEN NEW.paid IS NULL THEN ''
                  WHEN NEW.paid = 0 THEN '0' ELSE '1' END, b.bin, NEW.updated_at - NEW.updated_at % 3600, 1,
               1 + coalesce((SELECT p.n_upto FROM report_bins p WHERE p.platform = NEW.platform AND p.kind = NEW.kind
                             AND p.tag = CASE WHEN NEW.kind = 'payrate' THEN coalesce(NEW.role, '') WHEN NEW.paid IS NULL THEN ''
                  WHEN NEW.paid = 0 THEN '0' ELSE '1' END
                             AND p.bin = b.bin AND p.hour < NEW.updated_at - NEW.updated_at % 3600 ORDER BY p.hour DESC LIMIT 1), 0)
        FROM (SELECT CASE WHEN (CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END) > 0
                  THEN CAST(ceil(ln((CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END)) / ln(51.0 / 49.0)) AS INTEGER)
                  WHEN (CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END) = 0 THEN -999999 ELSE -1000000 END AS bin
              UNION ALL SELECT 1000000) AS b
        WHERE true
        ON CONFLICT (platform, kind, tag, bin, hour) DO UPDATE SET n = n + 1, n_upto = n_upto + 1;
    UPDATE report_bins SET n_upto = n_upto + 1
        WHERE platform = NEW.platform AND kind = NEW.kind
        AND tag = CASE WHEN NEW.kind = 'payrate' THEN coalesce(NEW.role, '') WHEN NEW.paid IS NULL THEN ''
                  WHEN NEW.paid = 0 THEN '0' ELSE '1' END
        AND bin IN (CASE WHEN (CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END) > 0
                  THEN CAST(ceil(ln((CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END)) / ln(51.0 / 49.0)) AS INTEGER)
                  WHEN (CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END) = 0 THEN -999999 ELSE -1000000 END, 1000000)
        AND hour > NEW.updated_at - NEW.updated_at % 3600;
    INSERT INTO report_bin_totals (platform, kind, tag, bin, n)
        SELECT NEW.platform, NEW.kind, CASE WHEN NEW.kind = 'payrate' THEN coalesce(NEW.role, '') WHEN NEW.paid IS NULL THEN ''
                  WHEN NEW.paid = 0 THEN '0' ELSE '1' END, b.bin, 1
        FROM (SELECT CASE WHEN (CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END) > 0
                  THEN CAST(ceil(ln((CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END)) / ln(51.0 / 49.0)) AS INTEGER)
                  WHEN (CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END) = 0 THEN -999999 ELSE -1000000 END AS bin
              UNION ALL SELECT 1000000) AS b
        WHERE true
        ON CONFLICT (platform, kind, tag, bin) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER reports_bins_delete AFTER DELETE ON reports
    WHEN OLD.hidden = 0 AND (OLD.kind = 'onboarding' OR (OLD.kind = 'payrate' AND OLD.hourly_usd IS NOT NULL)) BEGIN
    UPDATE report_bins SET n_upto = n_upto - 1, n = n - (hour = OLD.updated_at - OLD.updated_at % 3600)
        WHERE platform = OLD.platform AND kind = OLD.kind
        AND tag = CASE WHEN OLD.kind = 'payrate' THEN coalesce(OLD.role, '') WHEN OLD.paid IS NULL THEN ''
                  WHEN OLD.paid = 0 THEN '0' ELSE '1' END
        AND bin IN (CASE WHEN (CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END) > 0
                  THEN CAST(ceil(ln((CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END)) / ln(51.0 / 49.0)) AS INTEGER)
                  WHEN (CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END) = 0 THEN -999999 ELSE -1000000 END, 1000000)
        AND hour >= OLD.updated_at - OLD.updated_at % 3600;
    DELETE FROM report_bins
        WHERE platform = OLD.platform AND kind = OLD.kind
        AND tag = CASE WHEN OLD.kind = 'payrate' THEN coalesce(OLD.role, '') WHEN OLD.paid IS NULL THEN ''
                  WHEN OLD.paid = 0 THEN '0' ELSE '1' END
        AND bin IN (CASE WHEN (CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END) > 0
                  THEN CAST(ceil(ln((CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END)) / ln(51.0 / 49.0)) AS INTEGER)
                  WHEN (CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END) = 0 THEN -999999 ELSE -1000000 END, 1000000)
        AND hour = OLD.updated_at - OLD.updated_at % 3600 AND n <= 0;
    UPDATE report_bin_totals SET n = n - 1
        WHERE platform = OLD.platform AND kind = OLD.kind
        AND tag = CASE WHEN OLD.kind = 'payrate' THEN coalesce(OLD.role, '') WHEN OLD.paid IS NULL THEN ''
                  WHEN OLD.paid = 0 THEN '0' ELSE '1' END
        AND bin IN (CASE WHEN (CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END) > 0
                  THEN CAST(ceil(ln((CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END)) / ln(51.0 / 49.0)) AS INTEGER)
                  WHEN (CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END) = 0 THEN -999999 ELSE -1000000 END, 1000000);
    DELETE FROM report_bin_totals
        WHERE platform = OLD.platform AND kind = OLD.kind
        AND tag = CASE WHEN OLD.kind = 'payrate' THEN coalesce(OLD.role, '') WHEN OLD.paid IS NULL THEN ''
                  WHEN OLD.paid = 0 THEN '0' ELSE '1' END
        AND bin IN (CASE WHEN (CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END) > 0
                  THEN CAST(ceil(ln((CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END)) / ln(51.0 / 49.0)) AS INTEGER)
                  WHEN (CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END) = 0 THEN -999999 ELSE -1000000 END, 1000000)
        AND n <= 0;
END;
-- (The new figure is counted before the old one is taken out, so a row both name is never emptied in between.)
CREATE TRIGGER reports_bins_update AFTER UPDATE OF hidden, platform, kind, updated_at, role, hourly_usd, hours, paid
    ON reports
    WHEN (OLD.hidden = 0 AND (OLD.kind = 'onboarding' OR (OLD.kind = 'payrate' AND OLD.hourly_usd IS NOT NULL))
          OR NEW.hidden = 0 AND (NEW.kind = 'onboarding' OR (NEW.kind = 'payrate' AND NEW.hourly_usd IS NOT NULL)))
    AND NOT (OLD.hidden = 0 AND (OLD.kind = 'onboarding' OR (OLD.kind = 'payrate' AND OLD.hourly_usd IS NOT NULL)) AND NEW.hidden = 0 AND (NEW.kind = 'onboarding' OR (NEW.kind = 'payrate' AND NEW.hourly_usd IS NOT NULL))
             AND OLD.platform = NEW.platform AND OLD.kind = NEW.kind
             AND OLD.updated_at - OLD.updated_at % 3600 = NEW.updated_at - NEW.updated_at % 3600
             AND (CASE WHEN OLD.kind = 'payrate' THEN coalesce(OLD.role, '') WHEN OLD.paid IS NULL THEN ''
                  WHEN OLD.paid = 0 THEN '0' ELSE '1' END)
               = (CASE WHEN NEW.kind = 'payrate' THEN coalesce(NEW.role, '') WHEN NEW.paid IS NULL THEN ''
                  WHEN NEW.paid = 0 THEN '0' ELSE '1' END)
             AND (CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END) IS (CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END)) BEGIN
    INSERT INTO report_bins (platform, kind, tag, bin, hour, n, n_upto)
        SELECT NEW.platform, NEW.kind, CASE WHEN NEW.kind = 'payrate' THEN coalesce(NEW.role, '') WHEN NEW.paid IS NULL THEN ''
                  WHEN NEW.paid = 0 THEN '0' ELSE '1' END, b.bin, NEW.updated_at - NEW.updated_at % 3600, 1,
               1 + coalesce((SELECT p.n_upto FROM report_bins p WHERE p.platform = NEW.platform AND p.kind = NEW.kind
                             AND p.tag = CASE WHEN NEW.kind = 'payrate' THEN coalesce(NEW.role, '') WHEN NEW.paid IS NULL THEN ''
                  WHEN NEW.paid = 0 THEN '0' ELSE '1' END
                             AND p.bin = b.bin AND p.hour < NEW.updated_at - NEW.updated_at % 3600 ORDER BY p.hour DESC LIMIT 1), 0)
        FROM (SELECT CASE WHEN (CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END) > 0
                  THEN CAST(ceil(ln((CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END)) / ln(51.0 / 49.0)) AS INTEGER)
                  WHEN (CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END) = 0 THEN -999999 ELSE -1000000 END AS bin
              UNION ALL SELECT 1000000) AS b
        WHERE NEW.hidden = 0 AND (NEW.kind = 'onboarding' OR (NEW.kind = 'payrate' AND NEW.hourly_usd IS NOT NULL))
        ON CONFLICT (platform, kind, tag, bin, hour) DO UPDATE SET n = n + 1, n_upto = n_upto + 1;
    UPDATE report_bins SET n_upto = n_upto + 1
        WHERE platform = NEW.platform AND kind = NEW.kind
        AND tag = CASE WHEN NEW.kind = 'payrate' THEN coalesce(NEW.role, '') WHEN NEW.paid IS NULL THEN ''
                  WHEN NEW.paid = 0 THEN '0' ELSE '1' END
        AND bin IN (CASE WHEN (CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END) > 0
                  THEN CAST(ceil(ln((CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END)) / ln(51.0 / 49.0)) AS INTEGER)
                  WHEN (CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END) = 0 THEN -999999 ELSE -1000000 END, 1000000)
        AND hour > NEW.updated_at - NEW.updated_at % 3600 AND NEW.hidden = 0 AND (NEW.kind = 'onboarding' OR (NEW.kind = 'payrate' AND NEW.hourly_usd IS NOT NULL));
    INSERT INTO report_bin_totals (platform, kind, tag, bin, n)
        SELECT NEW.platform, NEW.kind, CASE WHEN NEW.kind = 'payrate' THEN coalesce(NEW.role, '') WHEN NEW.paid IS NULL THEN ''
                  WHEN NEW.paid = 0 THEN '0' ELSE '1' END, b.bin, 1
        FROM (SELECT CASE WHEN (CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END) > 0
                  THEN CAST(ceil(ln((CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END)) / ln(51.0 / 49.0)) AS INTEGER)
                  WHEN (CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END) = 0 THEN -999999 ELSE -1000000 END AS bin
              UNION ALL SELECT 1000000) AS b
        WHERE NEW.hidden = 0 AND (NEW.kind = 'onboarding' OR (NEW.kind = 'payrate' AND NEW.hourly_usd IS NOT NULL))
        ON CONFLICT (platform, kind, tag, bin) DO UPDATE SET n = n + 1;
    UPDATE report_bins SET n_upto = n_upto - 1, n = n - (hour = OLD.updated_at - OLD.updated_at % 3600)
        WHERE OLD.hidden = 0 AND (OLD.kind = 'onboarding' OR (OLD.kind = 'payrate' AND OLD.hourly_usd IS NOT NULL)) AND platform = OLD.platform AND kind = OLD.kind
        AND tag = CASE WHEN OLD.kind = 'payrate' THEN coalesce(OLD.role, '') WHEN OLD.paid IS NULL THEN ''
                  WHEN OLD.paid = 0 THEN '0' ELSE '1' END
        AND bin IN (CASE WHEN (CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END) > 0
                  THEN CAST(ceil(ln((CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END)) / ln(51.0 / 49.0)) AS INTEGER)
                  WHEN (CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END) = 0 THEN -999999 ELSE -1000000 END, 1000000)
        AND hour >= OLD.updated_at - OLD.updated_at % 3600;
    DELETE FROM report_bins
        WHERE OLD.hidden = 0 AND (OLD.kind = 'onboarding' OR (OLD.kind = 'payrate' AND OLD.hourly_usd IS NOT NULL)) AND platform = OLD.platform AND kind = OLD.kind
        AND tag = CASE WHEN OLD.kind = 'payrate' THEN coalesce(OLD.role, '') WHEN OLD.paid IS NULL THEN ''
                  WHEN OLD.paid = 0 THEN '0' ELSE '1' END
        AND bin IN (CASE WHEN (CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END) > 0
                  THEN CAST(ceil(ln((CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END)) / ln(51.0 / 49.0)) AS INTEGER)
                  WHEN (CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END) = 0 THEN -999999 ELSE -1000000 END, 1000000)
        AND hour = OLD.updated_at - OLD.updated_at % 3600 AND n <= 0;
    UPDATE report_bin_totals SET n = n - 1
        WHERE OLD.hidden = 0 AND (OLD.kind = 'onboarding' OR (OLD.kind = 'payrate' AND OLD.hourly_usd IS NOT NULL)) AND platform = OLD.platform AND kind = OLD.kind
        AND tag = CASE WHEN OLD.kind = 'payrate' THEN coalesce(OLD.role, '') WHEN OLD.paid IS NULL THEN ''
                  WHEN OLD.paid = 0 THEN '0' ELSE '1' END
        AND bin IN (CASE WHEN (CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END) > 0
                  THEN CAST(ceil(ln((CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END)) / ln(51.0 / 49.0)) AS INTEGER)
                  WHEN (CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END) = 0 THEN -999999 ELSE -1000000 END, 1000000);
    DELETE FROM report_bin_totals
        WHERE OLD.hidden = 0 AND (OLD.kind = 'onboarding' OR (OLD.kind = 'payrate' AND OLD.hourly_usd IS NOT NULL)) AND platform = OLD.platform AND kind = OLD.kind
        AND tag = CASE WHEN OLD.kind = 'payrate' THEN coalesce(OLD.role, '') WHEN OLD.paid IS NULL THEN ''
                  WHEN OLD.paid = 0 THEN '0' ELSE '1' END
        AND bin IN (CASE WHEN (CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END) > 0
                  THEN CAST(ceil(ln((CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END)) / ln(51.0 / 49.0)) AS INTEGER)
                  WHEN (CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END) = 0 THEN -999999 ELSE -1000000 END, 1000000)
        AND n <= 0;
END;


-- The figures already stored (storage/aggregates.py REBUILD's statements).
INSERT INTO report_bins (platform, kind, tag, bin, hour, n, n_upto)
    SELECT platform, kind, tag, bin, hour, n, sum(n) OVER (PARTITION BY platform, kind, tag, bin ORDER BY hour)
    FROM (SELECT platform, kind, coalesce(role, '') AS tag,
                 CASE WHEN hourly_usd > 0 THEN CAST(ceil(ln(hourly_usd) / ln(51.0 / 49.0)) AS INTEGER)
                      WHEN hourly_usd = 0 THEN -999999 ELSE -1000000 END AS bin,
                 updated_at - updated_at % 3600 AS hour, count(*) AS n
          FROM reports WHERE kind = 'payrate' AND hidden = 0 AND hourly_usd IS NOT NULL GROUP BY 1, 2, 3, 4, 5
          UNION ALL
          SELECT platform, kind, coalesce(role, ''), 1000000, updated_at - updated_at % 3600, count(*)
          FROM reports WHERE kind = 'payrate' AND hidden = 0 AND hourly_usd IS NOT NULL GROUP BY 1, 2, 3, 4, 5) AS counted;
INSERT INTO report_bins (platform, kind, tag, bin, hour, n, n_upto)
    SELECT platform, kind, tag, bin, hour, n, sum(n) OVER (PARTITION BY platform, kind, tag, bin ORDER BY hour)
    FROM (SELECT platform, kind, CASE WHEN paid IS NULL THEN '' WHEN paid = 0 THEN '0' ELSE '1' END AS tag,
                 CASE WHEN coalesce(hours, -1) > 0 THEN CAST(ceil(ln(coalesce(hours, -1)) / ln(51.0 / 49.0)) AS INTEGER)
                      WHEN coalesce(hours, -1) = 0 THEN -999999 ELSE -1000000 END AS bin,
                 updated_at - updated_at % 3600 AS hour, count(*) AS n
          FROM reports WHERE kind = 'onboarding' AND hidden = 0 GROUP BY 1, 2, 3, 4, 5
          UNION ALL
          SELECT platform, kind, CASE WHEN paid IS NULL THEN '' WHEN paid = 0 THEN '0' ELSE '1' END, 1000000, updated_at - updated_at % 3600, count(*)
          FROM reports WHERE kind = 'onboarding' AND hidden = 0 GROUP BY 1, 2, 3, 4, 5) AS counted;
INSERT INTO report_bin_totals (platform, kind, tag, bin, n)
    SELECT platform, kind, tag, bin, sum(n) FROM report_bins GROUP BY platform, kind, tag, bin;
