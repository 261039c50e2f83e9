package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testLockSymptoms: LockSymptomsOf, the read a merge or a promotion writes
// back from, returns what SymptomsOf does: the incident's unresolved
// symptoms, oldest first, none of its own alerts, none of another
// incident's; bad text is refused. (That it locks them on PostgreSQL, and
// what for, is tested in intake: TestMergeKeepsConcurrentSymptomRetrigger.)
func testLockSymptoms(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	symptom := func(id, of string, seen time.Duration) *hypercare.Alert {
		a := alert(id, svcSearch, "", "k-"+id)
		a.SymptomOf, a.FirstSeenAt, a.LastSeenAt = of, at(seen), at(seen)
		return a
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for i, id := range []string{"inc-1", "inc-2"} {
			if err := tx.InsertIncident(ctx, incident(id, int64(i+1), svcCheckout)); err != nil {
				return err
			}
		}
		resolved := symptom("s-4", "inc-1", 0)
		resolved.Status, resolved.ResolvedAt = hypercare.StatusResolved, ptr(at(time.Minute))
		for _, a := range []*hypercare.Alert{alert("al-1", svcCheckout, "inc-1", "own"), symptom("s-1", "inc-1", 2*time.Minute),
			symptom("s-2", "inc-1", time.Minute), symptom("s-3", "inc-2", 0), resolved} {
			if err := tx.InsertAlert(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	mustWrite(t, s, func(tx hypercare.Tx) error {
		plain, err := tx.SymptomsOf(ctx, "inc-1")
		if err != nil {
			return err
		}
		locked, err := tx.LockSymptomsOf(ctx, "inc-1")
		if err != nil {
			return err
		}
		var ids []string
		for _, a := range locked {
			ids = append(ids, a.ID)
		}
		if len(ids) != 2 || ids[0] != "s-2" || ids[1] != "s-1" || len(plain) != len(locked) {
			t.Errorf("LockSymptomsOf(inc-1) = %v, SymptomsOf %d; want [s-2 s-1] as SymptomsOf", ids, len(plain))
		}
		for i := range locked {
			if i < len(plain) && plain[i].ID != locked[i].ID {
				t.Errorf("LockSymptomsOf[%d] = %s, SymptomsOf[%d] = %s", i, locked[i].ID, i, plain[i].ID)
			}
		}
		if got, err := tx.LockSymptomsOf(ctx, "inc-9"); err != nil || len(got) != 0 {
			t.Errorf("LockSymptomsOf of nothing = %+v, %v", got, err)
		}
		return nil
	})
	err := s.Write(ctx, "test", func(tx hypercare.Tx) error {
		_, err := tx.LockSymptomsOf(ctx, nul)
		return err
	})
	wantCode(t, err, hypercare.CodeInvalid)
}

// testFindOpenAlertToResolve: FindOpenAlertToResolve, a resolve's lookup,
// returns what FindOpenAlert does (an open symptom, an own alert, nil for
// a resolved or unknown key) and leaves the transaction usable (on
// PostgreSQL its upstream lock is queued with the read; that it comes
// first, and what for, is tested in intake:
// TestSymptomResolveTakesTheIncidentFirst); bad text is refused.
func testFindOpenAlertToResolve(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, incident("inc-1", 1, svcCheckout)); err != nil {
			return err
		}
		sym := alert("s-1", svcSearch, "", "sym")
		sym.SymptomOf = "inc-1"
		gone := alert("s-2", svcSearch, "", "gone")
		gone.SymptomOf, gone.Status, gone.ResolvedAt = "inc-1", hypercare.StatusResolved, ptr(at(time.Minute))
		for _, a := range []*hypercare.Alert{alert("al-1", svcCheckout, "inc-1", "own"), sym, gone} {
			if err := tx.InsertAlert(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	mustWrite(t, s, func(tx hypercare.Tx) error {
		return resolveLookupAgrees(t, "FindOpenAlertToResolve", tx.FindOpenAlertToResolve, tx.FindOpenAlert, tx)
	})
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if a, err := tx.FindOpenAlert(ctx, svcSearch, "sym"); err != nil || a != nil {
			t.Errorf("the symptom after its resolve: %+v, %v; want resolved", a, err)
		}
		return nil
	})
	err := s.Write(ctx, "test", func(tx hypercare.Tx) error {
		_, err := tx.FindOpenAlertToResolve(ctx, svcSearch, nul)
		return err
	})
	wantCode(t, err, hypercare.CodeInvalid)
}

// testFindOpenAlertBySentKeyToResolve: FindOpenAlertBySentKeyToResolve, a
// resolve's lookup by the key a trigger was sent with, returns what
// FindOpenAlertBySentKey does (an open symptom, an own alert, the newest
// of two, nil for a resolved or unknown key) and leaves the transaction
// usable (its upstream lock, PG, is queued with the read; that it comes
// first is tested in intake: TestSentKeySymptomResolveTakesTheIncidentFirst);
// bad text is refused.
func testFindOpenAlertBySentKeyToResolve(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, incident("inc-1", 1, svcCheckout)); err != nil {
			return err
		}
		sym := alert("s-1", svcSearch, "", "rk-sym")
		sym.SymptomOf, sym.SentKey = "inc-1", "sym"
		older := alert("s-0", svcSearch, "", "rk-sym-0")
		older.SymptomOf, older.SentKey, older.FirstSeenAt = "inc-1", "sym", at(-time.Minute)
		gone := alert("s-2", svcSearch, "", "rk-gone")
		gone.SymptomOf, gone.SentKey, gone.Status, gone.ResolvedAt = "inc-1", "gone", hypercare.StatusResolved, ptr(at(time.Minute))
		own := alert("al-1", svcCheckout, "inc-1", "rk-own")
		own.SentKey = "own"
		for _, a := range []*hypercare.Alert{own, older, sym, gone} {
			if err := tx.InsertAlert(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	mustWrite(t, s, func(tx hypercare.Tx) error {
		return resolveLookupAgrees(t, "FindOpenAlertBySentKeyToResolve", tx.FindOpenAlertBySentKeyToResolve, tx.FindOpenAlertBySentKey, tx)
	})
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if a, err := tx.FindOpenAlertBySentKey(ctx, svcSearch, "sym"); err != nil || a == nil || a.ID != "s-0" {
			t.Errorf("sent as sym after s-1's resolve: %+v, %v; want s-0", a, err)
		}
		return nil
	})
	err := s.Write(ctx, "test", func(tx hypercare.Tx) error {
		_, err := tx.FindOpenAlertBySentKeyToResolve(ctx, svcSearch, nul)
		return err
	})
	wantCode(t, err, hypercare.CodeInvalid)
}

// alertLookup is one of Tx's reads of an open alert by service and key.
type alertLookup func(ctx context.Context, serviceID, key string) (*hypercare.Alert, error)

// resolveLookupAgrees checks that a resolve's lookup (name) finds what the
// plain lookup does, in the fixture both its tests write (an open symptom
// s-1 under "sym", an own alert al-1 under "own", a resolved symptom under
// "gone", nothing under "none"), and then resolves the symptom it finds
// under "sym" in the same transaction, which its upstream lock (PG, queued
// with the read) must leave usable.
func resolveLookupAgrees(t *testing.T, name string, toResolve, plain alertLookup, tx hypercare.Tx) error {
	ctx := t.Context()
	for _, c := range []struct{ svc, key, want string }{
		{svcSearch, "sym", "s-1"}, {svcCheckout, "own", "al-1"}, {svcSearch, "gone", ""}, {svcSearch, "none", ""},
	} {
		got, err := toResolve(ctx, c.svc, c.key)
		if err != nil {
			return err
		}
		same, err := plain(ctx, c.svc, c.key)
		if err != nil {
			return err
		}
		switch {
		case c.want == "" && (got != nil || same != nil):
			t.Errorf("%s(%s, %s) = %+v, plain lookup %+v; want nil", name, c.svc, c.key, got, same)
		case c.want != "" && (got == nil || same == nil || got.ID != c.want || same.ID != c.want || got.SymptomOf != same.SymptomOf):
			t.Errorf("%s(%s, %s) = %+v, plain lookup %+v; want %s", name, c.svc, c.key, got, same, c.want)
		}
	}
	a, err := toResolve(ctx, svcSearch, "sym")
	if err != nil || a == nil {
		return err
	}
	a.Status, a.ResolvedAt = hypercare.StatusResolved, ptr(at(2*time.Minute))
	return tx.UpdateAlert(ctx, a)
}
