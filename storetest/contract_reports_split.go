package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testReportSplitResolved: IncidentStats says which incidents a split
// resolved last: a split entry naming where it went (into_incident_id) at
// the instant of the resolution. A split that left the incident open, one
// resolved again later (re-opened by a kept key), and the split-off
// incident (its entry names its source) are not.
func testReportSplitResolved(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	alice := hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}
	type entry struct {
		at      time.Duration
		details map[string]any
	}
	cases := []struct {
		id       string
		resolved time.Duration // 0: open
		entries  []entry
		want     bool
	}{
		{"inc-split", 10 * time.Minute, []entry{{10 * time.Minute, map[string]any{"into_incident_id": "inc-off"}}}, true},
		{"inc-again", 30 * time.Minute, []entry{{10 * time.Minute, map[string]any{"into_incident_id": "inc-off"}}}, false},
		{"inc-off", 10 * time.Minute, []entry{{10 * time.Minute, map[string]any{"from_incident_id": "inc-split"}}}, false},
		{"inc-open", 0, []entry{{10 * time.Minute, map[string]any{"into_incident_id": "inc-off"}}}, false},
		{"inc-plain", 10 * time.Minute, nil, false},
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for i, c := range cases {
			inc := incident(c.id, int64(i+1), svcCheckout)
			if c.resolved > 0 {
				inc.Status, inc.ResolvedAt = hypercare.StatusResolved, ptr(at(c.resolved))
			}
			if err := tx.InsertIncident(ctx, inc); err != nil {
				return err
			}
			for j, e := range c.entries {
				b, err := json.Marshal(e.details)
				if err != nil {
					return err
				}
				if err := tx.AppendTimeline(ctx, &hypercare.TimelineEntry{ID: fmt.Sprintf("tl-s-%d-%d", i, j), IncidentID: c.id,
					At: at(e.at), Type: hypercare.TimelineSplit, Actor: alice, Message: "split", Details: b}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	stats, err := s.IncidentStats(ctx, t0, at(time.Hour), "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, st := range stats {
		got[st.ID] = st.ResolvedBySplit
	}
	for _, c := range cases {
		if g, ok := got[c.id]; !ok || g != c.want {
			t.Errorf("%s resolved by split %v (listed %v), want %v", c.id, g, ok, c.want)
		}
	}
}
