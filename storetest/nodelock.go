package storetest

import (
	"database/sql"
	"testing"
	"time"
)

// WaitForNodeLockWaiter returns once some session of the PostgreSQL
// database at url waits for the store's lock across nodes named key (in
// the URL's schema). It polls pg_locks, the one place that shows a node
// blocked in the database, and fails the test after 20 s.
func WaitForNodeLockWaiter(t testing.TB, url, key string) {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const q = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND " +
		"((classid::bigint << 32) | objid::bigint) = hashtextextended(current_schema() || ':' || $1, 0)"
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		var n int
		if err := db.QueryRow(q, key).Scan(&n); err != nil {
			t.Fatalf("look for a waiter on lock %q: %v", key, err)
		}
		if n > 0 {
			return
		}
	}
	t.Fatalf("no session waits for lock %q after 20 s", key)
}
