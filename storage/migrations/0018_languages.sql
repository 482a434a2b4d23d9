-- Languages (issue 18): a member's own reply language, and each community's default for its public posts.
-- NULL: not chosen (the platform's locale, then the community's default, then English apply).
ALTER TABLE member_settings ADD COLUMN language TEXT;   -- 'en', 'es' or 'pt_BR'

CREATE TABLE community_languages (
    community  TEXT PRIMARY KEY,   -- Place.community_key, e.g. 'telegram:-100123'
    language   TEXT NOT NULL,      -- 'en', 'es' or 'pt_BR'
    updated_at INTEGER NOT NULL    -- unix seconds (UTC)
);
