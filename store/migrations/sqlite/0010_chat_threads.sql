-- The first chat message of each incident per address (a Slack channel or
-- user ID), so later pages for the same incident reply in its thread.
-- channel is where the provider put the message (a user ID becomes a DM
-- channel), ref its provider ID (Slack's ts). Written once: the first
-- message of an incident stays the thread's root.
CREATE TABLE chat_threads (
    incident_id TEXT NOT NULL,
    address     TEXT NOT NULL,
    channel     TEXT NOT NULL,
    ref         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (incident_id, address)
);
