package storetest

import (
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testOpenIncidentOfGroup: the newest unresolved incident of a service
// opened for a notification group, the group kept through a read; other
// services', other groups', resolved ones and "" left out; bad text
// refused.
func testOpenIncidentOfGroup(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	const g = `{}/{severity="page"}:{alertname="CrashLoop"}`
	mustWrite(t, s, func(tx hypercare.Tx) error {
		older, resolved, other, ungrouped := incident("inc-1", 1, svcCheckout), incident("inc-3", 3, svcCheckout),
			incident("inc-4", 4, svcSearch), incident("inc-5", 5, svcCheckout)
		newer := incident("inc-2", 2, svcCheckout)
		older.GroupKey, newer.GroupKey, resolved.GroupKey, other.GroupKey = g, g, g, g
		resolved.Status, resolved.ResolvedAt = hypercare.StatusResolved, ptr(at(0))
		for _, inc := range []*hypercare.Incident{older, newer, resolved, other, ungrouped} {
			if err := tx.InsertIncident(ctx, inc); err != nil {
				return err
			}
		}
		return nil
	})
	mustWrite(t, s, func(tx hypercare.Tx) error {
		got, err := tx.OpenIncidentOfGroup(ctx, svcCheckout, g)
		if err != nil {
			return err
		}
		if got == nil || got.Number != 2 || got.GroupKey != g {
			t.Fatalf("OpenIncidentOfGroup = %+v, want #2 with its group", got)
		}
		if read, err := tx.GetIncident(ctx, "inc-5"); err != nil || read.GroupKey != "" {
			t.Errorf("ungrouped incident read back with group %q, %v", read.GroupKey, err)
		}
		for _, c := range []struct{ svc, group string }{{svcCheckout, "other"}, {svcCheckout, ""}, {"nowhere", g}} {
			if got, err := tx.OpenIncidentOfGroup(ctx, c.svc, c.group); err != nil || got != nil {
				t.Errorf("OpenIncidentOfGroup(%q, %q) = %+v, %v; want none", c.svc, c.group, got, err)
			}
		}
		if _, err := tx.OpenIncidentOfGroup(ctx, svcCheckout, "bad\x00group"); hypercare.ErrorCode(err) != hypercare.CodeInvalid {
			t.Errorf("OpenIncidentOfGroup(NUL) = %v, want invalid_argument", err)
		}
		return nil
	})
}
