package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// The paging rows: escalation state, notifications (pages) and calendar
// feeds, and the cheap "anything due?" reads the engines poll with.

func escalationState(incidentID string, due time.Time) *hypercare.EscalationState {
	return &hypercare.EscalationState{IncidentID: incidentID, PolicyID: "web", ServiceID: svcCheckout,
		Status: hypercare.EscalationActive, DueAt: due, Urgency: hypercare.UrgencyHigh,
		AckTimeout: 30 * time.Minute, UpdatedAt: t0}
}

func page(id, incidentID, cm string, step int, due time.Time) *hypercare.Notification {
	return &hypercare.Notification{ID: id, IncidentID: incidentID, UserID: "alice", ContactMethod: cm,
		Type: hypercare.ContactWebhook, Level: 1, Step: step, Reason: "level 1", Status: hypercare.NotificationPending,
		DueAt: due, CreatedAt: t0}
}

func testEscalations(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	if _, ok, err := s.NextEscalationDue(ctx); ok || err != nil {
		t.Fatalf("NextEscalationDue on an empty store: %v %v", ok, err)
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for i, id := range []string{"inc-1", "inc-2"} {
			if err := tx.InsertIncident(ctx, incident(id, int64(i+1), svcCheckout)); err != nil {
				return err
			}
		}
		if err := tx.SaveEscalation(ctx, escalationState("inc-1", at(5*time.Minute))); err != nil {
			return err
		}
		return tx.SaveEscalation(ctx, escalationState("inc-2", at(time.Minute)))
	})
	if due, ok, err := s.NextEscalationDue(ctx); !ok || err != nil || !due.Equal(at(time.Minute)) {
		t.Fatalf("NextEscalationDue = %v %v %v, want %v", due, ok, err, at(time.Minute))
	}
	var due []hypercare.EscalationState
	mustWrite(t, s, func(tx hypercare.Tx) (err error) {
		due, err = tx.DueEscalations(ctx, at(2*time.Minute), 10)
		return err
	})
	if len(due) != 1 || !reflect.DeepEqual(due[0], *escalationState("inc-2", at(time.Minute))) {
		t.Fatalf("DueEscalations = %+v", due)
	}
	done := escalationState("inc-2", at(time.Minute))
	done.Status, done.Step = hypercare.EscalationDone, 3
	done.ReadyAt = at(30 * time.Second) // kept as given (zero above: stored as 0, read as zero)
	done.Assignee = "dave"              // a reassignment's user, kept for the ack timeout
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.SaveEscalation(ctx, done) })
	if got, err := s.GetEscalation(ctx, "inc-2"); err != nil || !reflect.DeepEqual(got, done) {
		t.Fatalf("GetEscalation = %+v %v, want %+v", got, err, done)
	}
	if due, ok, _ := s.NextEscalationDue(ctx); !ok || !due.Equal(at(5*time.Minute)) {
		t.Fatalf("NextEscalationDue after inc-2 is done = %v %v", due, ok)
	}
	_, err := s.GetEscalation(ctx, "inc-9")
	wantCode(t, err, hypercare.CodeNotFound)
	mustWrite(t, s, func(tx hypercare.Tx) error { // the write side reads the same row (for update)
		got, err := tx.GetEscalation(ctx, "inc-2")
		if err != nil || !reflect.DeepEqual(got, done) {
			t.Errorf("tx.GetEscalation = %+v %v, want %+v", got, err, done)
		}
		_, err = tx.GetEscalation(ctx, "inc-9")
		if hypercare.ErrorCode(err) != hypercare.CodeNotFound {
			t.Errorf("tx.GetEscalation of a missing row: %v", err)
		}
		return nil
	})
	var turns []int
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for range 3 {
			n, err := tx.NextTurn(ctx, "web", 0)
			if err != nil {
				return err
			}
			turns = append(turns, n)
		}
		return nil
	})
	if !reflect.DeepEqual(turns, []int{0, 1, 2}) {
		t.Fatalf("NextTurn = %v", turns)
	}
}

func testNotifications(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	if _, ok, err := s.NextNotificationDue(ctx); ok || err != nil {
		t.Fatalf("NextNotificationDue on an empty store: %v %v", ok, err)
	}
	now, later := page("n-1", "inc-1", "alice-hook", 1, t0), page("n-2", "inc-1", "alice-sms", 1, at(2*time.Minute))
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, incident("inc-1", 1, svcCheckout)); err != nil {
			return err
		}
		if err := tx.InsertNotification(ctx, now); err != nil {
			return err
		}
		return tx.InsertNotification(ctx, later)
	})
	err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
		return tx.InsertNotification(ctx, page("n-3", "inc-1", "alice-hook", 1, t0))
	})
	wantCode(t, err, hypercare.CodeConflict) // the same step pages the same method once
	if due, ok, _ := s.NextNotificationDue(ctx); !ok || !due.Equal(t0) {
		t.Fatalf("NextNotificationDue = %v %v, want %v", due, ok, t0)
	}
	var claimed []hypercare.Notification
	mustWrite(t, s, func(tx hypercare.Tx) (err error) {
		claimed, err = tx.ClaimNotifications(ctx, at(time.Second), at(3*time.Minute), 10)
		return err
	})
	if len(claimed) != 1 || claimed[0].ID != "n-1" || claimed[0].Status != hypercare.NotificationSending || claimed[0].Attempts != 1 ||
		claimed[0].Claimed != 1 {
		t.Fatalf("ClaimNotifications = %+v", claimed)
	}
	// n-1's lease (3 min) is now the earliest thing due after n-2 (2 min).
	if due, ok, _ := s.NextNotificationDue(ctx); !ok || !due.Equal(at(2*time.Minute)) {
		t.Fatalf("NextNotificationDue while sending = %v %v", due, ok)
	}
	failed := claimed[0]
	failed.Status, failed.LastError, failed.ErrorDetail = hypercare.NotificationFailed, "connection refused",
		"webhook: POST to 10.0.0.5:8443: dial tcp 10.0.0.5:8443: connection refused"
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.UpdateNotification(ctx, &failed) })
	if n, err := cancelPages(ctx, s, "inc-1"); err != nil || n != 1 {
		t.Fatalf("CancelNotifications = %d %v, want 1 (n-2)", n, err)
	}
	list, err := s.ListNotifications(ctx, "inc-1")
	if err != nil || len(list) != 2 {
		t.Fatalf("ListNotifications = %+v %v", list, err)
	}
	failed.Claimed = 0 // the claim's own, not stored
	if !reflect.DeepEqual(list[0], failed) || list[1].Status != hypercare.NotificationCancelled {
		t.Fatalf("ListNotifications = %+v\nwant %+v and n-2 cancelled", list, failed)
	}
	if _, ok, _ := s.NextNotificationDue(ctx); ok {
		t.Fatal("NextNotificationDue: something due after every page failed or was cancelled")
	}
	err = s.Write(ctx, "k", func(tx hypercare.Tx) error { return tx.UpdateNotification(ctx, page("n-9", "inc-1", "x", 1, t0)) })
	wantCode(t, err, hypercare.CodeNotFound)
}

func cancelPages(ctx context.Context, s *store.Store, incidentID string) (n int, err error) {
	err = s.Write(ctx, "k", func(tx hypercare.Tx) (err error) { n, err = tx.CancelNotifications(ctx, incidentID); return err })
	return n, err
}

func testCalendarFeeds(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := open(t)
	a := &hypercare.CalendarFeed{ID: "feed-1", Kind: "schedules", Subject: "primary", CreatedBy: "tok-1", CreatedAt: t0, TokenHash: "hash-a"}
	b := &hypercare.CalendarFeed{ID: "feed-2", Kind: "users", Subject: "alice", CreatedBy: "tok-2", CreatedAt: at(time.Second), TokenHash: "hash-b"}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.CreateCalendarFeed(ctx, a); err != nil {
			return err
		}
		return tx.CreateCalendarFeed(ctx, b)
	})
	list, err := s.ListCalendarFeeds(ctx)
	if err != nil || !reflect.DeepEqual(list, []hypercare.CalendarFeed{*a, *b}) {
		t.Fatalf("ListCalendarFeeds = %+v %v", list, err)
	}
	if kind, subject, err := s.CalendarFeed(ctx, "hash-b"); err != nil || kind != "users" || subject != "alice" {
		t.Fatalf("CalendarFeed = %s %s %v", kind, subject, err)
	}
	dup := *a
	dup.ID = "feed-3"
	err = s.Write(ctx, "k", func(tx hypercare.Tx) error { return tx.CreateCalendarFeed(ctx, &dup) })
	wantCode(t, err, hypercare.CodeConflict) // the same token hash twice
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.DeleteCalendarFeed(ctx, "feed-2") })
	_, _, err = s.CalendarFeed(ctx, "hash-b")
	wantCode(t, err, hypercare.CodeNotFound)
	err = s.Write(ctx, "k", func(tx hypercare.Tx) error { return tx.DeleteCalendarFeed(ctx, "feed-2") })
	wantCode(t, err, hypercare.CodeNotFound)
	if list, _ := s.ListCalendarFeeds(ctx); len(list) != 1 || list[0].ID != "feed-1" {
		t.Fatalf("after revoking feed-2: %+v", list)
	}
}
