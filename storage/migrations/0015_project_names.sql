-- The name a project is shown by: the form its first reporter typed ("Falcon"), while reports keep the
-- normalised key they are matched and counted by ("falcon"). A name goes when no report of its project is left.
CREATE TABLE project_names (
    platform    TEXT    NOT NULL,
    project     TEXT    NOT NULL,   -- the normalised key, as in reports.project
    shown       TEXT    NOT NULL,   -- as the first reporter typed it (cleaned of control characters)
    PRIMARY KEY (platform, project)
);
