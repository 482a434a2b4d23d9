-- Core tables: a key-value store for the generated secret and other process-wide values,
-- and button payloads too long to fit in a platform's callback field.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE button_payloads (
    token      TEXT PRIMARY KEY,
    command    TEXT NOT NULL,
    args_json  TEXT NOT NULL,
    created_at TEXT NOT NULL
);
