package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testCancelInFlight: CancelNotifications (an acknowledgement, resolution,
// reassignment or merge) cancels the pages being sent too, and their
// outcome cannot bring them back: a retry, a failure or a hand-back leaves
// the page cancelled and says so (ErrNotificationCancelled, in a
// transaction that stays usable), though a failed attempt's reason is kept
// (last_error, error_detail) so an admin sees why it failed, a claim does not take it once its lease
// ends, and only "sent" replaces "cancelled", because that message went
// out. Otherwise a retry would page the person the incident was taken from.
func testCancelInFlight(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, incident("inc-1", 1, svcCheckout)); err != nil {
			return err
		}
		for _, n := range []*hypercare.Notification{page("n-retry", "inc-1", "alice-hook", 1, t0),
			page("n-fail", "inc-1", "alice-sms", 1, t0), page("n-sent", "inc-1", "alice-mail", 1, t0),
			page("n-later", "inc-1", "alice-push", 1, at(time.Hour))} {
			if err := tx.InsertNotification(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	var claimed []hypercare.Notification
	mustWrite(t, s, func(tx hypercare.Tx) (err error) {
		claimed, err = tx.ClaimNotifications(ctx, at(time.Second), at(3*time.Minute), 10)
		return err
	})
	if len(claimed) != 3 {
		t.Fatalf("ClaimNotifications = %+v, want the 3 pages due", claimed)
	}
	pageIncident(t, s, "n-retry", hypercare.NotificationSending)
	if n, err := cancelPages(ctx, s, "inc-1"); err != nil || n != 4 {
		t.Fatalf("CancelNotifications = %d %v, want 4 (3 in flight, 1 pending)", n, err)
	}
	// What delivery reads before a send: the cancel shows on the page,
	// not on the incident (a reassignment leaves the incident as it was).
	pageIncident(t, s, "n-retry", hypercare.NotificationCancelled)
	pageIncident(t, s, "n-none", "")
	if _, _, err := s.GetPageIncident(ctx, "inc-none", "n-retry"); !hypercare.IsNotFound(err) {
		t.Errorf("GetPageIncident of a missing incident: %v, want not_found", err)
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		again, err := tx.ClaimNotifications(ctx, at(time.Hour), at(time.Hour+3*time.Minute), 10)
		if err == nil && len(again) > 0 {
			t.Errorf("a cancelled page was claimed after its lease ran out: %+v", again)
		}
		return err
	})
	byID := map[string]hypercare.Notification{}
	for _, n := range claimed {
		byID[n.ID] = n
	}
	retry, fail, sent := byID["n-retry"], byID["n-fail"], byID["n-sent"]
	retry.Status, retry.DueAt, retry.LastError, retry.ErrorDetail = hypercare.NotificationPending, at(5*time.Second), "HTTP 503", "503 body"
	fail.Status, fail.LastError, fail.ErrorDetail = hypercare.NotificationFailed, "HTTP 404", "404 body"
	sentAt := at(2 * time.Second)
	sent.Status, sent.SentAt = hypercare.NotificationSent, &sentAt
	mustWrite(t, s, func(tx hypercare.Tx) error {
		// Both refusals first: the transaction must stay usable after them.
		for _, n := range []*hypercare.Notification{&retry, &fail} {
			if err := tx.UpdateNotification(ctx, n); !errors.Is(err, hypercare.ErrNotificationCancelled) {
				t.Errorf("UpdateNotification(%s %s) of a cancelled page = %v, want ErrNotificationCancelled", n.ID, n.Status, err)
			}
		}
		return tx.UpdateNotification(ctx, &sent)
	})
	list, err := s.ListNotifications(ctx, "inc-1")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"n-retry": hypercare.NotificationCancelled, "n-fail": hypercare.NotificationCancelled,
		"n-sent": hypercare.NotificationSent, "n-later": hypercare.NotificationCancelled}
	wantErr := map[string][2]string{"n-retry": {"HTTP 503", "503 body"}, "n-fail": {"HTTP 404", "404 body"}}
	for _, n := range list {
		if n.Status != want[n.ID] {
			t.Errorf("%s: %s (attempts %d, %q), want %s", n.ID, n.Status, n.Attempts, n.LastError, want[n.ID])
		}
		if got := [2]string{n.LastError, n.ErrorDetail}; got != wantErr[n.ID] {
			t.Errorf("%s: last_error, error_detail = %q, want %q", n.ID, got, wantErr[n.ID])
		}
		if n.ID == "n-sent" && (n.SentAt == nil || !n.SentAt.Equal(sentAt)) {
			t.Errorf("n-sent: sent at %v, want %v", n.SentAt, sentAt)
		}
	}
	if due, ok, err := s.NextNotificationDue(ctx); ok || err != nil {
		t.Errorf("NextNotificationDue = %v %v %v: a cancelled page is due again", due, ok, err)
	}
	err = s.Write(ctx, "k", func(tx hypercare.Tx) error { return tx.UpdateNotification(ctx, page("n-none", "inc-1", "x", 1, t0)) })
	wantCode(t, err, hypercare.CodeNotFound) // a missing page is still not found, not "cancelled"
}

// pageIncident checks GetPageIncident reads inc-1 triggered with page id's
// status want.
func pageIncident(t *testing.T, s *store.Store, id, want string) {
	t.Helper()
	inc, status, err := s.GetPageIncident(t.Context(), "inc-1", id)
	if err != nil || inc.ID != "inc-1" || inc.Status != hypercare.StatusTriggered || status != want {
		t.Errorf("GetPageIncident(inc-1, %s) = %+v, %q, %v; want inc-1 triggered and %q", id, inc, status, err, want)
	}
}
