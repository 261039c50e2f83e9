package notify_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/storetest"
	"github.com/prometheus/client_golang/prometheus"
)

// hookStore is a store that runs hook once, the first time the attempt
// reads what the hook is set on (the pacing count, or a service's name),
// so a test can land a cancel exactly between the attempt's read of its
// page and its send.
type hookStore struct {
	hypercare.Store
	once          sync.Once
	onRecentSends func()
	onGetService  func()
}

func (h *hookStore) RecentSends(ctx context.Context, userID string, t hypercare.ContactType, since time.Time) ([]time.Time, error) {
	if h.onRecentSends != nil {
		h.once.Do(h.onRecentSends)
	}
	return h.Store.RecentSends(ctx, userID, t, since)
}

func (h *hookStore) GetService(ctx context.Context, id string) (*hypercare.Service, error) {
	if h.onGetService != nil {
		h.once.Do(h.onGetService)
	}
	return h.Store.GetService(ctx, id)
}

// userOnly is a directory that knows people but not service names, so
// the message reads its service's name from the store.
type userOnly struct{ d notify.Directory }

func (u userOnly) User(id string) (hypercare.User, bool) { return u.d.User(id) }

// A page whose incident is reassigned after the attempt read the page's
// status but before its send is not sent: whatever the attempt read from
// the store after that status (this person's recent sends for a throttle,
// the service's name for the message), the page's status is looked at
// again as the last thing before the send. (It was not: the cancel landed
// in the pacing read and Alice was paged for an incident that was Bob's.)
func TestCancelBetweenReadAndSendIsNotSent(t *testing.T) {
	throttled := notify.Policy{Throttles: map[hypercare.ContactType]notify.Throttle{hypercare.ContactWebhook: {Max: 10, Per: time.Minute}}}
	for _, tc := range []struct {
		name   string
		policy notify.Policy
		hook   func(h *hookStore, f func())
		dir    bool // hide service names from the directory
	}{
		{"during the pacing read", throttled, func(h *hookStore, f func()) { h.onRecentSends = f }, false},
		{"during the service name read", notify.Policy{}, func(h *hookStore, f func()) { h.onGetService = f }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
				ch := newHeld(nil)
				close(ch.release)
				r := newReassignment(t, e, ch, tc.policy, 1)
				h := &hookStore{Store: r.st}
				tc.hook(h, func() { r.reassign(r.incs[0], "bob") })
				d := r.dir
				dir := func() notify.Directory { return d }
				if tc.dir {
					dir = func() notify.Directory { return userOnly{d} }
				}
				r.eng = notify.NewEngine(h, r.clk, r.channels, dir,
					slog.New(slog.NewTextHandler(&r.logs, &slog.HandlerOptions{Level: slog.LevelWarn})))
				r.eng.SetPolicy(tc.policy)
				reg := prometheus.NewRegistry()
				reg.MustRegister(r.eng.Collector())
				if _, err := r.eng.RunDue(context.Background()); err != nil {
					t.Fatal(err)
				}
				r.settle()
				if got := ch.count("alice"); got != 0 {
					t.Errorf("alice was paged %d times; want 0 (the incident became bob's before the send)", got)
				}
				if got := ch.count("bob"); got != 1 {
					t.Errorf("bob was paged %d times; want 1", got)
				}
				if got := r.alicePage(r.incs[0]); got.Status != hypercare.NotificationCancelled {
					t.Errorf("alice's page: %s (attempts %d); want cancelled", got.Status, got.Attempts)
				}
				if got := counts(t, reg); got != "webhook/cancelled=1 webhook/sent=1" {
					t.Errorf("hypercare_notifications_total: %s; want webhook/cancelled=1 webhook/sent=1", got)
				}
			})
		})
	}
}
