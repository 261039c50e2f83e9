package storetest

import (
	"fmt"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testMatchingCounts: CountMatchingIncidentsUpTo counts the incidents of
// a status within a service and/or an urgency, capped at limit, as the
// web UI's status tabs of a filtered list show them (they counted every
// service and urgency, beside a list of one).
func testMatchingCounts(t *testing.T, open func(testing.TB) *store.Store) {
	s := openSeeded(t, open)
	var all []hypercare.Incident
	services := []string{svcCheckout, svcSearch, svcBilling}
	urgencies := []hypercare.Urgency{hypercare.UrgencyHigh, hypercare.UrgencyLow}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for i := range 60 {
			inc := incident(fmt.Sprintf("inc-%02d", i), int64(i+1), services[i%3])
			inc.Status, inc.Urgency = statuses[(i/3)%3], urgencies[(i/2)%2]
			if err := tx.InsertIncident(t.Context(), inc); err != nil {
				return err
			}
			all = append(all, *inc)
		}
		return nil
	})
	for _, st := range append([]hypercare.Status{""}, statuses...) {
		for _, svc := range []string{"", svcCheckout, svcBilling, "nope"} {
			for _, urg := range []hypercare.Urgency{"", hypercare.UrgencyHigh, hypercare.UrgencyLow} {
				var want int64
				for _, inc := range all {
					if (st == "" || inc.Status == st) && (svc == "" || inc.ServiceID == svc) && (urg == "" || inc.Urgency == urg) {
						want++
					}
				}
				for _, limit := range []int64{1, 3, 1000} {
					got, err := s.CountMatchingIncidentsUpTo(t.Context(), st, svc, urg, limit)
					if exp := min(want, limit); err != nil || got != exp {
						t.Errorf("CountMatchingIncidentsUpTo(%q, %q, %q, %d) = %d, %v; want %d", st, svc, urg, limit, got, err, exp)
					}
				}
			}
		}
	}
	if _, err := s.CountMatchingIncidentsUpTo(t.Context(), "", svcCheckout, "", 0); hypercare.ErrorCode(err) != hypercare.CodeInvalid {
		t.Errorf("CountMatchingIncidentsUpTo(limit 0) = %v, want invalid_argument", err)
	}
}
