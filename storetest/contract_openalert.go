package storetest

import (
	"errors"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testOpenAlertAfterWrites checks that FindOpenAlert sees exactly what
// committed and this transaction wrote, whatever the store remembers
// between writes (SQLite's open-alert cache): a rolled-back update is not
// seen, a resolve hides the alert, writing an older resolved alert of the
// same key does not hide the open one, and a caller changing the returned
// alert changes nothing stored.
func testOpenAlertAfterWrites(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	StartRun(t, s)
	find := func(key string) *hypercare.Alert {
		t.Helper()
		var got *hypercare.Alert
		mustWrite(t, s, func(tx hypercare.Tx) (err error) {
			got, err = tx.FindOpenAlert(ctx, svcCheckout, key)
			return err
		})
		return got
	}
	a1 := alert("oa-1", svcCheckout, "", "k")
	a1.Links = []hypercare.Link{{Href: "https://runbook.example.com"}}
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.InsertAlert(ctx, a1) })
	if got := find("k"); got == nil || got.ID != "oa-1" || got.EventCount != 1 {
		t.Fatalf("after insert: got %+v, want oa-1 with 1 event", got)
	}

	// A caller appending to the returned alert's lists stores nothing.
	mustWrite(t, s, func(tx hypercare.Tx) error {
		got, err := tx.FindOpenAlert(ctx, svcCheckout, "k")
		if err == nil {
			got.Links = append(got.Links, hypercare.Link{Href: "https://mutated.example.com"})
			got.EventCount = 99
		}
		return err
	})
	if got := find("k"); len(got.Links) != 1 || got.EventCount != 1 {
		t.Errorf("a caller's change to a found alert leaked: %+v", got)
	}

	// An update whose write fails is rolled back, and is not seen.
	boom := errors.New("boom")
	err := s.Write(ctx, "test", func(tx hypercare.Tx) error {
		got, err := tx.FindOpenAlert(ctx, svcCheckout, "k")
		if err != nil {
			return err
		}
		got.EventCount = 2
		if err := tx.UpdateAlert(ctx, got); err != nil {
			return err
		}
		if again, err := tx.FindOpenAlert(ctx, svcCheckout, "k"); err != nil || again.EventCount != 2 {
			t.Errorf("own update not seen in its transaction: %+v, %v", again, err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failing write: %v", err)
	}
	if got := find("k"); got.EventCount != 1 {
		t.Errorf("rolled-back update seen: event count %d, want 1", got.EventCount)
	}

	// The same, for a failing request that shares its batch with one that
	// commits: its write is undone by its savepoint alone.
	errs, _ := queueBehind(t, s, "k", "oa-blocker", map[string]func(hypercare.Tx) error{
		"fail": func(tx hypercare.Tx) error {
			got, err := tx.FindOpenAlert(ctx, svcCheckout, "k")
			if err != nil {
				return err
			}
			got.EventCount = 5
			if err := tx.UpdateAlert(ctx, got); err != nil {
				return err
			}
			return boom
		},
		"ok": func(tx hypercare.Tx) error { return tx.InsertEvent(ctx, event("oa-ok")) },
	})
	if !errors.Is(errs["fail"], boom) || errs["ok"] != nil {
		t.Fatalf("batch-mates: %v", errs)
	}
	if got := find("k"); got.EventCount != 1 {
		t.Errorf("update of a failed batch-mate seen: event count %d, want 1", got.EventCount)
	}

	// Resolved: gone. A new alert of the key is found, also after the
	// old one is written again.
	mustWrite(t, s, func(tx hypercare.Tx) error {
		got, err := tx.FindOpenAlert(ctx, svcCheckout, "k")
		if err != nil {
			return err
		}
		got.Status, got.ResolvedAt = hypercare.StatusResolved, &t0
		return tx.UpdateAlert(ctx, got)
	})
	if got := find("k"); got != nil {
		t.Fatalf("resolved alert still found open: %+v", got)
	}
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.InsertAlert(ctx, alert("oa-2", svcCheckout, "", "k")) })
	old := *a1
	old.Status, old.ResolvedAt, old.Summary = hypercare.StatusResolved, &t0, "moved"
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.UpdateAlert(ctx, &old); err != nil {
			return err
		}
		got, err := tx.FindOpenAlert(ctx, svcCheckout, "k")
		if err == nil && (got == nil || got.ID != "oa-2") {
			t.Errorf("after writing the old resolved alert: got %+v, want oa-2", got)
		}
		return err
	})
	if got := find("k"); got == nil || got.ID != "oa-2" {
		t.Errorf("after writing the old resolved alert, later: got %+v, want oa-2", got)
	}
}
