-- drought_slots counts a person once per baseline slot: a drought report going in or out is compared with its
-- reporter's other drought reports in reach (0019). PostgreSQL runs AFTER row triggers once the whole statement is
-- done, so when one statement took out or moved several of one reporter's reports (/forget, a clock put right),
-- each row's trigger found none of the others and each took the person out of the slots they share: a count below
-- zero. A BEFORE row trigger sees what the statement did to the rows before it and nothing of the rest, as SQLite's
-- row triggers do, so a DELETE or UPDATE now counts before. An INSERT stays AFTER (a BEFORE INSERT trigger also
-- fires for a row that ON CONFLICT turns into an update; and PostgreSQL writes one report per INSERT). SQLite needs
-- no change. The counts stored are then made again from the reports (storage/aggregates.py REBUILD's statement).

CREATE OR REPLACE FUNCTION reports_slots() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    mine BOOLEAN := TG_OP IN ('INSERT', 'UPDATE') AND NEW.kind = 'drought' AND NEW.project = '' AND NEW.hidden = 0;
    was BOOLEAN := TG_OP IN ('DELETE', 'UPDATE') AND OLD.kind = 'drought' AND OLD.project = '' AND OLD.hidden = 0;
BEGIN
    IF mine THEN
        PERFORM pg_advisory_xact_lock(hashtext('drought_slots:' || NEW.reporter || ':' || NEW.platform));
        INSERT INTO drought_slots (platform, slot_end, reporters)
            SELECT NEW.platform, s.slot_end, 1
            FROM (SELECT NEW.updated_at - NEW.updated_at % 3600 + 3600 * k AS slot_end
                  FROM generate_series(1, 6) AS k) AS s
            WHERE NOT EXISTS (SELECT 1 FROM reports o WHERE o.reporter = NEW.reporter AND o.platform = NEW.platform
                              AND o.kind = 'drought' AND o.project = '' AND o.window_start > s.slot_end - 43200
                              AND o.id <> NEW.id AND o.hidden = 0 AND o.updated_at >= s.slot_end - 21600
                              AND o.updated_at < s.slot_end)
            ON CONFLICT (slot_end, platform) DO UPDATE SET reporters = drought_slots.reporters + 1;
    END IF;
    IF was THEN
        PERFORM pg_advisory_xact_lock(hashtext('drought_slots:' || OLD.reporter || ':' || OLD.platform));
        UPDATE drought_slots d SET reporters = d.reporters - 1
            WHERE d.platform = OLD.platform
            AND d.slot_end IN (SELECT OLD.updated_at - OLD.updated_at % 3600 + 3600 * k FROM generate_series(1, 6) AS k)
            AND NOT EXISTS (SELECT 1 FROM reports o WHERE o.reporter = OLD.reporter AND o.platform = OLD.platform
                            AND o.kind = 'drought' AND o.project = '' AND o.window_start > d.slot_end - 43200
                            AND o.id <> OLD.id AND o.hidden = 0 AND o.updated_at >= d.slot_end - 21600
                            AND o.updated_at < d.slot_end);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;  -- a BEFORE trigger's row goes on to be written (ignored AFTER)
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER reports_slots_delete ON reports;
DROP TRIGGER reports_slots_update ON reports;
CREATE TRIGGER reports_slots_delete BEFORE DELETE ON reports
    FOR EACH ROW WHEN (OLD.kind = 'drought' AND OLD.project = '' AND OLD.hidden = 0) EXECUTE FUNCTION reports_slots();
CREATE TRIGGER reports_slots_update BEFORE UPDATE OF hidden, platform, kind, project, updated_at ON reports
    FOR EACH ROW WHEN ((OLD.kind = 'drought' AND OLD.project = '' AND OLD.hidden = 0
                        OR NEW.kind = 'drought' AND NEW.project = '' AND NEW.hidden = 0)
        AND NOT (OLD.kind = 'drought' AND OLD.project = '' AND OLD.hidden = 0
                 AND NEW.kind = 'drought' AND NEW.project = '' AND NEW.hidden = 0 AND OLD.platform = NEW.platform
                 AND OLD.updated_at - OLD.updated_at % 3600 = NEW.updated_at - NEW.updated_at % 3600))
    EXECUTE FUNCTION reports_slots();

DELETE FROM drought_slots;
INSERT INTO drought_slots (platform, slot_end, reporters) WITH k(n) AS (VALUES (1), (2), (3), (4), (5), (6)),
    h AS (SELECT DISTINCT platform, reporter, updated_at - updated_at % 3600 AS hour FROM reports
          WHERE kind = 'drought' AND project = '' AND hidden = 0)
    SELECT h.platform, h.hour + k.n * 3600, count(DISTINCT h.reporter) FROM h CROSS JOIN k
    GROUP BY h.platform, h.hour + k.n * 3600;
