package storetest

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testStreamSymptomEvents: a symptom alert is held by no incident, but
// its events belong to the incident it is a symptom of (that incident's
// page shows it, and ?incident= follows it there), with that incident's
// number; an alert of no incident and no upstream keeps incident_id "".
func testStreamSymptomEvents(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	up := incident("inc-up", 7, svcCheckout)
	sym := alert("al-sym", svcSearch, "", "s1")
	sym.IntegrationID, sym.SymptomOf = "search-am", "inc-up"
	loose := alert("al-loose", svcSearch, "", "s2")
	loose.IntegrationID = "search-am"
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, up); err != nil {
			return err
		}
		if err := tx.InsertAlert(ctx, sym); err != nil {
			return err
		}
		return tx.InsertAlert(ctx, loose)
	})
	sym.Status, sym.ResolvedAt = hypercare.StatusResolved, ptr(at(time.Minute))
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.UpdateAlert(ctx, sym) })
	settle(t, s)
	evs, err := s.StreamAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, e := range evs {
		switch e.ObjectID {
		case "al-sym":
			seen++
			if e.IncidentID != "inc-up" || e.IncidentNumber != 7 {
				t.Errorf("symptom %s event: incident %q #%d, want inc-up #7", e.Op, e.IncidentID, e.IncidentNumber)
			}
		case "al-loose":
			if e.IncidentID != "" || e.IncidentNumber != 0 {
				t.Errorf("alert of no incident: incident %q #%d, want none", e.IncidentID, e.IncidentNumber)
			}
		}
	}
	if seen != 2 {
		t.Errorf("%d symptom events, want 2 (created, updated): %+v", seen, evs)
	}
}
