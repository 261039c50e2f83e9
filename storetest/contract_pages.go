package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testRecentPages: the fatigue guardrail's read counts one page per
// escalation step (whatever the contact methods), per user, from since on,
// oldest first, leaves out steps whose every page was cancelled and
// digests (the held pages they carried count), and sees pages written
// earlier in the same transaction.
func testRecentPages(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mk := func(id, inc, user, cm string, step int, created time.Time) *hypercare.Notification {
		n := page(id, inc, cm, step, created)
		n.UserID, n.CreatedAt = user, created
		return n
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for i, id := range []string{"inc-1", "inc-2"} {
			if err := tx.InsertIncident(ctx, incident(id, int64(i+1), svcCheckout)); err != nil {
				return err
			}
		}
		for _, n := range []*hypercare.Notification{
			mk("n0", "inc-1", "alice", "hook", 0, at(-5*time.Hour)), // before since
			mk("n1", "inc-1", "alice", "hook", 1, at(time.Minute)),
			mk("n2", "inc-1", "alice", "mail", 1, at(time.Minute)), // same step: one page
			mk("n3", "inc-2", "alice", "hook", 0, at(3*time.Minute)),
			mk("n4", "inc-2", "bob", "hook", 0, at(2*time.Minute)), // someone else
			mk("n5", "inc-2", "alice", "hook", 1, at(4*time.Minute)),
		} {
			if err := tx.InsertNotification(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	// inc-2 is resolved before any of its pages went out: n3, n4 and n5
	// are cancelled and do not count; a later step that was sent does.
	mustWrite(t, s, func(tx hypercare.Tx) error {
		_, err := tx.CancelNotifications(ctx, "inc-2")
		return err
	})
	mustWrite(t, s, func(tx hypercare.Tx) error {
		n := mk("n6", "inc-2", "alice", "hook", 2, at(6*time.Minute))
		n.Status = hypercare.NotificationSent
		return tx.InsertNotification(ctx, n)
	})
	want := []time.Time{at(time.Minute), at(6 * time.Minute)}
	got, err := s.RecentPages(ctx, "alice", at(-4*time.Hour))
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("RecentPages = %v %v, want %v", got, err, want)
	}
	if got, err := s.RecentPages(ctx, "carol", at(-4*time.Hour)); err != nil || len(got) != 0 {
		t.Fatalf("RecentPages of a user never paged = %v %v", got, err)
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		n := mk("n7", "inc-1", "alice", "hook", 3, at(7*time.Minute))
		if err := tx.InsertNotification(ctx, n); err != nil {
			return err
		}
		got, err := tx.RecentPages(ctx, "alice", at(2*time.Minute))
		if want := []time.Time{at(6 * time.Minute), at(7 * time.Minute)}; err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("tx.RecentPages = %v %v, want %v (its own write included)", got, err, want)
		}
		return nil
	})
	// A digest stands for held pages already counted (each its own
	// step): it is not one more page.
	mustWrite(t, s, func(tx hypercare.Tx) error {
		n := mk("n8", "inc-1", "alice", "hook", -4, at(8*time.Minute))
		n.Kind, n.Status = hypercare.NotificationDigest, hypercare.NotificationSent
		return tx.InsertNotification(ctx, n)
	})
	want = []time.Time{at(6 * time.Minute), at(7 * time.Minute)}
	if got, err := s.RecentPages(ctx, "alice", at(2*time.Minute)); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("RecentPages with a digest = %v %v, want %v (the digest is not a page)", got, err, want)
	}
	// A low-urgency page made at +9 min and held by quiet hours until +10 h
	// has not reached alice yet: it counts at +10 h (and a caller counting
	// at now ignores times after now), not at +9 min.
	mustWrite(t, s, func(tx hypercare.Tx) error {
		n := mk("n9", "inc-1", "alice", "hook", 5, at(9*time.Minute))
		n.DueAt = at(10 * time.Hour)
		return tx.InsertNotification(ctx, n)
	})
	want = []time.Time{at(6 * time.Minute), at(7 * time.Minute), at(10 * time.Hour)}
	if got, err := s.RecentPages(ctx, "alice", at(2*time.Minute)); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("RecentPages with a held page = %v %v, want %v (the held page when it is due)", got, err, want)
	}
	_, err = s.RecentPages(ctx, "bad\x00user", t0)
	wantCode(t, err, hypercare.CodeInvalid)
}
