package storetest

import (
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testGroupingLock: LockGrouping, and LockNotificationGroup, may be taken
// for several services (groups) and again for one already held, in one
// transaction, also after a request that took it failed and was rolled
// back to its savepoint; the writes beside it commit. (Two nodes' decisions waiting on it are tested in
// intake, TestGroupingAcrossNodes.)
func testGroupingLock(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	StartRun(t, s)
	fns := map[string]func(hypercare.Tx) error{
		"locks": func(tx hypercare.Tx) error {
			for _, svc := range []string{svcCheckout, svcSearch, svcCheckout} {
				if err := tx.LockGrouping(ctx, svc); err != nil {
					return err
				}
				if err := tx.LockNotificationGroup(ctx, svc, "g1"); err != nil {
					return err
				}
			}
			return tx.InsertEvent(ctx, event("locked"))
		},
		"fails": func(tx hypercare.Tx) error {
			if err := tx.LockGrouping(ctx, svcSearch); err != nil {
				return err
			}
			if err := tx.LockNotificationGroup(ctx, svcSearch, "g2"); err != nil {
				return err
			}
			if err := tx.InsertEvent(ctx, event("undone")); err != nil {
				return err
			}
			return errBoom
		},
		"after": func(tx hypercare.Tx) error {
			if err := tx.LockGrouping(ctx, svcSearch); err != nil {
				return err
			}
			if err := tx.LockNotificationGroup(ctx, svcSearch, "g2"); err != nil {
				return err
			}
			return tx.InsertEvent(ctx, event("after"))
		},
	}
	errs, _ := queueBehind(t, s, "k", "blocker", fns)
	if errs["locks"] != nil || errs["after"] != nil || errs["fails"] == nil {
		t.Fatalf("write errors %v: want only the failing one's", errs)
	}
	if ids := eventIDs(t, s); !ids["locked"] || !ids["after"] || ids["undone"] {
		t.Errorf("events %v: want locked and after, not undone", ids)
	}
}
