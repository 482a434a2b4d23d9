-- PostgreSQL's form of ../0018_languages.sql: BIGINT for integers (unix times past 2038); otherwise the same.
-- Languages (issue 18): a member's own reply language, and each community's default for its public posts.
ALTER TABLE member_settings ADD COLUMN language TEXT;   -- 'en', 'es' or 'pt_BR'; NULL: not chosen

CREATE TABLE community_languages (
    community  TEXT PRIMARY KEY,   -- Place.community_key, e.g. 'telegram:-100123'
    language   TEXT NOT NULL,      -- 'en', 'es' or 'pt_BR'
    updated_at BIGINT NOT NULL     -- unix seconds (UTC)
);
