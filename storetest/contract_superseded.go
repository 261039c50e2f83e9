package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testSupersededOutcome: a page's lease ends while its attempt still runs
// (it ran out, or another node took over the leases of a node it saw
// dead) and another claim takes the page: that later attempt owns the row.
// The earlier attempt's outcome, recorded after, used to overwrite it —
// a failed send set the page pending (due again: a third send) or failed
// over the other attempt's "sent", and set its attempt count back. It is
// now refused (ErrNotificationSuperseded, in a transaction that stays
// usable) and changes nothing; the later attempt's outcome is recorded.
// A page nobody claimed since keeps taking its claim's outcome.
func testSupersededOutcome(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, incident("inc-1", 1, svcCheckout)); err != nil {
			return err
		}
		for _, n := range []*hypercare.Notification{page("n-1", "inc-1", "alice-hook", 1, t0),
			page("n-2", "inc-1", "alice-sms", 1, t0)} {
			if err := tx.InsertNotification(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	claim := func(now time.Duration) []hypercare.Notification {
		var got []hypercare.Notification
		mustWrite(t, s, func(tx hypercare.Tx) (err error) {
			got, err = tx.ClaimNotifications(ctx, at(now), at(now+3*time.Minute), 10)
			return err
		})
		return got
	}
	first := claim(time.Second)
	if len(first) != 2 || first[0].Attempts != 1 {
		t.Fatalf("first claim = %+v, want both pages, attempt 1", first)
	}
	second := claim(4 * time.Minute) // both leases ran out: claimed again
	if len(second) != 2 || second[0].Attempts != 2 {
		t.Fatalf("second claim = %+v, want both pages, attempt 2", second)
	}
	byID := func(list []hypercare.Notification, id string) hypercare.Notification {
		for _, n := range list {
			if n.ID == id {
				return n
			}
		}
		t.Fatalf("no %s in %+v", id, list)
		return hypercare.Notification{}
	}
	// The first attempt of n-1 failed (retry), the second was sent; the
	// failure is recorded last. The first of n-2 was sent, after the
	// second took it: a send that went out, but not its record any more.
	stale, latest, staleSent := byID(first, "n-1"), byID(second, "n-1"), byID(first, "n-2")
	sentAt := at(4*time.Minute + time.Second)
	latest.Status, latest.SentAt = hypercare.NotificationSent, &sentAt
	stale.Status, stale.DueAt, stale.LastError = hypercare.NotificationPending, at(5*time.Minute), "HTTP 503"
	staleSent.Status, staleSent.SentAt = hypercare.NotificationSent, &sentAt
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.UpdateNotification(ctx, &latest) })
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for _, n := range []*hypercare.Notification{&stale, &staleSent} {
			if err := tx.UpdateNotification(ctx, n); !errors.Is(err, hypercare.ErrNotificationSuperseded) {
				t.Errorf("UpdateNotification(%s %s) of a page claimed again since = %v, want ErrNotificationSuperseded", n.ID, n.Status, err)
			}
		}
		return tx.InsertEvent(ctx, event("after-refusals")) // still usable
	})
	list, err := s.ListNotifications(ctx, "inc-1")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]hypercare.Notification{}
	for _, n := range list {
		got[n.ID] = n
	}
	if n := got["n-1"]; n.Status != hypercare.NotificationSent || n.Attempts != 2 || n.LastError != "" {
		t.Errorf("n-1 = %s, %d attempts, error %q; want sent by the second attempt, 2, none", n.Status, n.Attempts, n.LastError)
	}
	if n := got["n-2"]; n.Status != hypercare.NotificationSending || n.Attempts != 2 {
		t.Errorf("n-2 = %s, %d attempts; want still sending its second attempt", n.Status, n.Attempts)
	}
	if ids := eventIDs(t, s); !ids["after-refusals"] {
		t.Error("the write with the refused outcomes did not commit")
	}
}
