package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hypercare/hypercare/storetest"
)

// TestIncidentNotificationsPageReadsInOrder: a page of an incident's
// notifications is a range of notifications_incident read in its order
// and stopped by the LIMIT, on both engines. With the index on
// (incident_id, created_at) alone, each page sorted every page the
// incident ever had (SQLite: a temp B-tree for id; PostgreSQL: a Sort
// under the Limit), so the pages of an incident paged for days grew
// slower the further a client read.
func TestIncidentNotificationsPageReadsInOrder(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		s := storetest.OpenStore(t, e.Options(t))
		n := 0
		for _, c := range s.ReadPlanCases() {
			if !strings.HasPrefix(c.Name, "incident notifications ") {
				continue
			}
			n++
			plan, err := s.Explain(context.Background(), c.SQL, c.Args)
			if err != nil {
				t.Fatalf("%s: %v", c.Name, err)
			}
			joined := strings.Join(plan, "; ")
			if strings.Contains(joined, "TEMP B-TREE") || strings.Contains(joined, "Sort") {
				t.Errorf("%s sorts instead of reading the index in order: %s", c.Name, joined)
			}
		}
		if n != 2 {
			t.Fatalf("%d plan cases of incident notifications pages, want 2", n)
		}
	})
}
