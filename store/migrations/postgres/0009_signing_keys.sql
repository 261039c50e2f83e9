-- Server-wide secrets the server generates itself at first start, by name:
-- "act-links" signs one-click acknowledge/resolve links (package actlink).
-- Stored in the clear because they must be usable to sign and verify:
-- anyone who can read this table can mint action links. Deleting a row
-- and restarting every node rotates the key and kills every link made
-- under it.
CREATE TABLE signing_keys (
    name   TEXT PRIMARY KEY,
    secret TEXT NOT NULL
);
