-- PostgreSQL only (its stream IDs now come from the transaction ID, read
-- below a watermark; see the postgres folder). SQLite's single writer
-- already draws AUTOINCREMENT IDs in commit order: nothing changes here.
SELECT 1;
