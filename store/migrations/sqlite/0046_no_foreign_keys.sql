-- Nothing to change on SQLite: its foreign keys are enforced only on a
-- connection with PRAGMA foreign_keys on, and the store now opens its
-- connections with it off (store/open.go), as PostgreSQL's migration 0046
-- drops its constraints: every row naming an incident or a service paid a
-- lookup of it. The REFERENCES clauses stay as the schema's documentation;
-- the tests check the references (Store.Orphans).
SELECT 1;
