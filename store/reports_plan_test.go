package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReportQueriesUseIndexes: on SQLite every report read is a search of
// an index on its time column (migration 0019), never a scan of the table,
// with and without a service filter.
func TestReportQueriesUseIndexes(t *testing.T) {
	s, err := Open(context.Background(), Options{DataDir: filepath.Join(t.TempDir(), "d")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	from, to := time.Unix(0, 0), time.Unix(3600, 0)
	for _, svc := range []string{"", "checkout"} {
		where := func(col, svcCol string) (string, []any) {
			filter := ""
			if svcCol == "service_id" && col == "received_at" {
				filter = svc // only the event log is filtered in SQL
			}
			q, err := rangeQuery("plan", col, svcCol, from, to, filter)
			if err != nil {
				t.Fatal(err)
			}
			return q.sql(), q.args
		}
		ev, evArgs := where("received_at", "service_id")
		al, alArgs := where("first_seen_at", "service_id")
		in, inArgs := where("i.created_at", "i.service_id")
		pg, pgArgs := where("n.created_at", "i.service_id")
		ch, chArgs := where("occurred_at", "")
		for _, c := range []struct {
			name, text, index string
			args              []any
		}{
			{"event counts", eventCountsSQL(ev), "COVERING INDEX events_received ", evArgs},
			{"alert counts", alertCountsSQL(al), "INDEX alerts_first_seen_service", alArgs},
			{"incident stats", incidentStatsSQL(in), "INDEX incidents_created_service", inArgs},
			{"page stats", pageStatsSQL(pg + " AND n.status <> 'cancelled' AND n.kind <> 'digest'"), "INDEX notifications_created", pgArgs},
			{"noisiest", noisiestSQL(s.d, ev, "10"), "INDEX events_received ", evArgs}, // a range scan on time
			{"noisy summary", noisySummarySQL, "INDEX alerts_dedup_service", []any{"a", "b"}},
			{"freeze changes", freezeChangesSQL(ch, "10"), "INDEX change_events_at", chArgs},
		} {
			plan, err := s.Explain(context.Background(), c.text, c.args)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			all := strings.Join(plan, "; ")
			if !strings.Contains(all, c.index) {
				t.Errorf("%s (service %q): plan %q does not use %s", c.name, svc, all, c.index)
			}
			for _, p := range plan {
				if strings.HasPrefix(p, "SCAN ") && !strings.Contains(p, "INDEX") {
					t.Errorf("%s (service %q): plan scans a table: %q", c.name, svc, all)
				}
			}
		}
	}
}
