package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// TestMergedUpdateFailureNamesItsAlert (PostgreSQL): when a merged update
// of re-triggered alerts matches fewer rows than it has (here one alert
// changed behind the request's read ahead), the request fails with that
// alert's own error, not the first row's, and writes nothing.
func TestMergedUpdateFailureNamesItsAlert(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenStore(t, store.Options{DatabaseURL: storetest.PostgresURL(t)})
	t0 := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	keys := []string{"a", "b", "c", "d"}
	if err := s.Write(ctx, "k", func(tx hypercare.Tx) error { return seedShop(ctx, tx, t0, keys...) }); err != nil {
		t.Fatal(err)
	}
	var named []hypercare.AlertKey
	for _, k := range keys {
		named = append(named, hypercare.AlertKey{ServiceID: "shop", DedupKey: k})
	}
	findAll := func(tx hypercare.Tx) error { // and this node now expects them open
		for _, k := range keys {
			if a, err := tx.FindOpenAlert(ctx, "shop", k); err != nil || a == nil || a.EventCount != 1 {
				t.Errorf("alert %s: %+v, %v; want event count 1", k, a, err)
			}
		}
		return nil
	}
	if err := s.Write(ctx, "k", findAll); err != nil {
		t.Fatal(err)
	}
	err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
		if err := tx.ReadOpenAlertsAhead(ctx, named); err != nil {
			return err
		}
		for _, k := range keys {
			a, err := tx.FindOpenAlert(ctx, "shop", k)
			if err != nil || a == nil {
				return fmt.Errorf("find %s: %+v, %w", k, a, err)
			}
			if k == "c" { // its row no longer as read
				if err := store.ExecForTest(tx, "UPDATE alerts SET event_count = 99 WHERE id = 'al-2'"); err != nil {
					return err
				}
			}
			a.EventCount++
			a.LastSeenAt = a.LastSeenAt.Add(time.Second)
			if err := tx.UpdateAlert(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if hypercare.ErrorCode(err) != hypercare.CodeNotFound || !strings.Contains(err.Error(), `"al-2"`) {
		t.Errorf("got %v, want al-2 not found", err)
	}
	if err := s.Write(ctx, "k", findAll); err != nil { // nothing written
		t.Fatal(err)
	}
}
