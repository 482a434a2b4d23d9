-- State the processes sharing one database agree on (storage/coordination.py).
-- send_limits: one row per platform send limit (the platform's overall limit, or one destination's, named by a keyed
-- hash, never by the chat's id): `tat` is its theoretical arrival time in unix seconds (the generic cell rate
-- algorithm): a send is allowed once now >= tat - burst tolerance, and each send moves tat on by one interval.
-- Only PostgreSQL, which serves several processes, uses it; SQLite's one process keeps its limits in memory, but
-- the table exists on both, so the schemas agree.
CREATE TABLE send_limits (
    name TEXT PRIMARY KEY,
    tat REAL NOT NULL
);
