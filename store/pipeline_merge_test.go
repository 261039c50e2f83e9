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

// TestGuardedInsertConflictIsTheWritesOwn (PostgreSQL): an insert sent
// with the COMMIT (guarded plain: without its ON CONFLICT, pipeline_guard.go)
// whose row is taken fails with the insert's own conflict, as one sent
// earlier does, merged with another row or alone, and writes nothing.
func TestGuardedInsertConflictIsTheWritesOwn(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenStore(t, store.Options{DatabaseURL: storetest.PostgresURL(t)})
	t0 := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	if err := s.Write(ctx, "k", func(tx hypercare.Tx) error { return seedShop(ctx, tx, t0, "taken") }); err != nil {
		t.Fatal(err)
	}
	alert := func(id, key string) *hypercare.Alert {
		return &hypercare.Alert{ID: id, ServiceID: "shop", DedupKey: key, Status: hypercare.StatusTriggered,
			Summary: key, Severity: hypercare.SeverityError, EventCount: 1, FirstSeenAt: t0, LastSeenAt: t0}
	}
	for _, first := range []string{"", "free"} { // alone, then merged after another row
		err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
			if first != "" {
				if err := tx.InsertAlert(ctx, alert("al-"+first, first)); err != nil {
					return err
				}
			}
			return tx.InsertAlert(ctx, alert("al-second", "taken"))
		})
		if hypercare.ErrorCode(err) != hypercare.CodeConflict || !strings.Contains(err.Error(), `"al-second"`) ||
			!strings.Contains(err.Error(), "an open alert with this service and dedup key") {
			t.Errorf("after %q: got %v, want al-second's own conflict", first, err)
		}
	}
	if err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
		if a, err := tx.FindOpenAlert(ctx, "shop", "free"); err != nil || a != nil {
			t.Errorf("the failed request's other alert: %+v, %v", a, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
