package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestPruneQueriesUseIndexes: on SQLite every retention candidate query
// walks the index ordered by its cutoff column, with no table scan and no
// sort, so a batch reads what it deletes whatever the store's size.
func TestPruneQueriesUseIndexes(t *testing.T) {
	s, err := Open(context.Background(), Options{DataDir: filepath.Join(t.TempDir(), "d")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	q := pruneCandidates(s.d)
	in, args := inList([]string{"a", "b"}, 1)
	for _, c := range []struct{ name, text, index string }{
		{"keep shared payloads", s.d.keepSharedPayloadsSQL(in), "INDEX sqlite_autoindex_events_1"},
		{"kept payloads", q.keptPayloads, "INDEX event_payloads_until"},
		{"kept payloads: oldest event left", q.keptPayloads, "INDEX events_received"},
		{"incidents", q.incidents, "INDEX incidents_resolved_at"},
		{"standalone alerts", q.standalone, "INDEX alerts_standalone_resolved"},
		{"notifications", q.notifications, "INDEX notifications_created"},
		{"escalations", q.escalations, "INDEX escalations_done_at"},
		{"events", q.events, "INDEX events_received "},
		{"change events", q.changes, "INDEX change_events_received"},
		{"silences", q.silences, "INDEX silences_ends"},
		{"silences' open incidents", q.silences, "INDEX incidents_suppressed_by"},
		{"symptoms of", "SELECT id FROM alerts" + indexedBy(s.d, "alerts_symptom_of") + " WHERE symptom_of IN " + in +
			" AND symptom_of <> '' AND incident_id IS NULL", "INDEX alerts_symptom_of"},
	} {
		qargs := []any{int64(1), 10}
		if c.name == "symptoms of" || c.name == "keep shared payloads" {
			qargs = args
		}
		plan, err := s.Explain(context.Background(), c.text, qargs)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		all := strings.Join(plan, "; ")
		if !strings.Contains(all, c.index) {
			t.Errorf("%s: plan %q does not use %s", c.name, all, c.index)
		}
		for _, p := range plan {
			if (strings.HasPrefix(p, "SCAN ") && !strings.Contains(p, "INDEX")) || strings.Contains(p, "TEMP B-TREE") {
				t.Errorf("%s: plan scans a table or sorts: %q", c.name, all)
			}
		}
	}
}
