-- Retention prunes change events by when Hypercare received them, not by
-- the sender's timestamp (occurred_at): a sender with a clock behind had
-- its changes deleted on arrival, one ahead kept them forever. This index
-- lets each batch find them with a range scan, as change_events_at did.
CREATE INDEX change_events_received ON change_events (received_at, id);
