package notify_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// held is a channel whose first send waits until the test releases it and
// then ends with err (nil: sent); later sends succeed at once. It counts
// the sends each user got.
type held struct {
	err     error
	started chan string // the first send's notification ID
	release chan struct{}
	mu      sync.Mutex
	first   bool
	got     map[string]int
}

func newHeld(err error) *held {
	return &held{err: err, started: make(chan string, 1), release: make(chan struct{}), first: true, got: map[string]int{}}
}

func (h *held) Send(ctx context.Context, m notify.Message) error {
	h.mu.Lock()
	h.got[m.User.ID]++
	first := h.first
	h.first = false
	h.mu.Unlock()
	if !first {
		return nil
	}
	h.started <- m.Notification.ID
	select {
	case <-h.release:
		return h.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *held) count(user string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.got[user]
}

// reassignment is a store with incidents on service shop paged to alice,
// the delivery engine and the escalation engine that reassigns them.
type reassignment struct {
	t    *testing.T
	st   *store.Store
	clk  *clocktest.Clock
	eng  *notify.Engine
	esc  *escalate.Engine
	incs []*hypercare.Incident
	logs lockedBuffer // the delivery engine's warnings and errors
	// dir and channels are the engine's, for a test that builds its own.
	dir      *escalate.Directory
	channels *notify.Registry
}

// lockedBuffer is a log destination safe for the engine's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newReassignment(t *testing.T, e storetest.Engine, ch notify.Sender, p notify.Policy, incidents int) *reassignment {
	ctx := context.Background()
	r := &reassignment{t: t, st: e.Open(t), clk: clocktest.New(t0)}
	person := func(id string) hypercare.User {
		return hypercare.User{ID: id, Name: strings.ToUpper(id[:1]) + id[1:],
			ContactMethods:    []hypercare.ContactMethod{{ID: id + "-hook", Type: hypercare.ContactWebhook, Address: "https://hooks.example.com/" + id}},
			NotificationRules: []hypercare.NotificationRule{{ContactMethod: id + "-hook"}}}
	}
	shop := hypercare.Service{ID: "shop", Name: "Shop", Active: true}
	d := escalate.NewDirectory([]hypercare.User{person("alice"), person("bob")}, nil, nil, []hypercare.Service{shop}, nil)
	err := r.st.Write(ctx, "x", func(tx hypercare.Tx) error {
		if err := tx.ApplyCatalog(ctx, nil, []hypercare.Service{shop}, nil); err != nil {
			return err
		}
		for i := range incidents {
			inc := &hypercare.Incident{ID: hypercare.NewID(t0), Number: int64(i + 1), Title: "Checkout down",
				Status: hypercare.StatusTriggered, Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityCritical,
				ServiceID: "shop", CreatedAt: t0, UpdatedAt: t0}
			if err := tx.InsertIncident(ctx, inc); err != nil {
				return err
			}
			r.incs = append(r.incs, inc)
			err := tx.InsertNotification(ctx, &hypercare.Notification{ID: hypercare.NewID(t0), IncidentID: inc.ID,
				UserID: "alice", ContactMethod: "alice-hook", Type: hypercare.ContactWebhook, Level: 1, Reason: "test",
				Status: hypercare.NotificationPending, DueAt: t0, CreatedAt: t0})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	channels := notify.NewRegistry()
	channels.Register(hypercare.ContactWebhook, ch)
	r.dir, r.channels = d, channels
	r.eng = notify.NewEngine(r.st, r.clk, channels, func() notify.Directory { return d },
		slog.New(slog.NewTextHandler(&r.logs, &slog.HandlerOptions{Level: slog.LevelWarn})))
	r.eng.SetPolicy(p)
	r.esc = escalate.New(r.st, r.clk, d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return r
}

// runDue starts a delivery pass; the returned channel gets its error.
func (r *reassignment) runDue() <-chan error {
	done := make(chan error, 1)
	go func() { _, err := r.eng.RunDue(context.Background()); done <- err }()
	return done
}

// incidentOf returns the incident notification id pages for.
func (r *reassignment) incidentOf(id string) *hypercare.Incident {
	r.t.Helper()
	for _, inc := range r.incs {
		list, err := r.st.ListNotifications(context.Background(), inc.ID)
		if err != nil {
			r.t.Fatal(err)
		}
		for _, n := range list {
			if n.ID == id {
				return inc
			}
		}
	}
	r.t.Fatalf("no incident has page %s", id)
	return nil
}

func (r *reassignment) reassign(inc *hypercare.Incident, to string) {
	r.t.Helper()
	actor := hypercare.Actor{Type: hypercare.ActorUser, ID: "carol", Name: "Carol"}
	if err := r.esc.Reassign(context.Background(), inc, to, actor); err != nil {
		r.t.Fatal(err)
	}
}

// settle lets an hour of retries pass, delivering whatever falls due,
// and checks that delivery logged no error and no delivery failure: a
// page cancelled in flight is an outcome, neither a failure to record one
// nor a page that will be retried or was given up on.
func (r *reassignment) settle() {
	r.t.Helper()
	for range 10 {
		r.clk.Advance(6 * time.Minute)
		if _, err := r.eng.RunDue(context.Background()); err != nil {
			r.t.Fatal(err)
		}
	}
	if logs := r.logs.String(); logs != "" {
		r.t.Errorf("delivery logged errors or failures:\n%s", logs)
	}
}

// alicePage returns inc's page to alice.
func (r *reassignment) alicePage(inc *hypercare.Incident) hypercare.Notification {
	r.t.Helper()
	list, err := r.st.ListNotifications(context.Background(), inc.ID)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, n := range list {
		if n.UserID == "alice" {
			return n
		}
	}
	r.t.Fatalf("incident %d has no page to alice: %+v", inc.Number, list)
	return hypercare.Notification{}
}

func wait[T any](t *testing.T, what string, c <-chan T) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// An incident reassigned while its page to the old assignee is being sent
// is not paged to them again when that attempt fails transiently: the
// reassignment cancelled the page, and a retry must not bring it back.
// (It did: the outcome's write set the page pending again, the
// reassignment's cancel having skipped it as in flight, and the retry
// paged Alice for an incident that was Bob's.)
func TestReassignDuringSendRetriesNotTheOldAssignee(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		ch := newHeld(errors.New("503 Service Unavailable"))
		r := newReassignment(t, e, ch, notify.Policy{}, 1)
		done := r.runDue()
		wait(t, "the send to alice", ch.started)
		r.reassign(r.incs[0], "bob")
		close(ch.release) // the send to alice fails transiently
		if err := wait(t, "the pass", done); err != nil {
			t.Fatal(err)
		}
		r.settle()
		if got := ch.count("alice"); got != 1 {
			t.Errorf("alice was paged %d times; want 1 (the attempt in flight when the incident became bob's)", got)
		}
		if got := ch.count("bob"); got != 1 {
			t.Errorf("bob was paged %d times; want 1", got)
		}
		if got := r.alicePage(r.incs[0]); got.Status != hypercare.NotificationCancelled {
			t.Errorf("alice's page after the reassignment: %s (attempts %d, %q); want cancelled", got.Status, got.Attempts, got.LastError)
		}
	})
}

// A page handed back unsent (its lease ran out while it waited for a
// channel slot) after its incident was reassigned stays cancelled.
func TestReassignDuringSlotWaitHandsNothingBack(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		ch := newHeld(nil)
		one := notify.Policy{Channels: map[hypercare.ContactType]notify.ChannelLimits{hypercare.ContactWebhook: {Concurrency: 1}}}
		r := newReassignment(t, e, ch, one, 2)
		done := r.runDue()
		// One page holds the webhook channel's one slot; the other waits.
		sending := r.incidentOf(wait(t, "the first send", ch.started))
		waiting := r.incs[0]
		if waiting == sending {
			waiting = r.incs[1]
		}
		r.reassign(waiting, "bob")
		r.clk.Advance(notify.Lease) // the waiting page's lease runs out: handed back
		close(ch.release)
		if err := wait(t, "the pass", done); err != nil {
			t.Fatal(err)
		}
		r.settle()
		if got := ch.count("alice"); got != 1 {
			t.Errorf("alice was paged %d times; want 1 (the incident still hers)", got)
		}
		if got := r.alicePage(waiting); got.Status != hypercare.NotificationCancelled {
			t.Errorf("alice's page of the reassigned incident: %s (attempts %d); want cancelled", got.Status, got.Attempts)
		}
	})
}

// The other outcomes of an attempt in flight when its incident was
// reassigned: a permanent failure leaves the page cancelled, with no
// "failed" entry on the timeline (nobody is to be paged there any more);
// a send that went out is recorded as sent, with its entry, because Alice
// did get the page and the record must not hide it.
func TestReassignDuringSendOtherOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name       string
		err        error
		status     string
		entry      string // expected on the timeline, or absent when !has
		has        bool
		alicePages int
	}{
		{"failed", notify.Permanent(errors.New("404 Not Found")), hypercare.NotificationCancelled, "Page to Alice", false, 1},
		{"sent", nil, hypercare.NotificationSent, "Paged Alice via alice-hook (webhook)", true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
				ch := newHeld(tc.err)
				r := newReassignment(t, e, ch, notify.Policy{}, 1)
				done := r.runDue()
				wait(t, "the send to alice", ch.started)
				r.reassign(r.incs[0], "bob")
				close(ch.release)
				if err := wait(t, "the pass", done); err != nil {
					t.Fatal(err)
				}
				r.settle()
				if got := ch.count("alice"); got != tc.alicePages {
					t.Errorf("alice was paged %d times; want %d", got, tc.alicePages)
				}
				got := r.alicePage(r.incs[0])
				if got.Status != tc.status {
					t.Errorf("alice's page: %s (%q); want %s", got.Status, got.LastError, tc.status)
				}
				if tc.status == hypercare.NotificationSent && got.SentAt == nil {
					t.Error("alice's page is sent without a time")
				}
				if tl := r.timeline(r.incs[0]); strings.Contains(tl, tc.entry) != tc.has {
					t.Errorf("timeline has %q: %v, want %v:\n%s", tc.entry, !tc.has, tc.has, tl)
				}
			})
		})
	}
}

// timeline returns the messages on inc's timeline, one a line.
func (r *reassignment) timeline(inc *hypercare.Incident) string {
	r.t.Helper()
	entries, _, err := r.st.ListTimeline(context.Background(), inc.ID, hypercare.Page{Limit: 100})
	if err != nil {
		r.t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		b.WriteString(e.Message + "\n")
	}
	return b.String()
}
