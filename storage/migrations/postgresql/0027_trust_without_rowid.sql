-- PostgreSQL's form of ../0027_trust_without_rowid.sql: nothing to do. A PostgreSQL table has no rowid, and its
-- primary key's index already finds a record in one descent (the row is then fetched by its tuple id either way).
SELECT 1;
