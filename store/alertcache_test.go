package store_test

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// Two stores on one database (two nodes; on SQLite, a second process on
// the file): an alert one resolves is not found open by the other, which
// found it open just before (SQLite: its open-alert cache notices the
// other connection's commit).
func TestFindOpenAlertSeesOtherStoresWrites(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		a, b, it := twoNodesWithShop(t, e)
		now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
		al := &hypercare.Alert{ID: "al-1", ServiceID: "shop", IntegrationID: it.ID, DedupKey: "k",
			Status: hypercare.StatusTriggered, Summary: "down", Severity: hypercare.SeverityError, EventCount: 1,
			FirstSeenAt: now, LastSeenAt: now}
		if err := a.Write(ctx, "k", func(tx hypercare.Tx) error { return tx.InsertAlert(ctx, al) }); err != nil {
			t.Fatal(err)
		}
		find := func(label string) *hypercare.Alert {
			var got *hypercare.Alert
			err := a.Write(ctx, "k", func(tx hypercare.Tx) (err error) {
				got, err = tx.FindOpenAlert(ctx, "shop", "k")
				return err
			})
			if err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			return got
		}
		if got := find("before"); got == nil {
			t.Fatal("alert not found open")
		}
		resolved := *al
		resolved.Status, resolved.ResolvedAt = hypercare.StatusResolved, &now
		if err := b.Write(ctx, "k", func(tx hypercare.Tx) error { return tx.UpdateAlert(ctx, &resolved) }); err != nil {
			t.Fatal(err)
		}
		if got := find("after"); got != nil {
			t.Errorf("alert resolved by the other store still found open: %+v", got)
		}
	})
}

// twoNodesWithShop opens two stores on one database (two nodes; on SQLite,
// a second process on the file) holding the service "shop" and its events
// integration.
func twoNodesWithShop(t *testing.T, e storetest.Engine) (a, b *store.Store, it hypercare.Integration) {
	t.Helper()
	opts := e.Options(t)
	a, b = storetest.OpenStore(t, opts), storetest.OpenStore(t, opts)
	it = hypercare.Integration{ID: "shop-v2", ServiceID: "shop", Type: hypercare.IntegrationEventsV2,
		Key: "0123456789abcdef0123456789abcdef"}
	if err := a.Write(t.Context(), "catalog", func(tx hypercare.Tx) error {
		return tx.ApplyCatalog(t.Context(), nil, []hypercare.Service{{ID: "shop", Name: "Shop", Active: true}}, []hypercare.Integration{it})
	}); err != nil {
		t.Fatal(err)
	}
	return a, b, it
}
