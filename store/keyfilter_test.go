package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// TestKeyFilterHasNoFalseNegatives: every key added tests present, and
// keys never added mostly test absent (the false-positive rate of a full
// filter is about 1 %).
func TestKeyFilterHasNoFalseNegatives(t *testing.T) {
	const n = 50_000
	f := newKeyFilter(n)
	for i := range n {
		svc, key := fmt.Sprintf("svc-%d", i%7), fmt.Sprintf("key-%d", i)
		f.add(keyHash(f.seed, svc, key))
	}
	for i := range n {
		svc, key := fmt.Sprintf("svc-%d", i%7), fmt.Sprintf("key-%d", i)
		if !f.mayHave(keyHash(f.seed, svc, key)) {
			t.Fatalf("key %s/%s added but tests absent", svc, key)
		}
	}
	// The zero byte between the parts keeps ("a", "bc") and ("ab", "c") apart.
	if a, _ := keyHash(f.seed, "a", "bc"); a == func() uint64 { b, _ := keyHash(f.seed, "ab", "c"); return b }() {
		t.Error(`("a", "bc") and ("ab", "c") hash alike`)
	}
	positives := 0
	for i := range n {
		if f.mayHave(keyHash(f.seed, "svc-0", fmt.Sprintf("other-%d", i))) {
			positives++
		}
	}
	if rate := float64(positives) / n; rate > 0.03 {
		t.Errorf("false-positive rate at capacity %.2f %%, want about 1 %%", 100*rate)
	}
}

// TestKeyFilterSkipsReadsAndMissesNoAlert: with a built filter, the reads
// of a never-seen key are answered without the database, and every alert
// stays found: one inserted before the build, one after the hand-over,
// one while the scan runs, one after, one inserted in the same
// transaction, and one another connection inserts (the filter is
// dropped). RecentAlertsByKey is the read that proves it: the open-alert
// cache answers FindOpenAlert for keys this store inserted.
func TestKeyFilterSkipsReadsAndMissesNoAlert(t *testing.T) {
	ctx := t.Context()
	s, dir := openShop(t)
	now := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	insert := func(s *Store, key string) {
		t.Helper()
		write(t, s, func(tx hypercare.Tx) error { return tx.InsertAlert(ctx, testAlert(key, now)) })
	}
	insert(s, "before")

	// Not built yet: every read goes to the database.
	lookup(t, s, "never", false)
	if got := s.WriteStats().KeyReadsSkipped; got != 0 {
		t.Fatalf("%d reads skipped before a filter was built", got)
	}
	// Built, with an alert inserted between the hand-over and the scan,
	// and one while the scan reads its snapshot (only the writer's add
	// puts that one in the filter).
	s.keys.onInstalled = func() { insert(s, "during") }
	s.keys.onScanning = func() { insert(s, "while-scanning") }
	if err := s.buildKeyFilter(ctx); err != nil {
		t.Fatal(err)
	}
	s.keys.onInstalled, s.keys.onScanning = nil, nil
	for _, k := range []string{"before", "during", "while-scanning"} {
		lookup(t, s, k, true)
	}
	lookup(t, s, "never", false)
	if got := s.WriteStats().KeyReadsSkipped; got != 2 { // FindOpenAlert and RecentAlertsByKey of "never"
		t.Errorf("%d reads skipped for one never-seen key, want 2", got)
	}
	// Inserted after the build.
	insert(s, "after")
	lookup(t, s, "after", true)
	// Inserted and looked up in one transaction.
	write(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertAlert(ctx, testAlert("same-tx", now)); err != nil {
			return err
		}
		a, err := tx.FindOpenAlert(ctx, "shop", "same-tx")
		if err == nil && a == nil {
			err = fmt.Errorf("alert inserted in this transaction not found")
		}
		return err
	})
	lookup(t, s, "same-tx", true)
	// Another connection (a second process) inserts: the filter is dropped.
	other := openTestSQLite(t, dir)
	insert(other, "elsewhere")
	other.Close()
	lookup(t, s, "elsewhere", true)
	if s.keys.cur != nil {
		t.Error("the filter survived another connection's commit")
	}
	if got := s.WriteStats().KeyReadsSkipped; got != 2 {
		t.Errorf("%d reads skipped, want still 2", got)
	}
	// Rebuilt after that, every key is still found.
	if err := s.buildKeyFilter(ctx); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"before", "during", "while-scanning", "after", "same-tx", "elsewhere"} {
		lookup(t, s, k, true)
	}
}

// TestKeyFilterBuiltByRun: Run builds the filter after the first write, so
// a server skips the reads without being told to.
func TestKeyFilterBuiltByRun(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	s := openTestSQLite(t, t.TempDir())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	defer func() { cancel(); <-done }()
	built := make(chan struct{})
	s.keys.mu.Lock()
	s.keys.onBuilt = func() { close(built) }
	s.keys.mu.Unlock()
	write(t, s, func(tx hypercare.Tx) error {
		return tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: "shop", Name: "Shop", Active: true}}, []hypercare.Integration{shopV2})
	})
	select {
	case <-built:
	case <-time.After(10 * time.Second):
		t.Fatal("no filter built 10 s after the first write")
	}
	lookup(t, s, "never", false)
	if got := s.WriteStats().KeyReadsSkipped; got != 2 {
		t.Errorf("%d reads skipped, want 2", got)
	}
}

var shopV2 = hypercare.Integration{ID: "shop-v2", ServiceID: "shop", Type: hypercare.IntegrationEventsV2,
	Key: "0123456789abcdef0123456789abcdef"}

// openTestSQLite opens the SQLite store in dir, closed with the test.
func openTestSQLite(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(t.Context(), Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openShop opens a new SQLite store holding the service "shop" and its
// integration shopV2, and returns it with its data directory.
func openShop(t *testing.T) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	s := openTestSQLite(t, dir)
	write(t, s, func(tx hypercare.Tx) error {
		return tx.ApplyCatalog(t.Context(), nil, []hypercare.Service{{ID: "shop", Name: "Shop", Active: true}}, []hypercare.Integration{shopV2})
	})
	return s, dir
}

func write(t *testing.T, s *Store, fn func(hypercare.Tx) error) {
	t.Helper()
	if err := s.Write(t.Context(), "k", fn); err != nil {
		t.Fatal(err)
	}
}

func testAlert(key string, now time.Time) *hypercare.Alert {
	return &hypercare.Alert{ID: "al-" + key, ServiceID: "shop", IntegrationID: "shop-v2", DedupKey: key,
		Status: hypercare.StatusTriggered, Summary: "down", Severity: hypercare.SeverityError, EventCount: 1,
		FirstSeenAt: now, LastSeenAt: now}
}

// lookup checks FindOpenAlert and RecentAlertsByKey of key on "shop".
func lookup(t *testing.T, s *Store, key string, want bool) {
	t.Helper()
	write(t, s, func(tx hypercare.Tx) error {
		a, err := tx.FindOpenAlert(t.Context(), "shop", key)
		if err != nil {
			return err
		}
		recent, err := tx.RecentAlertsByKey(t.Context(), "shop", key, time.Time{}, 5)
		if err != nil {
			return err
		}
		if (a != nil) != want || (len(recent) == 1) != want {
			t.Errorf("key %q: open alert found %v, recent alerts %d; want found %v", key, a != nil, len(recent), want)
		}
		return nil
	})
}
