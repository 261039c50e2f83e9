package notify_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/storetest"
)

// Two nodes on one PostgreSQL database hold low-urgency SMS pages of one
// incident to Alice until the same morning, at the same moment: node A
// has held the first and not yet committed when node B holds the second.
// B's decision waits for A's commit, then sees A's hold and cancels its
// own page, so Alice gets one morning SMS. With the check read outside the
// write (before this test), B saw nothing held and both pages went out at
// 07:00.
func TestQuietHoldAcrossNodes(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		if eng.Name == "sqlite" {
			return // one node per database file: TestLowUrgencyHeldUntilMorning covers it
		}
		ctx := context.Background()
		opts := eng.Options(t)
		nodeA := storetest.OpenStore(t, opts)
		s := &nightStorm{storm: newStorm(t, storetest.OpenStore(t, opts)), sms: &recorder{}}
		s.clk = clocktest.New(time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC))
		morning := time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC)
		inc := s.incident(hypercare.UrgencyLow)
		first := s.pageUser(inc, "alice", "alice-sms", hypercare.ContactSMS)
		second := s.pageUser(inc, "alice", "alice-sms", hypercare.ContactSMS)

		// Node A, mid-way through holding the first page: its write has
		// decided and not committed.
		decided, commit, doneA := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		release := sync.OnceFunc(func() { close(commit) })
		t.Cleanup(release) // a failing test still lets node A commit, so its store can close
		go func() {
			doneA <- nodeA.Write(ctx, inc.ID, func(tx hypercare.Tx) error {
				if _, err := tx.HeldPages(ctx, inc.ID, "alice", morning); err != nil {
					return err
				}
				held := *first
				held.DueAt = morning
				if err := tx.UpdateNotification(ctx, &held); err != nil {
					return err
				}
				close(decided)
				<-commit
				return nil
			})
		}()
		<-decided
		doneB := make(chan error, 1)
		go func() { _, err := s.engine().RunDue(ctx); doneB <- err }()
		storetest.WaitForNodeLockWaiter(t, opts.DatabaseURL, "held:"+inc.ID+":alice")
		select {
		case err := <-doneB:
			t.Fatalf("node B decided while node A's hold was uncommitted (%v)", err)
		default:
		}
		release()
		if err := <-doneA; err != nil {
			t.Fatal(err)
		}
		if err := <-doneB; err != nil {
			t.Fatal(err)
		}
		if got := s.get(second); got.Status != hypercare.NotificationCancelled {
			t.Errorf("node B's page %s due %v, want cancelled: node A holds one for the same morning", got.Status, got.DueAt)
		}
		if got := s.get(first); got.Status != hypercare.NotificationPending || !got.DueAt.Equal(morning) {
			t.Errorf("node A's page %s due %v, want held until %v", got.Status, got.DueAt, morning)
		}
		if tl := s.timeline(first); strings.Contains(tl, "Low urgency") {
			t.Errorf("node B wrote its own hold to the timeline:\n%s", tl)
		}
		s.clk.Set(morning)
		s.run(s.engine())
		if n := len(s.sms.all()); n != 1 {
			t.Errorf("%d SMS in the morning, want 1", n)
		}
	})
}
