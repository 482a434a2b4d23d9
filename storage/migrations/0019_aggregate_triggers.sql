-- Migration 0016's aggregates kept by triggers on reports, so every write to reports (a report or its repeat in
-- one upsert, a retraction, a hide or unhide, /forget, a clock put right, a bulk load) moves them inside its own
-- statement: one statement per report again, group-committed with the others. The rules are the ones
-- `queuewatch aggregates rebuild` recomputes them by (storage/aggregates.py REBUILD, 0016's statements):
-- - report_hours: visible reports per platform, kind and UTC hour of updated_at;
-- - report_values: per platform, kind, UTC day, tag and value, how many visible reports gave it (payrate: tag =
--   role or '', value = hourly_usd, NULL figures left out; onboarding: tag = paid '1'/'0'/'', value = hours or -1);
--   a row whose count falls to 0 is removed (a figure no one gives any more is no rank of a quartile);
-- - drought_slots: per platform and whole hour slot_end, the distinct reporters of a visible platform-wide drought
--   report (project '') updated in [slot_end - 6 h, slot_end). A report in hour h lies in the slots ending
--   h + 1 h .. h + 6 h; it counts its reporter in a slot only where none of their other such reports does.
-- Each UPDATE trigger takes the row out as it was and puts it in as it is, and runs only when a column it is made
-- of changed (a repeat within the same hour and value moves nothing). A reporter hash changes only in
-- `queuewatch rekey`, one to one, which leaves every slot's count of distinct reporters as it was: not watched.

CREATE TRIGGER reports_hours_insert AFTER INSERT ON reports WHEN NEW.hidden = 0 BEGIN
    INSERT INTO report_hours (platform, kind, hour, n)
        VALUES (NEW.platform, NEW.kind, NEW.updated_at - NEW.updated_at % 3600, 1)
        ON CONFLICT (platform, kind, hour) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER reports_hours_delete AFTER DELETE ON reports WHEN OLD.hidden = 0 BEGIN
    UPDATE report_hours SET n = n - 1
        WHERE platform = OLD.platform AND kind = OLD.kind AND hour = OLD.updated_at - OLD.updated_at % 3600;
END;
CREATE TRIGGER reports_hours_update AFTER UPDATE OF hidden, platform, kind, updated_at ON reports
    WHEN (OLD.hidden = 0 OR NEW.hidden = 0) AND ((OLD.hidden = 0) != (NEW.hidden = 0)
        OR OLD.platform != NEW.platform OR OLD.kind != NEW.kind
        OR OLD.updated_at - OLD.updated_at % 3600 != NEW.updated_at - NEW.updated_at % 3600) BEGIN
    INSERT INTO report_hours (platform, kind, hour, n)
        SELECT NEW.platform, NEW.kind, NEW.updated_at - NEW.updated_at % 3600, 1 WHERE NEW.hidden = 0
        ON CONFLICT (platform, kind, hour) DO UPDATE SET n = n + 1;
    UPDATE report_hours SET n = n - 1
        WHERE OLD.hidden = 0 AND platform = OLD.platform AND kind = OLD.kind
        AND hour = OLD.updated_at - OLD.updated_at % 3600;
END;

CREATE TRIGGER reports_values_insert AFTER INSERT ON reports
    WHEN NEW.hidden = 0 AND (NEW.kind = 'onboarding' OR (NEW.kind = 'payrate' AND NEW.hourly_usd IS NOT NULL)) BEGIN
    INSERT INTO report_values (platform, kind, day, tag, value, n)
        VALUES (NEW.platform, NEW.kind, NEW.updated_at - NEW.updated_at % 86400,
                CASE WHEN NEW.kind = 'payrate' THEN coalesce(NEW.role, '') WHEN NEW.paid IS NULL THEN ''
                     WHEN NEW.paid = 0 THEN '0' ELSE '1' END,
                CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END, 1)
        ON CONFLICT (platform, kind, day, tag, value) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER reports_values_delete AFTER DELETE ON reports
    WHEN OLD.hidden = 0 AND (OLD.kind = 'onboarding' OR (OLD.kind = 'payrate' AND OLD.hourly_usd IS NOT NULL)) BEGIN
    UPDATE report_values SET n = n - 1
        WHERE platform = OLD.platform AND kind = OLD.kind AND day = OLD.updated_at - OLD.updated_at % 86400
        AND tag = CASE WHEN OLD.kind = 'payrate' THEN coalesce(OLD.role, '') WHEN OLD.paid IS NULL THEN ''
                       WHEN OLD.paid = 0 THEN '0' ELSE '1' END
        AND value = CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END;
    DELETE FROM report_values
        WHERE platform = OLD.platform AND kind = OLD.kind AND day = OLD.updated_at - OLD.updated_at % 86400
        AND tag = CASE WHEN OLD.kind = 'payrate' THEN coalesce(OLD.role, '') WHEN OLD.paid IS NULL THEN ''
                       WHEN OLD.paid = 0 THEN '0' ELSE '1' END
        AND value = CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END
        AND n <= 0;
END;
-- (The new figure is counted before the old one is taken out, so a row both name is never emptied in between.)
CREATE TRIGGER reports_values_update AFTER UPDATE OF hidden, platform, kind, updated_at, role, hourly_usd, hours, paid
    ON reports
    WHEN (OLD.hidden = 0 AND (OLD.kind = 'onboarding' OR (OLD.kind = 'payrate' AND OLD.hourly_usd IS NOT NULL))
          OR NEW.hidden = 0 AND (NEW.kind = 'onboarding' OR (NEW.kind = 'payrate' AND NEW.hourly_usd IS NOT NULL)))
    AND NOT (OLD.hidden = 0 AND NEW.hidden = 0 AND OLD.platform = NEW.platform AND OLD.kind = NEW.kind
             AND OLD.updated_at - OLD.updated_at % 86400 = NEW.updated_at - NEW.updated_at % 86400
             AND (CASE WHEN OLD.kind = 'payrate' THEN coalesce(OLD.role, '') WHEN OLD.paid IS NULL THEN ''
                       WHEN OLD.paid = 0 THEN '0' ELSE '1' END)
               = (CASE WHEN NEW.kind = 'payrate' THEN coalesce(NEW.role, '') WHEN NEW.paid IS NULL THEN ''
                       WHEN NEW.paid = 0 THEN '0' ELSE '1' END)
             AND (CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END)
               IS (CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END)) BEGIN
    INSERT INTO report_values (platform, kind, day, tag, value, n)
        SELECT NEW.platform, NEW.kind, NEW.updated_at - NEW.updated_at % 86400,
               CASE WHEN NEW.kind = 'payrate' THEN coalesce(NEW.role, '') WHEN NEW.paid IS NULL THEN ''
                    WHEN NEW.paid = 0 THEN '0' ELSE '1' END,
               CASE WHEN NEW.kind = 'payrate' THEN NEW.hourly_usd ELSE coalesce(NEW.hours, -1) END, 1
        WHERE NEW.hidden = 0 AND (NEW.kind = 'onboarding' OR (NEW.kind = 'payrate' AND NEW.hourly_usd IS NOT NULL))
        ON CONFLICT (platform, kind, day, tag, value) DO UPDATE SET n = n + 1;
    UPDATE report_values SET n = n - 1
        WHERE OLD.hidden = 0 AND (OLD.kind = 'onboarding' OR (OLD.kind = 'payrate' AND OLD.hourly_usd IS NOT NULL))
        AND platform = OLD.platform AND kind = OLD.kind AND day = OLD.updated_at - OLD.updated_at % 86400
        AND tag = CASE WHEN OLD.kind = 'payrate' THEN coalesce(OLD.role, '') WHEN OLD.paid IS NULL THEN ''
                       WHEN OLD.paid = 0 THEN '0' ELSE '1' END
        AND value = CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END;
    DELETE FROM report_values
        WHERE OLD.hidden = 0 AND (OLD.kind = 'onboarding' OR (OLD.kind = 'payrate' AND OLD.hourly_usd IS NOT NULL))
        AND platform = OLD.platform AND kind = OLD.kind AND day = OLD.updated_at - OLD.updated_at % 86400
        AND tag = CASE WHEN OLD.kind = 'payrate' THEN coalesce(OLD.role, '') WHEN OLD.paid IS NULL THEN ''
                       WHEN OLD.paid = 0 THEN '0' ELSE '1' END
        AND value = CASE WHEN OLD.kind = 'payrate' THEN OLD.hourly_usd ELSE coalesce(OLD.hours, -1) END
        AND n <= 0;
END;

-- The reporter's other visible platform-wide drought reports in a slot are found by their own dedupe key: a
-- drought report's updated_at lies less than its 6-hour window after its window_start (a repeat stays in the
-- window, a clock put right only lowers it), so one in [slot_end - 6 h, slot_end) has window_start >
-- slot_end - 12 h (tests/test_aggregates.py keeps the drought window at most 6 hours). `+ 0`: not by time.
CREATE TRIGGER reports_slots_insert AFTER INSERT ON reports
    WHEN NEW.kind = 'drought' AND NEW.project = '' AND NEW.hidden = 0 BEGIN
    INSERT INTO drought_slots (platform, slot_end, reporters)
        SELECT NEW.platform, s.slot_end, 1
        FROM (SELECT NEW.updated_at - NEW.updated_at % 3600 + 3600 * k.n AS slot_end
              FROM (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5
                    UNION ALL SELECT 6) AS k) AS s
        WHERE NOT EXISTS (SELECT 1 FROM reports o WHERE o.reporter = NEW.reporter AND o.platform = NEW.platform
                          AND o.kind = 'drought' AND o.project = '' AND o.window_start > s.slot_end - 43200
                          AND o.id != NEW.id AND o.hidden = 0 AND o.updated_at + 0 >= s.slot_end - 21600
                          AND o.updated_at + 0 < s.slot_end)
        ON CONFLICT (slot_end, platform) DO UPDATE SET reporters = reporters + 1;
END;
CREATE TRIGGER reports_slots_delete AFTER DELETE ON reports
    WHEN OLD.kind = 'drought' AND OLD.project = '' AND OLD.hidden = 0 BEGIN
    UPDATE drought_slots SET reporters = reporters - 1
        WHERE platform = OLD.platform
        AND slot_end IN (SELECT OLD.updated_at - OLD.updated_at % 3600 + 3600 * k.n
                         FROM (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
                               UNION ALL SELECT 5 UNION ALL SELECT 6) AS k)
        AND NOT EXISTS (SELECT 1 FROM reports o WHERE o.reporter = OLD.reporter AND o.platform = OLD.platform
                        AND o.kind = 'drought' AND o.project = '' AND o.window_start > drought_slots.slot_end - 43200
                        AND o.id != OLD.id AND o.hidden = 0 AND o.updated_at + 0 >= drought_slots.slot_end - 21600
                        AND o.updated_at + 0 < drought_slots.slot_end);
END;
CREATE TRIGGER reports_slots_update AFTER UPDATE OF hidden, platform, kind, project, updated_at ON reports
    WHEN (OLD.kind = 'drought' AND OLD.project = '' AND OLD.hidden = 0
          OR NEW.kind = 'drought' AND NEW.project = '' AND NEW.hidden = 0)
    AND NOT (OLD.kind = 'drought' AND OLD.project = '' AND OLD.hidden = 0
             AND NEW.kind = 'drought' AND NEW.project = '' AND NEW.hidden = 0 AND OLD.platform = NEW.platform
             AND OLD.updated_at - OLD.updated_at % 3600 = NEW.updated_at - NEW.updated_at % 3600) BEGIN
    INSERT INTO drought_slots (platform, slot_end, reporters)
        SELECT NEW.platform, s.slot_end, 1
        FROM (SELECT NEW.updated_at - NEW.updated_at % 3600 + 3600 * k.n AS slot_end
              FROM (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5
                    UNION ALL SELECT 6) AS k) AS s
        WHERE NEW.kind = 'drought' AND NEW.project = '' AND NEW.hidden = 0
        AND NOT EXISTS (SELECT 1 FROM reports o WHERE o.reporter = NEW.reporter AND o.platform = NEW.platform
                        AND o.kind = 'drought' AND o.project = '' AND o.window_start > s.slot_end - 43200
                        AND o.id != NEW.id AND o.hidden = 0 AND o.updated_at + 0 >= s.slot_end - 21600
                        AND o.updated_at + 0 < s.slot_end)
        ON CONFLICT (slot_end, platform) DO UPDATE SET reporters = reporters + 1;
    UPDATE drought_slots SET reporters = reporters - 1
        WHERE OLD.kind = 'drought' AND OLD.project = '' AND OLD.hidden = 0 AND platform = OLD.platform
        AND slot_end IN (SELECT OLD.updated_at - OLD.updated_at % 3600 + 3600 * k.n
                         FROM (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
                               UNION ALL SELECT 5 UNION ALL SELECT 6) AS k)
        AND NOT EXISTS (SELECT 1 FROM reports o WHERE o.reporter = OLD.reporter AND o.platform = OLD.platform
                        AND o.kind = 'drought' AND o.project = '' AND o.window_start > drought_slots.slot_end - 43200
                        AND o.id != OLD.id AND o.hidden = 0 AND o.updated_at + 0 >= drought_slots.slot_end - 21600
                        AND o.updated_at + 0 < drought_slots.slot_end);
END;
