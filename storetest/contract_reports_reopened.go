package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testReportFirstResolution: an incident its monitor resolved, that
// re-opened (its key flapping) and resolved again reports its first
// resolution (the timeline's) as well as its last (resolved_at): nobody
// acknowledged it, and MTTA runs to its first resolution, not across the
// quiet time to its last. Without a resolution on the timeline (pruned,
// or written without one) resolved_at counts; an open incident that never
// resolved has none.
func testReportFirstResolution(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	seedReports(t, s)
	last := at(50 * time.Minute)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		inc := incident("inc-8", 8, svcSearch)
		inc.ResolvedAt, inc.Status = &last, hypercare.StatusResolved
		if err := tx.InsertIncident(ctx, inc); err != nil {
			return err
		}
		monitor := hypercare.Actor{Type: hypercare.ActorIntegration, ID: "search-i", Name: "Search"}
		for i, e := range []struct {
			typ string
			d   time.Duration
		}{{hypercare.TimelineTriggered, 0}, {hypercare.TimelineResolved, time.Minute},
			{hypercare.TimelineReopened, 30 * time.Minute}, {hypercare.TimelineResolved, 50 * time.Minute}} {
			if err := tx.AppendTimeline(ctx, &hypercare.TimelineEntry{ID: fmt.Sprintf("tl-8-%d", i), IncidentID: "inc-8",
				At: at(e.d), Type: e.typ, Actor: monitor, Message: e.typ}); err != nil {
				return err
			}
		}
		return nil
	})
	stats, err := s.IncidentStats(ctx, t0, at(time.Hour), "")
	if err != nil {
		t.Fatal(err)
	}
	first, resolved := map[string]*time.Time{}, map[string]*time.Time{}
	for _, st := range stats {
		first[st.ID], resolved[st.ID] = st.FirstResolvedAt, st.ResolvedAt
	}
	if f, r := first["inc-8"], resolved["inc-8"]; f == nil || !f.Equal(at(time.Minute)) || r == nil || !r.Equal(last) {
		t.Errorf("inc-8 first resolved at %v, last at %v; want %v and %v", f, r, at(time.Minute), last)
	}
	if f := first["inc-1"]; f == nil || !f.Equal(at(30*time.Minute)) {
		t.Errorf("inc-1 first resolved at %v, want resolved_at %v (no timeline entry)", f, at(30*time.Minute))
	}
	if f := first["inc-2"]; f != nil {
		t.Errorf("inc-2 first resolved at %v, want never", f)
	}
}
