-- Nothing on SQLite: PostgreSQL's migration 0045 leaves room on each
-- alerts page for HOT updates of re-triggered rows. SQLite rewrites a
-- row in place and has no such setting.
SELECT 1;
