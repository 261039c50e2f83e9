-- Nothing on PostgreSQL: SQLite's migration 0044 moves when each
-- integration last sent an event from events_integration_at to a row per
-- integration that its one writer updates once per commit. On PostgreSQL
-- concurrent writers (and nodes) would all update that row, and each
-- would wait for the one before to commit, so it keeps the index.
SELECT 1;
