-- The name a project is shown by: the form its first reporter typed ("Falcon"), while reports keep the
-- normalised key they are matched and counted by ("falcon"). A name goes when no report of its project is left.
CREATE TABLE project_names (
    platform    TEXT    NOT NULL,
    project     TEXT    NOT NULL,   -- the normalised key, as in reports.project
    shown       TEXT    NOT NULL,   -- as the first reporter typed it (cleaned of control characters)
    PRIMARY KEY (platform, project)
);

-- How many times a report was repeated within its window (a repeat refreshes it instead of counting again), so the
-- reporter can be told "updated your earlier report".
ALTER TABLE reports ADD COLUMN repeats INTEGER NOT NULL DEFAULT 0;
