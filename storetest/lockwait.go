package storetest

import (
	"database/sql"
	"testing"
	"time"
)

// LockProbe watches the sessions of one test's PostgreSQL schema for lock
// waits: how the race tests know one node's transaction blocks on
// another's before letting that one go on, since only the database knows
// when a session starts to wait. It sees only the sessions of its own
// test: every URL schemaURL returns names its schema as the sessions'
// application_name, and the tests of other packages, running at the same
// time against the same database, wait for locks of their own (a probe
// that counted them let a race test go on too early).
type LockProbe struct {
	db *sql.DB
}

// NewLockProbe opens a probe on databaseURL, the test store's own URL (as
// returned by PostgresURL), closed when the test ends.
func NewLockProbe(t testing.TB, databaseURL string) *LockProbe {
	t.Helper()
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		t.Fatalf("open lock probe: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return &LockProbe{db: db}
}

// Waits reports whether a session of the probe's test waits for a lock
// (row or advisory) and, unless queryLike is "", runs a statement
// matching it (ILIKE, e.g. "%alerts%").
func (p *LockProbe) Waits(t testing.TB, queryLike string) bool {
	t.Helper()
	var n int
	err := p.db.QueryRow("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "+
		"AND application_name = current_setting('application_name') AND application_name <> '' "+
		"AND wait_event_type = 'Lock' AND ($1 = '' OR query ILIKE $1)", queryLike).Scan(&n)
	if err != nil {
		t.Fatalf("probe lock waits: %v", err)
	}
	return n > 0
}

// UntilDoneOrBlocked returns once the write reporting on done (a buffered
// channel) has ended or a session of the test waits for a lock (in a
// statement matching queryLike, "" for any): a concurrent write started
// from a hook has reached the point the test interleaves at. It gives up
// after 30 s with an error naming what.
func (p *LockProbe) UntilDoneOrBlocked(t testing.TB, queryLike string, done chan error, what string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if len(done) > 0 || p.Waits(t, queryLike) {
			return
		}
	}
	t.Errorf("%s neither ended nor waited for a lock in 30 s", what)
}
