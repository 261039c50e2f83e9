package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testOpenIncidents: a service's unresolved incidents, every column,
// highest number first, at most limit; other services' and resolved ones
// left out; bad text refused.
func testOpenIncidents(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		resolved := incident("inc-2", 2, svcCheckout)
		resolved.Status, resolved.ResolvedAt = hypercare.StatusResolved, ptr(at(0))
		warning := incident("inc-3", 3, svcCheckout)
		warning.Severity, warning.OpenAlertCount = hypercare.SeverityWarning, 0
		for _, inc := range []*hypercare.Incident{incident("inc-1", 1, svcCheckout), resolved, warning,
			incident("inc-4", 4, svcSearch), incident("inc-5", 5, svcCheckout)} {
			if err := tx.InsertIncident(ctx, inc); err != nil {
				return err
			}
		}
		return nil
	})
	mustWrite(t, s, func(tx hypercare.Tx) error {
		got, err := tx.OpenIncidents(ctx, svcCheckout, 10)
		if err != nil {
			return err
		}
		if len(got) != 3 || got[0].Number != 5 || got[1].Number != 3 || got[2].Number != 1 {
			t.Fatalf("OpenIncidents = %+v, want #5, #3, #1", got)
		}
		if got[1].Severity != hypercare.SeverityWarning || got[1].AlertCount != 1 || got[1].OpenAlertCount != 0 {
			t.Errorf("OpenIncidents #3 = %+v, want every column", got[1])
		}
		if two, err := tx.OpenIncidents(ctx, svcCheckout, 2); err != nil || len(two) != 2 || two[1].Number != 3 {
			t.Errorf("OpenIncidents(limit 2) = %+v, %v", two, err)
		}
		if _, err := tx.OpenIncidents(ctx, "bad\x00id", 1); hypercare.ErrorCode(err) != hypercare.CodeInvalid {
			t.Errorf("OpenIncidents(NUL) = %v, want invalid_argument", err)
		}
		return nil
	})
}

// testRecentAlertsOfIncident: up to limit of an incident's alerts first
// seen at or after since, newest first; other incidents' alerts left out
// however new; bad text refused.
func testRecentAlertsOfIncident(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for _, inc := range []*hypercare.Incident{incident("inc-1", 1, svcCheckout), incident("inc-2", 2, svcCheckout)} {
			if err := tx.InsertIncident(ctx, inc); err != nil {
				return err
			}
		}
		for i := range 5 {
			a := alert(hypercare.NewID(at(time.Duration(i)*time.Minute)), svcCheckout, "inc-1", fmt.Sprintf("k%d", i))
			a.FirstSeenAt, a.LastSeenAt = at(time.Duration(i)*time.Minute), at(time.Duration(i)*time.Minute)
			if err := tx.InsertAlert(ctx, a); err != nil {
				return err
			}
		}
		other := alert(hypercare.NewID(at(time.Hour)), svcCheckout, "inc-2", "other")
		other.FirstSeenAt, other.LastSeenAt = at(time.Hour), at(time.Hour)
		return tx.InsertAlert(ctx, other)
	})
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for _, c := range []struct {
			since time.Duration
			limit int
			want  []string
		}{
			{2 * time.Minute, 10, []string{"k4", "k3", "k2"}},
			{2 * time.Minute, 2, []string{"k4", "k3"}},
			{3*time.Minute + 30*time.Second, 3, []string{"k4"}},
			{time.Hour, 3, nil},
		} {
			got, err := tx.RecentAlertsOfIncident(ctx, "inc-1", at(c.since), c.limit)
			var keys []string
			for _, a := range got {
				keys = append(keys, a.DedupKey)
			}
			if err != nil || !slices.Equal(keys, c.want) {
				t.Errorf("RecentAlertsOfIncident(since +%s, limit %d) = %v, %v; want %v", c.since, c.limit, keys, err, c.want)
			}
		}
		if _, err := tx.RecentAlertsOfIncident(ctx, "bad\x00id", t0, 1); hypercare.ErrorCode(err) != hypercare.CodeInvalid {
			t.Errorf("RecentAlertsOfIncident(NUL) = %v, want invalid_argument", err)
		}
		return nil
	})
}
