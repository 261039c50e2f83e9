package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testPacing checks the reads and the write throttles and digests use:
// RecentSends counts a user's sent pages on one channel, held pages are
// taken into a digest once (a second take finds none), and ListDigest
// lists what a digest stands for.
func testPacing(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	sent := page("n-sent", "inc-1", "alice-hook", 1, t0)
	sent.Status, sent.SentAt = hypercare.NotificationSent, ptr(at(time.Minute))
	held1 := page("n-held1", "inc-1", "alice-hook", 2, at(10*time.Minute))
	held1.Kind = hypercare.NotificationHeld
	held2 := page("n-held2", "inc-2", "alice-hook", 1, at(10*time.Minute))
	held2.Kind, held2.CreatedAt = hypercare.NotificationHeld, at(time.Second)
	later := page("n-later", "inc-2", "alice-hook", 2, at(20*time.Minute))
	later.Kind = hypercare.NotificationHeld
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for i, id := range []string{"inc-1", "inc-2"} {
			if err := tx.InsertIncident(ctx, incident(id, int64(i+1), svcCheckout)); err != nil {
				return err
			}
		}
		for _, n := range []*hypercare.Notification{sent, held1, held2, later} {
			if err := tx.InsertNotification(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	if got, err := s.RecentSends(ctx, "alice", hypercare.ContactWebhook, t0); err != nil || len(got) != 1 || !got[0].Equal(at(time.Minute)) {
		t.Fatalf("RecentSends = %v %v", got, err)
	}
	if got, err := s.RecentSends(ctx, "alice", hypercare.ContactWebhook, at(2*time.Minute)); err != nil || len(got) != 0 {
		t.Fatalf("RecentSends after the send = %v %v", got, err)
	}
	if got, err := s.RecentSends(ctx, "alice", hypercare.ContactSMS, t0); err != nil || len(got) != 0 {
		t.Fatalf("RecentSends on another channel = %v %v", got, err)
	}
	var taken []hypercare.Notification
	take := func() {
		mustWrite(t, s, func(tx hypercare.Tx) (err error) {
			taken, err = tx.TakeHeldNotifications(ctx, "alice", hypercare.ContactWebhook, at(10*time.Minute), "dig-1")
			return err
		})
	}
	take()
	if len(taken) != 2 || taken[0].ID != "n-held1" || taken[1].ID != "n-held2" ||
		taken[0].Status != hypercare.NotificationDigested || taken[0].DigestID != "dig-1" {
		t.Fatalf("TakeHeldNotifications = %+v", taken)
	}
	take()
	if len(taken) != 0 {
		t.Fatalf("held pages taken twice: %+v", taken)
	}
	list, err := s.ListDigest(ctx, "dig-1")
	if err != nil || len(list) != 2 || !reflect.DeepEqual(list[1].ID, "n-held2") || list[0].Kind != hypercare.NotificationHeld {
		t.Fatalf("ListDigest = %+v %v", list, err)
	}
	if due, ok, _ := s.NextNotificationDue(ctx); !ok || !due.Equal(at(20*time.Minute)) {
		t.Fatalf("NextNotificationDue after the take = %v %v, want the later held page", due, ok)
	}
	testQueuedSends(t, s)
}

// testQueuedSends: the waiting pages of a user on one channel that will
// take a throttle's place, due after a moment; held pages (the later one
// is still held), sent pages and pages due by then are left out.
func testQueuedSends(t *testing.T, s *store.Store) {
	ctx := t.Context()
	queued := page("n-queued", "inc-1", "alice-hook", 3, at(5*time.Minute))
	retry := page("n-retry", "inc-2", "alice-hook", 3, at(3*time.Minute))
	retry.Attempts = 1
	due := page("n-due", "inc-2", "alice-hook", 4, at(time.Minute))
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for _, n := range []*hypercare.Notification{queued, retry, due} {
			if err := tx.InsertNotification(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := s.QueuedSends(ctx, "alice", hypercare.ContactWebhook, at(time.Minute))
	if err != nil || len(got) != 2 || !got[0].Equal(at(3*time.Minute)) || !got[1].Equal(at(5*time.Minute)) {
		t.Fatalf("QueuedSends = %v %v, want the retry and the queued page", got, err)
	}
	if got, err := s.QueuedSends(ctx, "alice", hypercare.ContactSMS, t0); err != nil || len(got) != 0 {
		t.Fatalf("QueuedSends on another channel = %v %v", got, err)
	}
	if got, err := s.QueuedSends(ctx, "bob", hypercare.ContactWebhook, t0); err != nil || len(got) != 0 {
		t.Fatalf("QueuedSends of another user = %v %v", got, err)
	}
}
