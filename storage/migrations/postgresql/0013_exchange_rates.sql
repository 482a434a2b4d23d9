-- PostgreSQL's form of ../0013_exchange_rates.sql: BIGINT for integers (unix times past 2038), DOUBLE PRECISION for REAL;
-- otherwise the same.
-- Exchange rates fetched in the background (the ECB daily euro reference rates), one row per currency per day.
-- Reference data only: nothing here is about a person. The bot uses the newest day; a few days are kept.
CREATE TABLE exchange_rates (
    day        TEXT NOT NULL,     -- the date the rates are for, YYYY-MM-DD (the ECB's <Cube time>)
    base       TEXT NOT NULL,     -- ISO 4217 code of the base currency ('EUR')
    currency   TEXT NOT NULL,     -- ISO 4217 code
    rate       DOUBLE PRECISION NOT NULL CHECK (rate > 0),  -- units of `currency` per unit of `base`
    url        TEXT NOT NULL,     -- where they were fetched from
    fetched_at BIGINT NOT NULL,  -- unix seconds (UTC)
    PRIMARY KEY (day, currency)
);
