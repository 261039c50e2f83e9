package store_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
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
// alert's own error, not the first row's, and writes nothing: sent with
// the COMMIT (guarded) or flushed by a later read of the request
// (unguarded), and alone in its batch or between two requests that
// commit.
func TestMergedUpdateFailureNamesItsAlert(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenStore(t, store.Options{DatabaseURL: storetest.PostgresURL(t)})
	t0 := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	keys := []string{"a", "b", "c", "d", "e", "f"} // alerts al-0 … al-5
	if err := s.Write(ctx, "k", func(tx hypercare.Tx) error { return seedShop(ctx, tx, t0, keys...) }); err != nil {
		t.Fatal(err)
	}
	counts := func(tx hypercare.Tx) (got []int64) { // and this node now expects the keys open
		for _, k := range keys {
			a, err := tx.FindOpenAlert(ctx, "shop", k)
			if err != nil || a == nil {
				t.Fatalf("alert %s: %+v, %v", k, a, err)
			}
			got = append(got, a.EventCount)
		}
		return got
	}
	var before []int64
	if err := s.Write(ctx, "k", func(tx hypercare.Tx) error { before = counts(tx); return nil }); err != nil {
		t.Fatal(err)
	}
	// retrigger re-triggers keys[from:to]; stale, if set, is an alert
	// changed behind the request's read ahead; flush reads after the
	// updates, so they are sent before the COMMIT.
	retrigger := func(from, to int, stale string, flush bool) func(hypercare.Tx) error {
		return func(tx hypercare.Tx) error {
			var named []hypercare.AlertKey
			for _, k := range keys[from:to] {
				named = append(named, hypercare.AlertKey{ServiceID: "shop", DedupKey: k})
			}
			if err := tx.ReadOpenAlertsAhead(ctx, named); err != nil {
				return err
			}
			if stale != "" {
				if err := store.ExecForTest(tx, "UPDATE alerts SET event_count = 99 WHERE id = $1", stale); err != nil {
					return err
				}
			}
			for _, k := range keys[from:to] {
				a, err := tx.FindOpenAlert(ctx, "shop", k)
				if err != nil || a == nil {
					return fmt.Errorf("find %s: %+v, %w", k, a, err)
				}
				a.EventCount++
				a.LastSeenAt = a.LastSeenAt.Add(time.Second)
				if err := tx.UpdateAlert(ctx, a); err != nil {
					return err
				}
			}
			if flush {
				_, err := tx.FindOpenAlert(ctx, "shop", "unknown")
				return err
			}
			return nil
		}
	}
	for _, flush := range []bool{false, true} {
		err := s.Write(ctx, "k", retrigger(0, 4, "al-2", flush))
		if hypercare.ErrorCode(err) != hypercare.CodeNotFound || !strings.Contains(err.Error(), `"al-2"`) {
			t.Errorf("flush %v: got %v, want al-2 not found", flush, err)
		}
	}
	storetest.StartRun(t, s)
	errs := writeBatch(t, s, "k", retrigger(0, 2, "", false), retrigger(2, 4, "al-3", false), retrigger(4, 6, "", false))
	if errs[0] != nil || hypercare.ErrorCode(errs[1]) != hypercare.CodeNotFound || !strings.Contains(errs[1].Error(), `"al-3"`) || errs[2] != nil {
		t.Errorf("batch: %v; want only the second request to fail, al-3 not found", errs)
	}
	if err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
		want := []int64{before[0] + 1, before[1] + 1, before[2], before[3], before[4] + 1, before[5] + 1}
		if got := counts(tx); !slices.Equal(got, want) {
			t.Errorf("event counts %v, want %v", got, want)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// writeBatch runs fns as one batch of s's writer of key: queued, in
// order, behind a write that holds the writer until they all wait. It
// returns each one's error.
func writeBatch(t *testing.T, s *store.Store, key string, fns ...func(hypercare.Tx) error) []error {
	t.Helper()
	held, release := make(chan struct{}), make(chan struct{})
	blocker := make(chan error, 1)
	go func() {
		blocker <- s.Write(context.Background(), key, func(hypercare.Tx) error { close(held); <-release; return nil })
	}()
	<-held
	errs := make([]chan error, len(fns))
	for i, fn := range fns {
		errs[i] = make(chan error, 1)
		go func() { errs[i] <- s.Write(context.Background(), key, fn) }()
		for deadline := time.Now().Add(20 * time.Second); s.WriteStats().Queued != i+1; runtime.Gosched() {
			if time.Now().After(deadline) { // in order: one more queued, or fail
				t.Fatalf("write %d never queued", i+1)
			}
		}
	}
	close(release)
	if err := <-blocker; err != nil {
		t.Fatal(err)
	}
	out := make([]error, len(fns))
	for i := range errs {
		out[i] = <-errs[i]
	}
	return out
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
