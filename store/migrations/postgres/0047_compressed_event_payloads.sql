-- Nothing on PostgreSQL: SQLite's migration 0047 adds a column for the
-- event log's payloads compressed by the writer. PostgreSQL keeps them as
-- text; it compresses values of 2 KB or more itself (TOAST), and its
-- writers are not bound by one connection's WAL.
SELECT 1;
