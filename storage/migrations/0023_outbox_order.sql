-- A destination's messages go out in the order they were queued: a message is due only while no earlier one to
-- the same destination is still to be delivered (pending, uncertain or being sent), so a message waiting for a
-- retry is not overtaken by the next one. This index answers "is an earlier one still to be delivered?" from the
-- few undelivered rows of that destination. The same SQL on both backends.
CREATE INDEX outbox_undelivered_by_dest ON outbox (platform, dest_kind, dest_id, id)
    WHERE state IN ('pending', 'uncertain', 'sending');
