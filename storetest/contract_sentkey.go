package storetest

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testSentKey: an alert whose trigger's dedup key a rule rewrote is found
// by the key as sent (FindOpenAlertBySentKey) while it is open, on its own
// service only, the newest first; a resolved one, or one never rekeyed, is
// not found.
func testSentKey(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	older, newer := alert("al-1", svcCheckout, "", "disk-db-1"), alert("al-2", svcCheckout, "", "disk-db-1b")
	newer.FirstSeenAt, newer.LastSeenAt = at(time.Minute), at(time.Minute)
	plain := alert("al-3", svcCheckout, "", "sent-1") // its own key is the text, never rekeyed
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for _, a := range []*hypercare.Alert{older, newer, plain} {
			if err := tx.InsertAlert(ctx, a); err != nil {
				return err
			}
		}
		if err := tx.SetAlertSentKey(ctx, "al-1", "sent-1"); err != nil {
			return err
		}
		return tx.SetAlertSentKey(ctx, "al-2", "sent-1")
	})
	find := func(svc, key string) string {
		t.Helper()
		var id string
		mustWrite(t, s, func(tx hypercare.Tx) error {
			a, err := tx.FindOpenAlertBySentKey(ctx, svc, key)
			if a != nil {
				id = a.ID
			}
			return err
		})
		return id
	}
	// The key as sent is read with the alert, set by InsertAlert or
	// SetAlertSentKey, and UpdateAlert leaves it (it is read-only).
	// The rules' urgency and priority are stored and updated with it.
	stamped := alert("al-4", svcCheckout, "", "disk-db-4")
	stamped.SentKey, stamped.RuleUrgency, stamped.RulePriority = "sent-4", hypercare.UrgencyLow, "P4"
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.InsertAlert(ctx, stamped) })
	stamped.SentKey, stamped.EventCount, stamped.RulePriority = "", 2, "P3"
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.UpdateAlert(ctx, stamped) })
	mustWrite(t, s, func(tx hypercare.Tx) error {
		a, err := tx.FindOpenAlert(ctx, svcCheckout, "disk-db-4")
		if err == nil && (a == nil || a.RuleUrgency != hypercare.UrgencyLow || a.RulePriority != "P3") {
			t.Errorf("FindOpenAlert(checkout, disk-db-4) = %+v, want rule urgency low, priority P3", a)
		}
		return err
	})
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for key, want := range map[string]string{"disk-db-4": "sent-4", "disk-db-1": "sent-1", "sent-1": ""} {
			a, err := tx.FindOpenAlert(ctx, svcCheckout, key)
			if err != nil {
				return err
			}
			if a == nil || a.SentKey != want {
				t.Errorf("FindOpenAlert(checkout, %s) = %+v, want sent_key %q", key, a, want)
			}
		}
		return nil
	})
	if got := find(svcCheckout, "sent-1"); got != "al-2" {
		t.Errorf("FindOpenAlertBySentKey(checkout, sent-1) = %q, want the newest, al-2", got)
	}
	if got := find(svcSearch, "sent-1"); got != "" {
		t.Errorf("FindOpenAlertBySentKey on another service = %q, want none", got)
	}
	if got := find(svcCheckout, "disk-db-1"); got != "" {
		t.Errorf("FindOpenAlertBySentKey by an alert's own key = %q, want none", got)
	}
	resolvedAt := at(2 * time.Minute)
	newer.Status, newer.ResolvedAt = hypercare.StatusResolved, &resolvedAt
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.UpdateAlert(ctx, newer) })
	if got := find(svcCheckout, "sent-1"); got != "al-1" {
		t.Errorf("after al-2 resolved: %q, want al-1", got)
	}
	older.Status, older.ResolvedAt = hypercare.StatusResolved, &resolvedAt
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.UpdateAlert(ctx, older) })
	if got := find(svcCheckout, "sent-1"); got != "" {
		t.Errorf("after both resolved: %q, want none", got)
	}
	if got := find(svcCheckout, ""); got != "" {
		t.Errorf("an empty sent key finds %q", got)
	}
}
