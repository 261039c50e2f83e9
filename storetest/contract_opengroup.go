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

// testMergeGroup: once a group's incident is merged into another group's,
// OpenIncidentOfGroup finds the target for the source's group (an incident
// opened for the group itself first), follows a later merge of the target
// (the groups merged into it move along), and finds none once the target
// is resolved; bad text is refused.
func testMergeGroup(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	const g1, g2 = `{}:{alertname="HighErrors"}`, `{}:{alertname="HighLatency"}`
	src, target, last := incident("inc-1", 1, svcCheckout), incident("inc-2", 2, svcCheckout), incident("inc-3", 3, svcCheckout)
	src.GroupKey, target.GroupKey = g1, g2
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for _, inc := range []*hypercare.Incident{src, target, last} {
			if err := tx.InsertIncident(ctx, inc); err != nil {
				return err
			}
		}
		src.Status, src.ResolvedAt = hypercare.StatusResolved, ptr(at(1))
		if err := tx.UpdateIncident(ctx, src); err != nil {
			return err
		}
		return tx.MergeGroup(ctx, src, target.ID)
	})
	find := func(step, group string, want int64) {
		t.Helper()
		mustWrite(t, s, func(tx hypercare.Tx) error {
			got, err := tx.OpenIncidentOfGroup(ctx, svcCheckout, group)
			switch {
			case err != nil:
				return err
			case want == 0 && got != nil:
				t.Errorf("%s: group %s went to #%d, want none", step, group, got.Number)
			case want != 0 && (got == nil || got.Number != want):
				t.Errorf("%s: group %s went to %+v, want #%d", step, group, got, want)
			}
			return nil
		})
	}
	find("merged", g1, 2)
	find("merged, other service", "nowhere", 0)

	// The target is merged in turn into an incident of no group: both
	// groups follow.
	mustWrite(t, s, func(tx hypercare.Tx) error {
		target.Status, target.ResolvedAt = hypercare.StatusResolved, ptr(at(2))
		if err := tx.UpdateIncident(ctx, target); err != nil {
			return err
		}
		return tx.MergeGroup(ctx, target, last.ID)
	})
	find("merged twice", g1, 3)
	find("merged twice", g2, 3)

	// An incident opened for the group itself comes first.
	mustWrite(t, s, func(tx hypercare.Tx) error {
		own := incident("inc-4", 4, svcCheckout)
		own.GroupKey = g1
		return tx.InsertIncident(ctx, own)
	})
	find("own incident", g1, 4)

	// A resolved target takes no more alerts.
	mustWrite(t, s, func(tx hypercare.Tx) error {
		last.Status, last.ResolvedAt = hypercare.StatusResolved, ptr(at(3))
		return tx.UpdateIncident(ctx, last)
	})
	find("target resolved", g2, 0)

	mustWrite(t, s, func(tx hypercare.Tx) error {
		bad := &hypercare.Incident{ID: "inc-x", ServiceID: svcCheckout, GroupKey: "bad\x00group"}
		if err := tx.MergeGroup(ctx, bad, last.ID); hypercare.ErrorCode(err) != hypercare.CodeInvalid {
			t.Errorf("MergeGroup(NUL) = %v, want invalid_argument", err)
		}
		return nil
	})
}
