-- Hypercare change freeze: freeze_window is the ID of the hypercare window
-- with change_freeze whose freeze a change event on a service in its scope
-- happened in ('' when none), set when the change arrives.
ALTER TABLE change_events ADD COLUMN freeze_window TEXT NOT NULL DEFAULT '';
