package store

import (
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// errClass is what the store needs to know about a driver error: whether it
// is a constraint the caller caused or a transient failure worth retrying.
type errClass int

const (
	classOther errClass = iota
	classUnique
	classRetryable
)

// dialect holds the few things that differ between SQLite and PostgreSQL,
// so everything else is one portable SQL implementation.
type dialect struct {
	name string
	// migrations is the folder of embedded migration files.
	migrations string
	// begin starts a write transaction. SQLite takes the write lock up
	// front (IMMEDIATE) so a batch never fails half-way on lock upgrade.
	begin string
	// forUpdate locks rows read inside a write transaction (PG only:
	// SQLite's single writer already serialises everything).
	forUpdate string
	// lockIncident locks an incident row read to be updated (PG only). It
	// is FOR NO KEY UPDATE, the weakest lock that keeps the incident's
	// other writers out (its key never changes). Until migration 0046 it
	// also let an alert's foreign key check (KEY SHARE) pass: an alert
	// writer updating an alert twice in one batch re-checked that key, and
	// would otherwise have waited on, and deadlocked with, the writer that
	// held the incident while it waited for the alert (intake/route.go).
	lockIncident string
	// keyShare locks a row that a row being inserted names (PG only): the
	// lock a foreign key's check took before migration 0046, so a row
	// written for an incident cannot land after retention deleted it.
	keyShare string
	// skipLocked claims rows other nodes have not locked (PG only), so
	// several nodes share due work and never take the same row.
	skipLocked string
	// nextNumber returns the next incident number as one row.
	nextNumber string
	// numberInInsert is the SQL expression that draws the next incident
	// number inside the INSERT itself, saving a round trip per new
	// incident ("" when the number must be drawn first: SQLite's counter
	// row is updated by its own statement, which costs nothing in-process).
	numberInInsert string
	// prepare says whether writes run on one long-lived connection with
	// every write statement prepared on it once (SQLite: one writer, and
	// modernc does not cache statements). pgx caches prepared statements
	// per pooled connection itself, so PG takes a pooled connection per
	// batch.
	prepare bool
	// positional says to run statements with anonymous "?" parameters
	// where their numbered ones allow it (SQLite: see positional.go).
	positional bool
	// batchTimeout bounds one batch transaction, so a hung network cannot
	// wedge a writer forever (0: no bound; SQLite cannot hang on a network).
	batchTimeout time.Duration
	// maxBatch caps the batch size whatever Options.MaxBatch says. On PG,
	// more than 64 subtransactions with writes overflow the per-backend
	// subxid cache and slow every concurrent snapshot.
	maxBatch int
	classify func(error) errClass
	// streamID is the SQL expression of the first stream event ID of the
	// current transaction (PG: its xid shifted left, stream.go); "" lets
	// the ID column draw from its own counter (SQLite: one writer, so
	// IDs are drawn in commit order already).
	streamID string
	// activity says when each integration last sent an event is kept in
	// integration_activity, written at COMMIT (SQLite's one writer;
	// activity.go), not read from the index events_integration_at.
	activity bool
	// inJSON matches a column against the JSON array of strings in $1 (the
	// live stream's reads of the objects of up to a page of events: one
	// statement text whatever the count, each element a primary key
	// lookup).
	inJSON string
	// streamWatermark is the SQL expression below which every stream ID is
	// final: no transaction can still commit one (PG: the oldest running
	// xid, shifted alike; SQLite: every committed ID).
	streamWatermark string
	// pipeline queues writes that only need to succeed and sends them
	// with the next statement, in one round trip (PG: pipeline.go).
	pipeline bool
	// nodes says other processes may share the database (PG): commits are
	// announced on LISTEN/NOTIFY and readers wait for the watermark.
	nodes bool
	// limitWrap wraps a bound LIMIT parameter (SQLite only): SQLite 3.47+
	// reads a bare "LIMIT $n" parameter's bound value while planning and
	// marks the statement to be re-prepared whenever it is bound again, so
	// a prepared write-path statement with one was parsed and planned anew
	// on every call (about a fifth of a new alert's CPU time). "($n + 0)"
	// is an expression, not a parameter, and the plan stays cached.
	limitWrap bool
	// byteOrder follows a text column in an ORDER BY so that it sorts by
	// bytes, as SQLite does (PG: COLLATE "C"; a database created with an
	// en_US locale would otherwise put "checkout" before "Payments"
	// and "web_api" before "web-api").
	byteOrder string
	// contentUpdate says UpdateAlert first tries qUpdateAlertContent
	// (SQLite only: PostgreSQL's HOT updates already skip unchanged
	// indexes, and the extra statement would be a round trip).
	contentUpdate bool
	// compressPayloads says the event log's payloads may be stored
	// compressed, in payload_s2 (SQLite only: payload_s2.go).
	compressPayloads bool
}

// limit returns the LIMIT clause of a write-path query whose row count is
// bound parameter n.
func (d *dialect) limit(n int) string {
	if d.limitWrap {
		return fmt.Sprintf("LIMIT ($%d + 0)", n)
	}
	return fmt.Sprintf("LIMIT $%d", n)
}

// leaseNode is the value a claim writes to lease_node, with the node's ID
// as parameter node. On PostgreSQL it is the ID only while the session
// whose backend PID is parameter pid holds the node's liveness lock, else
// NULL, checked in the claim's own statement (liveness.go: a lease naming
// a node whose lock is free is taken over by the other nodes). SQLite has
// one node per file and never takes leases over by node: the ID as given.
func (d *dialect) leaseNode(node, pid int) string {
	if !d.nodes {
		return fmt.Sprintf("$%d", node)
	}
	return fmt.Sprintf("(SELECT $%d::text WHERE EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "+
		"AND granted AND pid = $%d AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = "+
		"hashtextextended(current_schema() || ':' || 'live:' || $%d, 0)))", node, pid, node)
}

// sqliteDialect returns SQLite's differences.
func sqliteDialect() *dialect {
	return &dialect{
		name:          "sqlite",
		migrations:    "migrations/sqlite",
		begin:         "BEGIN IMMEDIATE",
		forUpdate:     "",
		lockIncident:  "",
		skipLocked:    "",
		nextNumber:    "UPDATE counters SET value = value + 1 WHERE name = 'incident_number' RETURNING value",
		prepare:       true,
		positional:    true,
		maxBatch:      1 << 16,
		classify:      classifySQLite,
		limitWrap:     true,
		contentUpdate: true,
		// A payload's bytes are part of every commit's one fsync.
		compressPayloads: true,
		inJSON:           " IN (SELECT value FROM json_each($1))",
		activity:         true,
		// Above any ID SQLite's counter will draw.
		streamWatermark: "9223372036854775807",
	}
}

// postgresDialect returns PostgreSQL's differences.
func postgresDialect() *dialect {
	return &dialect{
		name:            "postgres",
		migrations:      "migrations/postgres",
		begin:           "BEGIN",
		forUpdate:       " FOR UPDATE",
		lockIncident:    " FOR NO KEY UPDATE",
		keyShare:        " FOR KEY SHARE",
		skipLocked:      " FOR UPDATE SKIP LOCKED",
		nextNumber:      "SELECT nextval('incident_number_seq')",
		numberInInsert:  "nextval('incident_number_seq')",
		prepare:         false,
		batchTimeout:    30 * time.Second,
		maxBatch:        64,
		classify:        classifyPostgres,
		streamID:        streamIDPostgres,
		streamWatermark: streamWatermarkPostgres,
		inJSON:          " = ANY(ARRAY(SELECT jsonb_array_elements_text($1::jsonb)))",
		nodes:           true,
		pipeline:        true,
		byteOrder:       ` COLLATE "C"`,
	}
}

// eventReadCols reads eventCols of "FROM events" with each event's
// payload: its own, or the one it shares with an earlier event, kept in
// event_payloads once that event is pruned (shared_payload.go); on SQLite
// as text or compressed, whichever the row holds (payload_s2.go, scanned
// by storedPayload).
func (d *dialect) eventReadCols() string {
	const cols = "id, received_at, integration_id, service_id, action, dedup_key, alert_id, incident_id, outcome, "
	if !d.compressPayloads {
		return cols + "COALESCE(payload, (SELECT p.payload FROM events p WHERE p.id = events.payload_from), " +
			"(SELECT x.payload FROM event_payloads x WHERE x.id = events.payload_from)), rules"
	}
	return cols + "COALESCE(payload, payload_s2, " +
		"(SELECT COALESCE(p.payload, p.payload_s2) FROM events p WHERE p.id = events.payload_from), " +
		"(SELECT COALESCE(NULLIF(x.payload, ''), x.payload_s2) FROM event_payloads x WHERE x.id = events.payload_from)), rules"
}

// keepSharedPayloadsSQL copies the shared payloads of the events in the
// list in to event_payloads, before they are deleted, in the form each
// was stored (on SQLite a compressed one as an empty text column, which
// is NOT NULL, and its bytes in payload_s2).
func (d *dialect) keepSharedPayloadsSQL(in string) string {
	if !d.compressPayloads {
		return "INSERT INTO event_payloads (id, payload, until) SELECT id, payload, shared_until FROM events " +
			"WHERE id IN " + in + " AND shared_until > 0 AND payload IS NOT NULL ON CONFLICT DO NOTHING"
	}
	return "INSERT INTO event_payloads (id, payload, payload_s2, until) " +
		"SELECT id, COALESCE(payload, ''), payload_s2, shared_until FROM events " +
		"WHERE id IN " + in + " AND shared_until > 0 AND (payload IS NOT NULL OR payload_s2 IS NOT NULL) ON CONFLICT DO NOTHING"
}

// bytewise returns col as an ORDER BY term that sorts by bytes on every
// engine (byteOrder).
func (d *dialect) bytewise(col string) string { return col + d.byteOrder }

func classifySQLite(err error) errClass {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return classOther
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return classUnique
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return classRetryable
	}
	return classOther
}

// lockNotAvailable reports whether err is PostgreSQL's answer to a lock
// taken NOWAIT that another transaction holds.
func lockNotAvailable(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "55P03"
}

func classifyPostgres(err error) errClass {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return classOther
	}
	switch e.Code {
	case "23505": // unique_violation
		return classUnique
	case "40001", "40P01": // serialization_failure, deadlock_detected
		return classRetryable
	}
	return classOther
}

// retryable reports whether err means "run the whole batch again".
func (d *dialect) retryable(err error) bool { return d.classify(err) == classRetryable }
