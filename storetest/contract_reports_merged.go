package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testReportMerged: an incident a merge resolved reports the incident it
// was merged into (its merged timeline entry names it), so the reports
// count it under that one; the target, which has a merged entry of its
// own (naming the source), and an incident resolved otherwise report
// none. A target later merged itself reports its own target.
func testReportMerged(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	resolved := at(10 * time.Minute)
	alice := hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for i, id := range []string{"inc-t", "inc-s", "inc-r", "inc-t2"} {
			inc := incident(id, int64(i+1), svcCheckout)
			if id != "inc-t2" {
				inc.Status, inc.ResolvedAt = hypercare.StatusResolved, &resolved
			}
			if err := tx.InsertIncident(ctx, inc); err != nil {
				return err
			}
		}
		for i, e := range []struct {
			inc     string
			details map[string]any
		}{
			{"inc-t", map[string]any{"from_incident_id": "inc-s", "from_incident_number": 2}},
			{"inc-s", map[string]any{"into_incident_id": "inc-t", "into_incident_number": 1}},
			{"inc-t", map[string]any{"into_incident_id": "inc-t2", "into_incident_number": 4}},
			{"inc-t2", map[string]any{"from_incident_id": "inc-t", "from_incident_number": 1}},
		} {
			b, err := json.Marshal(e.details)
			if err != nil {
				return err
			}
			if err := tx.AppendTimeline(ctx, &hypercare.TimelineEntry{ID: fmt.Sprintf("tl-m-%d", i), IncidentID: e.inc,
				At: at(time.Duration(5+i) * time.Minute), Type: hypercare.TimelineMerged, Actor: alice, Message: "merged", Details: b}); err != nil {
				return err
			}
		}
		return nil
	})
	stats, err := s.IncidentStats(ctx, t0, at(time.Hour), "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, st := range stats {
		got[st.ID] = st.MergedInto
	}
	want := map[string]string{"inc-t": "inc-t2", "inc-s": "inc-t", "inc-r": "", "inc-t2": ""}
	for id, w := range want {
		if g, ok := got[id]; !ok || g != w {
			t.Errorf("%s merged into %q (listed %v), want %q", id, g, ok, w)
		}
	}
}
