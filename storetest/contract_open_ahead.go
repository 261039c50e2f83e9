package storetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testOpenAlertsReadAhead: FindOpenAlert after ReadOpenAlertsAhead (what a
// batch's triggers do; PostgreSQL answers from one read of the keys it
// expects open) gives what it gives without: the row as stored, none for a
// resolved or unknown key (and, for a resolved one, its alerts to
// RecentAlertsByKey), the row as the request left it after each of
// its writes (a re-trigger's counters and details, a resolve, a sent key),
// a copy whose fields the caller may change, and what the request committed.
func testOpenAlertsReadAhead(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	keys := []hypercare.AlertKey{{ServiceID: svcCheckout, DedupKey: "a"}, {ServiceID: svcCheckout, DedupKey: "b"},
		{ServiceID: svcCheckout, DedupKey: "c"}, {ServiceID: svcCheckout, DedupKey: "gone"},
		{ServiceID: svcSearch, DedupKey: "a"}, {ServiceID: svcCheckout, DedupKey: "never"}}
	stored := map[hypercare.AlertKey]*hypercare.Alert{}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, incident("inc-1", 1, svcCheckout)); err != nil {
			return err
		}
		for i, k := range keys[:5] {
			a := alert(fmt.Sprintf("al-%d", i), k.ServiceID, "inc-1", k.DedupKey)
			a.CustomDetails = json.RawMessage(`{"disk":"90%"}`)
			a.Links = []hypercare.Link{{Href: "https://example.com/" + k.DedupKey, Text: "runbook"}}
			if k.DedupKey == "gone" {
				a.Status, a.ResolvedAt = hypercare.StatusResolved, ptr(at(time.Second))
			}
			if err := tx.InsertAlert(ctx, a); err != nil {
				return err
			}
			stored[k] = a
		}
		return nil
	})
	delete(stored, keys[3])
	// A first batch finds them (on PostgreSQL this node now expects them
	// open, the keys it reads ahead).
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for _, k := range keys {
			if _, err := tx.FindOpenAlert(ctx, k.ServiceID, k.DedupKey); err != nil {
				return err
			}
		}
		return nil
	})
	find := func(tx hypercare.Tx, k hypercare.AlertKey) (*hypercare.Alert, error) {
		a, err := tx.FindOpenAlert(ctx, k.ServiceID, k.DedupKey)
		if err != nil {
			return nil, fmt.Errorf("find %v: %w", k, err)
		}
		return a, nil
	}
	// readAll reads the keys ahead and checks each lookup against
	// stored; then, in the same request, more.
	readAll := func(when string, more func(hypercare.Tx) error) {
		t.Helper()
		mustWrite(t, s, func(tx hypercare.Tx) error {
			if err := tx.ReadOpenAlertsAhead(ctx, keys); err != nil {
				return err
			}
			for _, k := range keys {
				got, err := find(tx, k)
				if err != nil {
					return err
				}
				if want := stored[k]; (want == nil) != (got == nil) || want != nil && !reflect.DeepEqual(got, want) {
					t.Errorf("find %v %s = %+v, want %+v", k, when, got, want)
				}
			}
			return more(tx)
		})
	}
	readAll("after reading ahead", func(tx hypercare.Tx) error {
		// The answer is a copy: changing its fields (not the bytes of its
		// details, which both engines may share with what they keep)
		// changes neither the row nor the next answer.
		a, err := find(tx, keys[0])
		if err != nil {
			return err
		}
		a.Summary, a.CustomDetails, a.Links[0].Text = "changed", json.RawMessage(`{}`), "changed"
		if b, err := find(tx, keys[0]); err != nil || !reflect.DeepEqual(b, stored[keys[0]]) {
			t.Errorf("find after changing the answer = %+v, %v; want %+v", b, err, stored[keys[0]])
		}
		return nil
	})
	// The request's writes: a re-trigger with the same details, one with
	// new details (each found again after), a resolve, a sent key.
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.ReadOpenAlertsAhead(ctx, keys); err != nil {
			return err
		}
		for i, details := range []string{`{"disk":"90%"}`, `{"disk":"95%"}`} {
			a, err := find(tx, keys[0])
			if err != nil || a == nil {
				return fmt.Errorf("re-trigger %d: %+v, %v", i, a, err)
			}
			a.EventCount, a.LastSeenAt, a.CustomDetails = a.EventCount+1, at(time.Duration(10+i)*time.Second), json.RawMessage(details)
			if err := tx.UpdateAlert(ctx, a); err != nil {
				return err
			}
			if b, err := find(tx, keys[0]); err != nil || !reflect.DeepEqual(b, a) {
				t.Errorf("find after re-trigger %d = %+v, %v; want %+v", i, b, err, a)
			}
			stored[keys[0]] = a
		}
		b, err := find(tx, keys[1])
		if err != nil || b == nil {
			return fmt.Errorf("find b: %+v, %v", b, err)
		}
		b.Status, b.ResolvedAt = hypercare.StatusResolved, ptr(at(20*time.Second))
		if err := tx.UpdateAlert(ctx, b); err != nil {
			return err
		}
		if got, err := find(tx, keys[1]); err != nil || got != nil {
			t.Errorf("find after resolving = %+v, %v; want none", got, err)
		}
		c := stored[keys[2]]
		if err := tx.SetAlertSentKey(ctx, c.ID, "c-as-sent"); err != nil {
			return err
		}
		c.SentKey = "c-as-sent"
		if got, err := find(tx, keys[2]); err != nil || !reflect.DeepEqual(got, c) {
			t.Errorf("find after setting the sent key = %+v, %v; want %+v", got, err, c)
		}
		return nil
	})
	delete(stored, keys[1])
	// A key with no open alert: none found, its newest alerts as stored,
	// and after the request opens one, that one.
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.ReadOpenAlertsAhead(ctx, keys); err != nil {
			return err
		}
		if got, err := find(tx, keys[3]); err != nil || got != nil {
			return fmt.Errorf("find %v = %+v, %v; want none", keys[3], got, err)
		}
		recent, err := tx.RecentAlertsByKey(ctx, svcCheckout, "gone", time.Time{}, 5)
		if err != nil || len(recent) != 1 || recent[0].ID != "al-3" {
			t.Errorf("recent alerts of gone = %+v, %v; want al-3", recent, err)
		}
		again := alert("al-again", svcCheckout, "inc-1", "gone")
		again.FirstSeenAt, again.LastSeenAt = at(30*time.Second), at(30*time.Second)
		if err := tx.InsertAlert(ctx, again); err != nil {
			return err
		}
		if got, err := find(tx, keys[3]); err != nil || got == nil || got.ID != "al-again" {
			t.Errorf("find %v after opening one = %+v, %v; want al-again", keys[3], got, err)
		}
		recent, err = tx.RecentAlertsByKey(ctx, svcCheckout, "gone", time.Time{}, 5)
		if err != nil || len(recent) != 2 || recent[0].ID != "al-again" || recent[1].ID != "al-3" {
			t.Errorf("recent alerts of gone after opening one = %+v, %v; want al-again, al-3", recent, err)
		}
		stored[keys[3]] = again
		return nil
	})
	// Committed as written, and found so by the next request.
	readAll("after the writes", func(hypercare.Tx) error { return nil })
}
