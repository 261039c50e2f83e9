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

// waits reports whether a session of the probe's test waits for a lock
// (row or advisory) and, unless queryLike is "", runs a statement
// matching it (ILIKE, e.g. "%alerts%"). It runs on the goroutine of the
// transaction a hook interleaves in, where t.Fatal must not be called: a
// failed probe is an error, and ends the wait.
func (p *LockProbe) waits(t testing.TB, queryLike string) bool {
	t.Helper()
	var n int
	err := p.db.QueryRow("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "+
		"AND application_name = current_setting('application_name') AND application_name <> '' "+
		"AND wait_event_type = 'Lock' AND ($1 = '' OR query ILIKE $1)", queryLike).Scan(&n)
	if err != nil {
		t.Errorf("probe lock waits: %v", err)
		return true
	}
	return n > 0
}

// Interleaved is a write a race test starts from inside another
// transaction (a hook of a test store), the first time the hook runs: the
// test then sees how the two take their locks.
type Interleaved struct {
	t       testing.TB
	p       *LockProbe
	like    string
	what    string
	write   func() error
	started bool
	done    chan error
}

// Interleave returns write (named what in errors) ready to be started by
// Hook; queryLike narrows the lock waits Hook looks for to statements
// matching it ("" for any).
func (p *LockProbe) Interleave(t testing.TB, queryLike, what string, write func() error) *Interleaved {
	return &Interleaved{t: t, p: p, like: queryLike, what: what, write: write, done: make(chan error, 1)}
}

// Hook starts the write in a goroutine the first time it is called and
// returns once the write has ended or a session of the test waits for a
// lock: the write has reached the point the test interleaves at. It gives
// up after 30 s with an error naming the write. Later calls do nothing.
// It runs on the goroutine of the transaction it interleaves in.
func (w *Interleaved) Hook() {
	if w.started {
		return
	}
	w.started = true
	go func() { w.done <- w.write() }()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if len(w.done) > 0 || w.p.waits(w.t, w.like) {
			return
		}
	}
	w.t.Errorf("%s neither ended nor waited for a lock in 30 s", w.what)
}

// Err waits for the write to end and returns its error; it fails the
// test if Hook never ran.
func (w *Interleaved) Err() error {
	w.t.Helper()
	if !w.started {
		w.t.Fatalf("%s never started: the hook did not run", w.what)
	}
	return <-w.done
}
