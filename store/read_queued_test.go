package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestQueuedSendsUsesAnIndex: on SQLite the throttle's read of waiting
// pages searches an index (the user's pages or the waiting ones), never
// scans every page ever sent.
func TestQueuedSendsUsesAnIndex(t *testing.T) {
	s, err := Open(context.Background(), Options{DataDir: filepath.Join(t.TempDir(), "d")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.rdb.Query("EXPLAIN QUERY PLAN "+queuedSendsSQL, "alice", "sms", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if all := strings.Join(plan, "; "); !strings.Contains(all, "SEARCH notifications USING INDEX notifications_") {
		t.Fatalf("plan %q does not search an index", all)
	}
}
