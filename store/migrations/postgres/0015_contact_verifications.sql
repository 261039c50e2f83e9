-- Contact method verification (issue 7, item 4): methods come from the
-- config file, but whether a person proved they receive messages at one is
-- state, so it lives here. address_hash is the SHA-256 of the method's type
-- and address when the code was sent: a verified method whose address later
-- changes in the file counts as unverified again. code_hash is the SHA-256
-- of the pending code (empty when none is pending); attempts counts wrong
-- and right tries at it. verified_at is NULL until a code is confirmed.
CREATE TABLE contact_verifications (
    user_id        TEXT NOT NULL,
    contact_method TEXT NOT NULL,
    address_hash   TEXT NOT NULL,
    code_hash      TEXT NOT NULL,
    expires_at     BIGINT NOT NULL,
    attempts       INTEGER NOT NULL,
    verified_at    BIGINT,
    PRIMARY KEY (user_id, contact_method)
);
