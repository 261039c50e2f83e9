package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
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
	names := []string{"a", "b", "c", "gone", "b-only"}
	err := a.Write(ctx, "k", func(tx hypercare.Tx) error { return seedShop(ctx, tx, t0, names...) })
	for _, k := range names {
		keys = append(keys, hypercare.AlertKey{ServiceID: "shop", DedupKey: k})
	}
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

// TestReadAheadProbesEachKey (PostgreSQL): the reads ahead of a batch's
// keys search the service's index for the keys, on a service with
// thousands of open alerts, before and after ANALYZE: never a walk of
// the service's open alerts filtering by key, which a batch of a few keys
// would pay for every open alert of a storm.
func TestReadAheadProbesEachKey(t *testing.T) {
	ctx := context.Background()
	url := storetest.PostgresURL(t)
	s := storetest.OpenStore(t, store.Options{DatabaseURL: url})
	conn := pgConn(t, url)
	t0 := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	if err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
		if err := tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: "shop", Name: "Shop", Active: true}}, nil); err != nil {
			return err
		}
		for i := range 5000 {
			a := &hypercare.Alert{ID: fmt.Sprintf("al-%d", i), ServiceID: "shop", DedupKey: fmt.Sprintf("key-%d", i),
				Status: hypercare.StatusTriggered, Summary: "s", Severity: hypercare.SeverityError, EventCount: 1,
				FirstSeenAt: t0, LastSeenAt: t0}
			if i%4 == 0 {
				a.Status, a.ResolvedAt = hypercare.StatusResolved, &t0
			}
			if err := tx.InsertAlert(ctx, a); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, phase := range []string{"without statistics", "ANALYZE alerts"} {
		if phase != "without statistics" {
			if _, err := conn.ExecContext(ctx, phase); err != nil {
				t.Fatal(err)
			}
		}
		for name, q := range s.ReadAheadSQL() {
			if plan := explainReadAhead(t, conn, q); !probesEachKey(plan) {
				t.Errorf("%s, %s: want an index probe per key, got: %s", name, phase, strings.Join(plan, "; "))
			}
			if plan := explainGeneric(t, conn, q); !probesEachKey(plan) {
				t.Errorf("%s, %s, generic plan: want an index probe per key, got: %s", name, phase, strings.Join(plan, "; "))
			}
		}
	}
}

// explainReadAhead returns the plan lines of q for three keys of "shop".
func explainReadAhead(t *testing.T, conn *sql.Conn, q string) []string {
	t.Helper()
	args := []any{"shop", []string{"key-1", "key-2", "key-3"}}
	if strings.Contains(q, "LIMIT $3") {
		args = append(args, 8)
	}
	return explain(t, conn, q, args...)
}

// explainGeneric returns the plan lines of q's generic plan (the one a
// prepared statement settles on after a few runs), for three keys of
// "shop".
func explainGeneric(t *testing.T, conn *sql.Conn, q string) []string {
	t.Helper()
	ctx := context.Background()
	for _, st := range []string{"SET plan_cache_mode = force_generic_plan", "PREPARE ahead AS " + q} {
		if _, err := conn.ExecContext(ctx, st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	defer func() {
		if _, err := conn.ExecContext(ctx, "DEALLOCATE ahead; RESET plan_cache_mode"); err != nil {
			t.Fatal(err)
		}
	}()
	args := "'shop', ARRAY['key-1', 'key-2', 'key-3']"
	if strings.Contains(q, "LIMIT $3") {
		args += ", 8"
	}
	return explain(t, conn, "EXECUTE ahead("+args+")")
}

// probesEachKey says a plan finds alerts by service and dedup key in the
// index, not by filtering what it walks.
func probesEachKey(plan []string) bool {
	cond := slices.ContainsFunc(plan, func(l string) bool {
		return strings.HasPrefix(l, "Index Cond:") && strings.Contains(l, "dedup_key =")
	})
	filter := slices.ContainsFunc(plan, func(l string) bool {
		return strings.HasPrefix(l, "Filter:") && strings.Contains(l, "dedup_key")
	})
	return cond && !filter && !slices.ContainsFunc(plan, func(l string) bool { return strings.HasPrefix(l, "Seq Scan on alerts") })
}

// TestBatchReadsNamedKeysWithBegin (PostgreSQL): the alert keys a
// Write's context names (hypercare.WithKeysAhead) are read with its
// batch's BEGIN, before its fn runs: a new key and one whose alerts are
// all resolved are held as having none open, once each; the open alert
// of a key this node expects open is read and locked (another node's
// FindOpenAlertSkipLocked finds it taken); one found open, unexpected,
// is left to FindOpenAlert, and so is the key expected open of a request
// that may lock an incident first (not KeysAhead.AlertsFirst); a Write
// that names none holds none. FindOpenAlert then
// answers a held key from the entry, which it takes. Where the keys'
// triggers open incidents of their own, one number is drawn per key
// that never had an alert, and InsertIncident hands it out. The contract
// (BatchKeysReadAhead) checks the answers on both engines.
func TestBatchReadsNamedKeysWithBegin(t *testing.T) {
	ctx := context.Background()
	url := storetest.PostgresURL(t)
	s := storetest.OpenStore(t, store.Options{DatabaseURL: url})
	other := storetest.OpenStore(t, store.Options{DatabaseURL: url})
	t0 := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	write := func(ctx context.Context, fn func(hypercare.Tx) error) {
		t.Helper()
		if err := s.Write(ctx, "k", fn); err != nil {
			t.Fatal(err)
		}
	}
	write(ctx, func(tx hypercare.Tx) error { return seedShop(ctx, tx, t0, "hinted", "open", "gone") })
	write(ctx, func(tx hypercare.Tx) error { // this node now expects "hinted" open
		_, err := tx.FindOpenAlert(ctx, "shop", "hinted")
		return err
	})
	var keys []hypercare.AlertKey
	for _, k := range []string{"new", "gone", "hinted", "open", "new"} {
		keys = append(keys, hypercare.AlertKey{ServiceID: "shop", DedupKey: k})
	}
	write(hypercare.WithKeysAhead(ctx, hypercare.KeysAhead{Keys: keys, OpenIncidents: true, AlertsFirst: true}), func(tx hypercare.Tx) error {
		if got, want := store.BatchNoneForTest(tx), []string{"shop/gone", "shop/new"}; !slices.Equal(got, want) {
			t.Errorf("read with BEGIN as none open: %v, want %v", got, want)
		}
		if got, want := store.HeldForTest(tx), []string{"al-0"}; !slices.Equal(got, want) {
			t.Errorf("locked with BEGIN: %v, want %v (the key this node expects open)", got, want)
		}
		if err := other.Write(ctx, "k", func(tx hypercare.Tx) error {
			a, err := tx.FindOpenAlertSkipLocked(ctx, "shop", "hinted")
			if a != nil {
				t.Errorf("another node found %s free while the batch held it", a.ID)
			}
			return err
		}); err != nil {
			return err
		}
		if got := store.DrawnForTest(tx); got != 1 {
			t.Errorf("drew %d incident numbers, want 1 (for the one key that never had an alert)", got)
		}
		inc := &hypercare.Incident{ID: "inc-new", Title: "new", Status: hypercare.StatusTriggered,
			Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityError, ServiceID: "shop", CreatedAt: t0, UpdatedAt: t0}
		if err := tx.InsertIncident(ctx, inc); err != nil || inc.Number == 0 || store.DrawnForTest(tx) != 0 {
			t.Errorf("InsertIncident: number %d, %d left, %v: want the drawn number", inc.Number, store.DrawnForTest(tx), err)
		}
		for _, k := range []string{"new", "open"} {
			if _, err := tx.FindOpenAlert(ctx, "shop", k); err != nil {
				return err
			}
		}
		if got, want := store.BatchNoneForTest(tx), []string{"shop/gone"}; !slices.Equal(got, want) {
			t.Errorf("after FindOpenAlert of new: %v, want %v (taken)", got, want)
		}
		return nil
	})
	write(hypercare.WithKeysAhead(ctx, hypercare.KeysAhead{Keys: keys}), func(tx hypercare.Tx) error {
		if got := store.DrawnForTest(tx); got != 0 {
			t.Errorf("drew %d incident numbers for keys that open no incident of their own", got)
		}
		if got := store.HeldForTest(tx); len(got) != 0 {
			t.Errorf("locked %v with BEGIN for a request that may lock an incident first", got)
		}
		return nil
	})
	write(ctx, func(tx hypercare.Tx) error {
		if got := store.BatchNoneForTest(tx); len(got) != 0 {
			t.Errorf("a Write naming no keys holds %v", got)
		}
		return nil
	})
}

// seedShop creates service "shop" with an alert al-i per key i, open but
// for "gone", resolved.
func seedShop(ctx context.Context, tx hypercare.Tx, t0 time.Time, keys ...string) error {
	if err := tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: "shop", Name: "Shop", Active: true}}, nil); err != nil {
		return err
	}
	for i, k := range keys {
		al := &hypercare.Alert{ID: fmt.Sprintf("al-%d", i), ServiceID: "shop", DedupKey: k,
			Status: hypercare.StatusTriggered, Summary: k, Severity: hypercare.SeverityError, EventCount: 1,
			FirstSeenAt: t0, LastSeenAt: t0}
		if k == "gone" {
			al.Status, al.ResolvedAt = hypercare.StatusResolved, &t0
		}
		if err := tx.InsertAlert(ctx, al); err != nil {
			return err
		}
	}
	return nil
}

// TestBatchReadAheadFailureIsTheRequests (PostgreSQL): when a read ahead
// with the batch's BEGIN fails for good (here the incident number
// sequence is at its end, so drawing one fails), the batch begins without
// it: a request that opens no incident commits, and one that does fails
// with the sequence's own error, as without the read ahead.
func TestBatchReadAheadFailureIsTheRequests(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenStore(t, store.Options{DatabaseURL: storetest.PostgresURL(t)})
	t0 := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	if err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
		if err := seedShop(ctx, tx, t0); err != nil {
			return err
		}
		return store.ExecForTest(tx, "SELECT setval('incident_number_seq', 9223372036854775807)")
	}); err != nil {
		t.Fatal(err)
	}
	named := hypercare.WithKeysAhead(ctx, hypercare.KeysAhead{
		Keys: []hypercare.AlertKey{{ServiceID: "shop", DedupKey: "new"}}, OpenIncidents: true})
	err := s.Write(named, "k", func(tx hypercare.Tx) error {
		a, err := tx.FindOpenAlert(ctx, "shop", "new")
		if err != nil || a != nil {
			return fmt.Errorf("find new: %+v, %w", a, err)
		}
		return tx.InsertEvent(ctx, &hypercare.EventRecord{ID: "ev-1", ReceivedAt: t0, ServiceID: "shop",
			Action: hypercare.ActionTrigger, DedupKey: "new", Outcome: hypercare.OutcomeSuppressed, Payload: []byte(`{}`)})
	})
	if err != nil {
		t.Errorf("a request that opens no incident: %v", err)
	}
	err = s.Write(named, "k", func(tx hypercare.Tx) error {
		return tx.InsertIncident(ctx, &hypercare.Incident{ID: "inc-1", Title: "x", Status: hypercare.StatusTriggered,
			Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityError, ServiceID: "shop", CreatedAt: t0, UpdatedAt: t0})
	})
	if err == nil || !strings.Contains(err.Error(), "maximum value") || strings.Contains(err.Error(), "begin write batch") {
		t.Errorf("a request that opens an incident: %v, want the sequence's error as its own", err)
	}
}
