package notify_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// recorder is a channel that accepts every message and keeps it.
type recorder struct {
	mu   sync.Mutex
	msgs []notify.Message
	sent chan string // notification IDs, when not nil
}

func (r *recorder) Send(_ context.Context, m notify.Message) error {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
	if r.sent != nil {
		r.sent <- m.Notification.ID
	}
	return nil
}

func (r *recorder) all() []notify.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]notify.Message(nil), r.msgs...)
}

// hung is a provider that accepts the connection and never answers: Send
// returns only when its context ends or the test lets it go.
type hung struct {
	started chan string
	release chan struct{}
}

func (h *hung) Send(ctx context.Context, m notify.Message) error {
	h.started <- m.Notification.ID
	select {
	case <-h.release:
		return nil
	default:
	}
	select {
	case <-h.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// alice has an sms, an email and a webhook contact method.
var alice = dir{"alice": {ID: "alice", Name: "Alice", ContactMethods: []hypercare.ContactMethod{
	{ID: "alice-sms", Type: hypercare.ContactSMS, Address: "+447700900001"},
	{ID: "alice-mail", Type: hypercare.ContactEmail, Address: "alice@example.com"},
	{ID: "alice-hook", Type: hypercare.ContactWebhook, Address: "https://hooks.example.com/alice"}}}}

// storm stores a service and adds incidents with one page each.
type storm struct {
	t   *testing.T
	st  *store.Store
	clk *clocktest.Clock
	n   int64
}

func newStorm(t *testing.T, st *store.Store) *storm {
	ctx := context.Background()
	err := st.Write(ctx, "x", func(tx hypercare.Tx) error {
		return tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: "shop", Name: "Checkout", Active: true}}, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	return &storm{t: t, st: st, clk: clocktest.New(t0)}
}

// page opens an incident now and pages alice via contact method cm.
func (s *storm) page(cm string, typ hypercare.ContactType) *hypercare.Notification {
	ctx, now := context.Background(), s.clk.Now()
	s.n++
	inc := &hypercare.Incident{ID: hypercare.NewID(now), Number: s.n, Title: "Checkout down", Status: hypercare.StatusTriggered,
		Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityCritical, ServiceID: "shop", CreatedAt: now, UpdatedAt: now}
	n := &hypercare.Notification{ID: hypercare.NewID(now), IncidentID: inc.ID, UserID: "alice", ContactMethod: cm,
		Type: typ, Level: 1, Reason: "test", Status: hypercare.NotificationPending, DueAt: now, CreatedAt: now}
	err := s.st.Write(ctx, "x", func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, inc); err != nil {
			return err
		}
		return tx.InsertNotification(ctx, n)
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

func (s *storm) engine(channels *notify.Registry, p notify.Policy) *notify.Engine {
	e := notify.NewEngine(s.st, s.clk, channels, func() notify.Directory { return alice }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	e.SetPolicy(p)
	return e
}

func (s *storm) run(e *notify.Engine) {
	s.t.Helper()
	if _, err := e.RunDue(context.Background()); err != nil {
		s.t.Fatal(err)
	}
}

// timeline returns the messages on n's incident's timeline.
func (s *storm) timeline(n *hypercare.Notification) string {
	s.t.Helper()
	entries, _, err := s.st.ListTimeline(context.Background(), n.IncidentID, hypercare.Page{Limit: 100})
	if err != nil {
		s.t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		b.WriteString(e.Message + "\n")
	}
	return b.String()
}

func (s *storm) get(n *hypercare.Notification) hypercare.Notification {
	s.t.Helper()
	list, err := s.st.ListNotifications(context.Background(), n.IncidentID)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, got := range list {
		if got.ID == n.ID {
			return got
		}
	}
	s.t.Fatalf("notification %s not found", n.ID)
	return hypercare.Notification{}
}

// A hung e-mail relay fills the e-mail channel's one slot; the webhook
// page behind it is delivered while the relay still hangs, and a second
// e-mail page waits for its own channel's slot, not the webhook's.
func TestHungProviderBlocksOnlyItsChannel(t *testing.T) {
	s := newStorm(t, storetest.Engines(t)[0].Open(t))
	smtp := &hung{started: make(chan string, 2), release: make(chan struct{})}
	hooks := &recorder{sent: make(chan string, 1)}
	channels := notify.NewRegistry()
	channels.Register(hypercare.ContactEmail, smtp)
	channels.Register(hypercare.ContactWebhook, hooks)
	mail1 := s.page("alice-mail", hypercare.ContactEmail)
	mail2 := s.page("alice-mail", hypercare.ContactEmail)
	hook := s.page("alice-hook", hypercare.ContactWebhook)
	e := s.engine(channels, notify.Policy{Channels: map[hypercare.ContactType]notify.ChannelLimits{
		hypercare.ContactEmail: {Concurrency: 1, Timeout: time.Minute}}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.Run(ctx) }()

	first := <-smtp.started
	if got := <-hooks.sent; got != hook.ID {
		t.Fatalf("webhook sent %s, want %s", got, hook.ID)
	}
	select {
	case id := <-smtp.started:
		t.Fatalf("second e-mail %s started while the first held the only e-mail slot", id)
	default:
	}
	close(smtp.release) // the relay answers: the second e-mail goes too
	second := <-smtp.started
	if first == second || (first != mail1.ID && first != mail2.ID) || (second != mail1.ID && second != mail2.ID) {
		t.Fatalf("e-mails sent: %s, %s", first, second)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, n := range []*hypercare.Notification{mail1, mail2, hook} {
		if got := s.get(n); got.Status != hypercare.NotificationSent {
			t.Errorf("%s: %s", n.ContactMethod, got.Status)
		}
	}
}

// A throttle of one SMS per minute delays the second SMS to Alice 40 s
// (durably: its due time moves, the attempt is not counted) and says so
// on its incident; a new engine on the same store (a restart) sends it
// when the minute is up, not before.
func TestThrottleDelaysAndSaysSo(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		s := newStorm(t, eng.Open(t))
		sms := &recorder{}
		channels := notify.NewRegistry()
		channels.Register(hypercare.ContactSMS, sms)
		p := notify.Policy{Throttles: map[hypercare.ContactType]notify.Throttle{hypercare.ContactSMS: {Max: 1, Per: time.Minute}}}
		s.page("alice-sms", hypercare.ContactSMS)
		s.run(s.engine(channels, p))
		s.clk.Advance(20 * time.Second)
		second := s.page("alice-sms", hypercare.ContactSMS)
		s.run(s.engine(channels, p))
		got := s.get(second)
		if got.Status != hypercare.NotificationPending || got.Attempts != 0 || !got.DueAt.Equal(t0.Add(time.Minute)) || len(sms.all()) != 1 {
			t.Fatalf("throttled page: %+v, %d sent", got, len(sms.all()))
		}
		if tl := s.timeline(second); !strings.Contains(tl, "SMS to Alice delayed until ~08:01:00 UTC (40 s) by the sms throttle (1 per minute)") {
			t.Fatalf("timeline: %s", tl)
		}
		s.clk.Advance(39 * time.Second)
		restarted := s.engine(channels, p)
		s.run(restarted)
		if len(sms.all()) != 1 {
			t.Fatal("throttled page sent early")
		}
		s.clk.Advance(time.Second)
		s.run(restarted)
		if got := s.get(second); got.Status != hypercare.NotificationSent || got.Attempts != 1 || len(sms.all()) != 2 {
			t.Fatalf("after the throttle: %+v, %d sent", got, len(sms.all()))
		}
	})
}

// With a digest after 2 pages in 10 minutes, Alice's third to fifth SMS
// are held; when the window ends one digest lists the three incidents
// with a link each, every incident's timeline says so, and two engines
// (two nodes) running at that moment send it exactly once.
func TestDigestReplacesAFlood(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		s := newStorm(t, eng.Open(t))
		sms := &recorder{}
		channels := notify.NewRegistry()
		channels.Register(hypercare.ContactSMS, sms)
		p := notify.Policy{Digest: notify.DigestPolicy{MaxPages: 2, Per: 10 * time.Minute}}
		a, b := s.engine(channels, p), s.engine(channels, p)
		var held []*hypercare.Notification
		for i := range 5 {
			n := s.page("alice-sms", hypercare.ContactSMS)
			s.run(a)
			if i >= 2 {
				held = append(held, n)
			}
			s.clk.Advance(time.Minute)
		}
		if got := len(sms.all()); got != 2 {
			t.Fatalf("%d pages sent before the window ended, want 2", got)
		}
		for _, n := range held {
			if got := s.get(n); got.Kind != hypercare.NotificationHeld || !got.DueAt.Equal(t0.Add(10*time.Minute)) {
				t.Fatalf("held page: %+v", got)
			}
		}
		if tl := s.timeline(held[0]); !strings.Contains(tl, "SMS to Alice held for a digest: Alice was sent 2 per 10 minutes on sms; the digest goes in 8 min") {
			t.Fatalf("timeline: %s", tl)
		}
		s.clk.Set(t0.Add(10 * time.Minute))
		var wg sync.WaitGroup
		for _, e := range []*notify.Engine{a, b, a, b} {
			wg.Add(1)
			go func() { defer wg.Done(); _, _ = e.RunDue(context.Background()) }()
		}
		wg.Wait()
		s.run(a) // sends the digest if the racing passes only made it
		s.clk.Advance(time.Hour)
		s.run(b)
		msgs := sms.all()
		if len(msgs) != 3 || msgs[2].Digest == nil {
			t.Fatalf("sent %d messages, want 2 pages and 1 digest: %+v", len(msgs), msgs)
		}
		d := msgs[2].Digest
		if d.Summary != "3 new incidents on Checkout, 3 high urgency" || len(d.Items) != 3 ||
			d.Items[0].Number != 3 || d.Items[2].Number != 5 {
			t.Fatalf("digest: %+v", d)
		}
		for _, n := range held {
			got := s.get(n)
			if got.Status != hypercare.NotificationDigested || got.DigestID != msgs[2].Notification.ID {
				t.Fatalf("digested page: %+v", got)
			}
			if tl := s.timeline(n); strings.Count(tl, "Included in digest to Alice via alice-sms (sms) with 2 other page(s)") != 1 {
				t.Fatalf("timeline: %s", tl)
			}
		}
	})
}

// A provider that never answers is cut off at its channel's attempt
// timeout and the page is retried with backoff, like any transient
// failure; after the last attempt the failure is on the incident.
func TestAttemptTimeoutRetriesThenFails(t *testing.T) {
	s := newStorm(t, storetest.Engines(t)[0].Open(t))
	smtp := &hung{started: make(chan string, notify.MaxAttempts), release: make(chan struct{})}
	channels := notify.NewRegistry()
	channels.Register(hypercare.ContactEmail, smtp)
	n := s.page("alice-mail", hypercare.ContactEmail)
	e := s.engine(channels, notify.Policy{Channels: map[hypercare.ContactType]notify.ChannelLimits{
		hypercare.ContactEmail: {Timeout: time.Millisecond}}})
	s.run(e)
	if got := s.get(n); got.Status != hypercare.NotificationPending || got.Attempts != 1 || got.LastError == "" {
		t.Fatalf("after a timed-out attempt: %+v", got)
	}
	for range notify.MaxAttempts {
		s.clk.Advance(10 * time.Minute)
		s.run(e)
	}
	if got := s.get(n); got.Status != hypercare.NotificationFailed || got.Attempts != notify.MaxAttempts {
		t.Fatalf("after every attempt timed out: %+v", got)
	}
	if tl := s.timeline(n); !strings.Contains(tl, "Page to Alice via alice-mail (email) failed after 8 attempt(s)") {
		t.Fatalf("timeline: %s", tl)
	}
}

// gate is a provider that holds every send until want sends are running
// at once, so a test can see that pages are not sent one at a time.
type gate struct {
	mu      sync.Mutex
	running int
	want    int
	all     chan struct{} // closed when want sends ran at once
}

func (g *gate) Send(ctx context.Context, _ notify.Message) error {
	g.mu.Lock()
	g.running++
	if g.running == g.want {
		close(g.all)
	}
	g.mu.Unlock()
	select {
	case <-g.all:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Quiet hours (on by default) hold low-urgency pages only, so they must
// not serialise a storm's high-urgency pages to one person on one channel:
// the pages of one claim are all in flight at once. (Before, every page to
// Alice's webhook waited for the previous one's send and commit: at 500
// new incidents/s the first page fell seconds behind.)
func TestQuietHoursDoNotSerialisePages(t *testing.T) {
	s := newStorm(t, storetest.Engines(t)[0].Open(t))
	const n = 8
	g := &gate{want: n, all: make(chan struct{})}
	channels := notify.NewRegistry()
	channels.Register(hypercare.ContactWebhook, g)
	var pages []*hypercare.Notification
	for range n {
		pages = append(pages, s.page("alice-hook", hypercare.ContactWebhook))
	}
	quiet := &hypercare.QuietHours{Start: 22 * time.Hour, End: 7 * time.Hour, Zone: time.UTC}
	e := s.engine(channels, notify.Policy{Quiet: quiet, Channels: map[hypercare.ContactType]notify.ChannelLimits{
		hypercare.ContactWebhook: {Concurrency: n, Timeout: 5 * time.Second}}})
	s.run(e) // a serialised pass would time out: no send returns before all n run
	for _, p := range pages {
		if got := s.get(p); got.Status != hypercare.NotificationSent {
			t.Fatalf("page %s: %s (%s); the sends did not run at once", p.ID, got.Status, got.LastError)
		}
	}
}
