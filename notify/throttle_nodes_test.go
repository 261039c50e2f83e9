package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/storetest"
)

// Two nodes on one PostgreSQL database each claim an SMS page to Alice
// under a one-per-minute throttle: the second waits while the first sends,
// then counts that send and delays its page to its place a minute later.
// With only the in-process lock each node counted no send and both went
// out.
func TestThrottleAcrossNodes(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		if eng.Name == "sqlite" {
			return // one node per database file: TestThrottleQueueSaysOncePerPage covers it
		}
		ctx := context.Background()
		opts := eng.Options(t)
		s := newStorm(t, storetest.OpenStore(t, opts))
		other := *s
		other.st = storetest.OpenStore(t, opts)
		sms := &hung{started: make(chan string, 2), release: make(chan struct{})}
		channels := notify.NewRegistry()
		channels.Register(hypercare.ContactSMS, sms)
		a, b := s.engine(channels, smsThrottle), other.engine(channels, smsThrottle)

		first := s.page("alice-sms", hypercare.ContactSMS)
		doneA := make(chan error, 1)
		go func() { _, err := a.RunDue(ctx); doneA <- err }()
		if id := <-sms.started; id != first.ID {
			t.Fatalf("node A sent %s, want the first page", id)
		}
		second := s.page("alice-sms", hypercare.ContactSMS)
		doneB := make(chan error, 1)
		go func() { _, err := b.RunDue(ctx); doneB <- err }()
		waiting := make(chan struct{})
		go func() {
			defer close(waiting)
			storetest.WaitForNodeLockWaiter(t, opts.DatabaseURL, "pace:sms:alice")
		}()
		select {
		case id := <-sms.started:
			t.Fatalf("node B sent %s while node A was sending: two pages within a one-per-minute throttle", id)
		case <-waiting:
		}
		close(sms.release)
		if err := <-doneA; err != nil {
			t.Fatal(err)
		}
		if err := <-doneB; err != nil {
			t.Fatal(err)
		}
		if got := s.get(second); got.Status != hypercare.NotificationPending || !got.DueAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("second page %s due %v, want pending until its place a minute on", got.Status, got.DueAt)
		}
		if got := s.get(first); got.Status != hypercare.NotificationSent {
			t.Errorf("first page %s, want sent", got.Status)
		}
		select {
		case id := <-sms.started:
			t.Errorf("%s was sent too", id)
		default:
		}
	})
}
