-- Silences listed newest first (GET /api/v1/silences, the web UI) were
-- sorted whole for every page: few while people made them by hand, but
-- automation that silences every deploy makes thousands, kept until
-- retention prunes them. This index gives the pages in order.
CREATE INDEX silences_created ON silences (created_at, id);
