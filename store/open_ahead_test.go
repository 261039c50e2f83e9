package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// TestReadAheadReadsAndLocksExpectedKeys (PostgreSQL): ReadOpenAlertsAhead
// reads the open alerts of the keys this node last found open, and only
// those (a key never found, a resolved one, and a key only another node
// found are left to FindOpenAlert), and holds them locked as FindOpenAlert
// would: another node's FindOpenAlertSkipLocked, which intake's repeat
// writers use, finds them taken while the request runs, and free after.
// The contract suite (OpenAlertsReadAhead) checks the answers on both
// engines; this checks that PostgreSQL's come from the read ahead.
func TestReadAheadReadsAndLocksExpectedKeys(t *testing.T) {
	ctx := context.Background()
	url := storetest.PostgresURL(t)
	a := storetest.OpenStore(t, store.Options{DatabaseURL: url})
	b := storetest.OpenStore(t, store.Options{DatabaseURL: url})
	t0 := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	keys := []hypercare.AlertKey{}
	err := a.Write(ctx, "k", func(tx hypercare.Tx) error {
		if err := tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: "shop", Name: "Shop", Active: true}}, nil); err != nil {
			return err
		}
		for i, k := range []string{"a", "b", "c", "gone", "b-only"} {
			al := &hypercare.Alert{ID: fmt.Sprintf("al-%d", i), ServiceID: "shop", DedupKey: k,
				Status: hypercare.StatusTriggered, Summary: k, Severity: hypercare.SeverityError, EventCount: 1,
				FirstSeenAt: t0, LastSeenAt: t0}
			if k == "gone" {
				al.Status, al.ResolvedAt = hypercare.StatusResolved, &t0
			}
			if err := tx.InsertAlert(ctx, al); err != nil {
				return err
			}
			keys = append(keys, hypercare.AlertKey{ServiceID: "shop", DedupKey: k})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	keys = append(keys, hypercare.AlertKey{ServiceID: "shop", DedupKey: "never"})
	find := func(s *store.Store, keys []hypercare.AlertKey) {
		t.Helper()
		if err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
			for _, k := range keys {
				if _, err := tx.FindOpenAlert(ctx, k.ServiceID, k.DedupKey); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	find(a, keys[:4])
	find(b, keys[4:5])
	skipLocked := func() []string {
		var free []string
		if err := b.Write(ctx, "k", func(tx hypercare.Tx) error {
			for _, k := range keys {
				al, err := tx.FindOpenAlertSkipLocked(ctx, k.ServiceID, k.DedupKey)
				if err != nil {
					return err
				}
				if al != nil {
					free = append(free, al.ID)
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return free
	}
	err = a.Write(ctx, "k", func(tx hypercare.Tx) error {
		if err := tx.ReadOpenAlertsAhead(ctx, keys); err != nil {
			return err
		}
		if got, want := store.ReadAheadForTest(tx), []string{"al-0", "al-1", "al-2"}; !slices.Equal(got, want) {
			t.Errorf("read ahead %v, want %v (the keys this node found open)", got, want)
		}
		if got, want := skipLocked(), []string{"al-4"}; !slices.Equal(got, want) {
			t.Errorf("another node found free %v while the request ran, want %v", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := skipLocked(), []string{"al-0", "al-1", "al-2", "al-4"}; !slices.Equal(got, want) {
		t.Errorf("another node found free %v after the commit, want %v", got, want)
	}
	// Resolved by another node since: not read ahead.
	if err := b.Write(ctx, "k", func(tx hypercare.Tx) error {
		al, err := tx.FindOpenAlert(ctx, "shop", "c")
		if err != nil || al == nil {
			return fmt.Errorf("find c: %+v, %v", al, err)
		}
		al.Status, al.ResolvedAt = hypercare.StatusResolved, &t0
		return tx.UpdateAlert(ctx, al)
	}); err != nil {
		t.Fatal(err)
	}
	err = a.Write(ctx, "k", func(tx hypercare.Tx) error {
		if err := tx.ReadOpenAlertsAhead(ctx, keys); err != nil {
			return err
		}
		if got, want := store.ReadAheadForTest(tx), []string{"al-0", "al-1"}; !slices.Equal(got, want) {
			t.Errorf("read ahead %v after c was resolved, want %v", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
