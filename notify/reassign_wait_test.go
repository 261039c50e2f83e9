package notify_test

import (
	"errors"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/storetest"
	"github.com/prometheus/client_golang/prometheus"
)

// A page claimed but not yet sent when its incident is reassigned is not
// sent to the old assignee, whatever it waited for after the claim: a
// channel slot (another page holds the channel's only one), or this
// person's earlier paced send on the channel (a throttle serializes them).
// The reassignment cancelled it; the incident row says nothing of that,
// so the send must read the page's own status. (It read only the incident
// and paged Alice for an incident that was Bob's.)
func TestReassignBeforeSendPagesNotTheOldAssignee(t *testing.T) {
	oneSlot := notify.Policy{Channels: map[hypercare.ContactType]notify.ChannelLimits{hypercare.ContactWebhook: {Concurrency: 1}}}
	throttled := notify.Policy{Throttles: map[hypercare.ContactType]notify.Throttle{hypercare.ContactWebhook: {Max: 10, Per: time.Minute}}}
	for _, tc := range []struct {
		name   string
		policy notify.Policy
	}{
		{"waiting for a slot", oneSlot},
		{"waiting behind a paced send", throttled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
				ch := newHeld(nil)
				r := newReassignment(t, e, ch, tc.policy, 2)
				reg := prometheus.NewRegistry()
				reg.MustRegister(r.eng.Collector())
				done := r.runDue()
				// One page is being sent (held); the other, claimed in
				// the same pass, waits for it.
				sending := r.incidentOf(wait(t, "the first send", ch.started))
				waiting := r.incs[0]
				if waiting == sending {
					waiting = r.incs[1]
				}
				r.reassign(waiting, "bob")
				close(ch.release)
				if err := wait(t, "the pass", done); err != nil {
					t.Fatal(err)
				}
				r.settle()
				if got := ch.count("alice"); got != 1 {
					t.Errorf("alice was paged %d times; want 1 (the incident still hers)", got)
				}
				if got := ch.count("bob"); got != 1 {
					t.Errorf("bob was paged %d times; want 1", got)
				}
				if got := r.alicePage(waiting); got.Status != hypercare.NotificationCancelled {
					t.Errorf("alice's page of the reassigned incident: %s (attempts %d); want cancelled", got.Status, got.Attempts)
				}
				if got := counts(t, reg); got != "webhook/cancelled=1 webhook/sent=2" {
					t.Errorf("hypercare_notifications_total: %s; want webhook/cancelled=1 webhook/sent=2", got)
				}
			})
		})
	}
}

// An attempt in flight when its incident is reassigned, which then fails,
// is counted cancelled, not retry or failed, and logs no delivery failure:
// nothing will retry it, nobody gave up on it (the reassignment did).
func TestReassignDuringSendCountsCancelled(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"transient", errors.New("503 Service Unavailable")},
		{"permanent", notify.Permanent(errors.New("404 Not Found"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
				ch := newHeld(tc.err)
				r := newReassignment(t, e, ch, notify.Policy{}, 1)
				reg := prometheus.NewRegistry()
				reg.MustRegister(r.eng.Collector())
				done := r.runDue()
				wait(t, "the send to alice", ch.started)
				r.reassign(r.incs[0], "bob")
				close(ch.release)
				if err := wait(t, "the pass", done); err != nil {
					t.Fatal(err)
				}
				r.settle() // also: no failure logged
				if got := counts(t, reg); got != "webhook/cancelled=1 webhook/sent=1" {
					t.Errorf("hypercare_notifications_total: %s; want webhook/cancelled=1 webhook/sent=1", got)
				}
			})
		})
	}
}
