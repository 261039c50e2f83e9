package storetest

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testHeldPages: quiet hours' read returns exactly the incident's pending
// pages to the user due at the given moment, oldest first, and sees pages
// held earlier in the same transaction. (That a second node's read waits
// for the first's commit is notify's TestQuietHoldAcrossNodes.)
func testHeldPages(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	morning := at(10 * time.Hour)
	mk := func(id, inc, user, cm string, step int, due time.Time, created time.Duration) *hypercare.Notification {
		n := page(id, inc, cm, step, due)
		n.UserID, n.CreatedAt = user, at(created)
		return n
	}
	sent := mk("x4", "inc-1", "alice", "hook", 6, morning, 0)
	sent.Status = hypercare.NotificationSent
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for i, id := range []string{"inc-1", "inc-2"} {
			if err := tx.InsertIncident(ctx, incident(id, int64(i+1), svcCheckout)); err != nil {
				return err
			}
		}
		for _, n := range []*hypercare.Notification{
			mk("h2", "inc-1", "alice", "mail", 1, morning, 2*time.Minute),
			mk("h1", "inc-1", "alice", "hook", 2, morning, time.Minute),
			mk("x1", "inc-1", "alice", "hook", 3, morning.Add(time.Minute), 0), // another morning
			mk("x2", "inc-1", "bob", "hook", 4, morning, 0),                    // someone else
			mk("x3", "inc-2", "alice", "hook", 5, morning, 0),                  // another incident
			sent,
		} {
			if err := tx.InsertNotification(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	ids := func(ns []hypercare.Notification) []string {
		var out []string
		for _, n := range ns {
			out = append(out, n.ID)
		}
		return out
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		got, err := tx.HeldPages(ctx, "inc-1", "alice", morning)
		if err != nil || len(got) != 2 || got[0].ID != "h1" || got[1].ID != "h2" || !got[0].DueAt.Equal(morning) {
			t.Errorf("HeldPages = %v %v, want [h1 h2]", ids(got), err)
		}
		if err := tx.InsertNotification(ctx, mk("h3", "inc-1", "alice", "sms", 7, morning, 3*time.Minute)); err != nil {
			return err
		}
		got, err = tx.HeldPages(ctx, "inc-1", "alice", morning)
		if err != nil || len(got) != 3 || got[2].ID != "h3" {
			t.Errorf("HeldPages after a hold in the same transaction = %v %v, want [h1 h2 h3]", ids(got), err)
		}
		if got, err := tx.HeldPages(ctx, "inc-2", "carol", morning); err != nil || len(got) != 0 {
			t.Errorf("HeldPages of nobody's pages = %v %v", ids(got), err)
		}
		return nil
	})
	err := s.Write(ctx, "test", func(tx hypercare.Tx) error {
		_, err := tx.HeldPages(ctx, "inc-1", "bad\x00user", morning)
		return err
	})
	wantCode(t, err, hypercare.CodeInvalid)
}

// testMoveHeldPages: a reload lifting quiet hours moves exactly the user's
// pending pages due at the night's end, of every incident, and no digest
// hold, sent page, other user's page or page due at another moment.
func testMoveHeldPages(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	morning, now := at(10*time.Hour), at(time.Hour)
	mk := func(id, inc, user string, step int, due time.Time) *hypercare.Notification {
		n := page(id, inc, "hook", step, due)
		n.UserID = user
		return n
	}
	sent := mk("x1", "inc-1", "alice", 1, morning)
	sent.Status = hypercare.NotificationSent
	digest := mk("x2", "inc-1", "alice", 2, morning)
	digest.Kind = hypercare.NotificationHeld
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for i, id := range []string{"inc-1", "inc-2"} {
			if err := tx.InsertIncident(ctx, incident(id, int64(i+1), svcCheckout)); err != nil {
				return err
			}
		}
		for _, n := range []*hypercare.Notification{
			mk("h1", "inc-1", "alice", 3, morning), mk("h2", "inc-2", "alice", 4, morning),
			mk("x3", "inc-1", "bob", 5, morning), mk("x4", "inc-1", "alice", 6, morning.Add(time.Second)),
			sent, digest,
		} {
			if err := tx.InsertNotification(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	mustWrite(t, s, func(tx hypercare.Tx) error {
		n, err := tx.MoveHeldPages(ctx, "alice", morning, now)
		if err != nil || n != 2 {
			t.Errorf("MoveHeldPages = %d %v, want 2", n, err)
		}
		return nil
	})
	for inc, want := range map[string]map[string]time.Time{
		"inc-1": {"h1": now, "x1": morning, "x2": morning, "x3": morning, "x4": morning.Add(time.Second)},
		"inc-2": {"h2": now},
	} {
		list, err := s.ListNotifications(ctx, inc)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range list {
			if w, ok := want[n.ID]; !ok || !n.DueAt.Equal(w) {
				t.Errorf("page %s due %v, want %v", n.ID, n.DueAt, w)
			}
		}
	}
	err := s.Write(ctx, "test", func(tx hypercare.Tx) error {
		_, err := tx.MoveHeldPages(ctx, "bad\x00user", morning, now)
		return err
	})
	wantCode(t, err, hypercare.CodeInvalid)
}
