-- PostgreSQL's form of ../0002_member_settings.sql: BIGINT for integers (unix times past 2038), DOUBLE PRECISION for REAL;
-- otherwise the same.
-- A member's saved preferences for answers: country (minimum wage) and display currency.
-- Keyed by the keyed hash of the member's platform identity (app.person_key), never a name or id.
CREATE TABLE member_settings (
    person     TEXT PRIMARY KEY,
    country    TEXT,              -- ISO 3166 alpha-2 code, e.g. 'GB'; NULL: not set
    currency   TEXT,              -- ISO 4217 code, e.g. 'GBP'; NULL: not set
    updated_at BIGINT NOT NULL   -- unix seconds (UTC)
);
