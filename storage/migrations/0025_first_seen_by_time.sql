-- The reporters who first reported anywhere (to the bot or in a community) since a moment: the brigading guard reads
-- them in one range instead of every reporter of a 6-hour window by key (only they can be new).
CREATE INDEX reporter_first_seen_by_time ON reporter_first_seen (first_at, reporter);
