package storetest

import (
	"database/sql"
	"testing"
)

// WaitsForLock reports whether a session of probe's PostgreSQL database
// waits for a lock (row or advisory), and, unless queryLike is "", runs a
// statement matching it (ILIKE, e.g. "%alerts%"): how the race tests know
// one node's transaction blocks on another's before letting that one go
// on, since only the database knows when a session starts to wait.
func WaitsForLock(t testing.TB, probe *sql.DB, queryLike string) bool {
	t.Helper()
	var n int
	err := probe.QueryRow("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "+
		"AND wait_event_type = 'Lock' AND ($1 = '' OR query ILIKE $1)", queryLike).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n > 0
}
