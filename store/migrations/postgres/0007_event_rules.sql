-- Event rules (package rules): an incident's priority (P1..P5, '' when no
-- rule set one), and the IDs of the rules that acted on each logged event,
-- comma-separated ('' when none).
ALTER TABLE incidents ADD COLUMN priority TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN rules TEXT NOT NULL DEFAULT '';
