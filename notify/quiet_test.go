package notify_test

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/storetest"
)

// night has Alice in London, Bob in New York and Zed with no time zone.
var night = dir{
	"alice": {ID: "alice", Name: "Alice", TimeZone: "Europe/London", ContactMethods: []hypercare.ContactMethod{
		{ID: "alice-sms", Type: hypercare.ContactSMS, Address: "+447700900001"},
		{ID: "alice-mail", Type: hypercare.ContactEmail, Address: "alice@example.com"}}},
	"bob": {ID: "bob", Name: "Bob", TimeZone: "America/New_York", ContactMethods: []hypercare.ContactMethod{
		{ID: "bob-sms", Type: hypercare.ContactSMS, Address: "+15005550001"}}},
	"zed": {ID: "zed", Name: "Zed", ContactMethods: []hypercare.ContactMethod{
		{ID: "zed-sms", Type: hypercare.ContactSMS, Address: "+15005550002"}}},
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// quietPolicy is the default: 22:00-07:00, UTC for users without a zone.
var quietPolicy = notify.Policy{Quiet: &hypercare.QuietHours{Start: 22 * time.Hour, End: 7 * time.Hour, Zone: time.UTC}}

// nightStorm is a storm at now whose engines page the night directory.
type nightStorm struct {
	*storm
	sms *recorder
}

func newNightStorm(t *testing.T, eng storetest.Engine, now time.Time) *nightStorm {
	s := newStorm(t, eng.Open(t))
	s.clk = clocktest.New(now)
	return &nightStorm{storm: s, sms: &recorder{}}
}

func (s *nightStorm) engine() *notify.Engine {
	channels := notify.NewRegistry()
	channels.Register(hypercare.ContactSMS, s.sms)
	channels.Register(hypercare.ContactEmail, s.sms)
	e := notify.NewEngine(s.st, s.clk, channels, func() notify.Directory { return night }, discard())
	e.SetPolicy(quietPolicy)
	return e
}

// incident opens an incident of urgency u now.
func (s *nightStorm) incident(u hypercare.Urgency) *hypercare.Incident {
	ctx, now := context.Background(), s.clk.Now()
	s.n++
	inc := &hypercare.Incident{ID: hypercare.NewID(now), Number: s.n, Title: "Disk filling", Status: hypercare.StatusTriggered,
		Urgency: u, Severity: hypercare.SeverityWarning, ServiceID: "shop", CreatedAt: now, UpdatedAt: now}
	if err := s.st.Write(ctx, "x", func(tx hypercare.Tx) error { return tx.InsertIncident(ctx, inc) }); err != nil {
		s.t.Fatal(err)
	}
	return inc
}

// pageUser adds a page of inc to user via cm, due now.
func (s *nightStorm) pageUser(inc *hypercare.Incident, user, cm string, typ hypercare.ContactType) *hypercare.Notification {
	ctx, now := context.Background(), s.clk.Now()
	s.n++
	n := &hypercare.Notification{ID: hypercare.NewID(now), IncidentID: inc.ID, UserID: user, ContactMethod: cm,
		Type: typ, Level: 1, Step: int(s.n), Reason: "test", Status: hypercare.NotificationPending, DueAt: now, CreatedAt: now}
	if err := s.st.Write(ctx, "x", func(tx hypercare.Tx) error { return tx.InsertNotification(ctx, n) }); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// A low-urgency SMS to Alice at 23:00 London is held, durably, until 07:00
// London and says so; a repeat page of the same incident in the night is
// not sent twice; a restarted engine sends it at 07:00 exactly once.
func TestLowUrgencyHeldUntilMorning(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		s := newNightStorm(t, eng, time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC))
		inc := s.incident(hypercare.UrgencyLow)
		first := s.pageUser(inc, "alice", "alice-sms", hypercare.ContactSMS)
		mail := s.pageUser(inc, "alice", "alice-mail", hypercare.ContactEmail)
		s.run(s.engine())
		morning := time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC)
		if got := s.get(first); got.Status != hypercare.NotificationPending || got.Attempts != 0 || !got.DueAt.Equal(morning) {
			t.Fatalf("held page: %+v", got)
		}
		if len(s.sms.all()) != 0 {
			t.Fatal("a low-urgency page went out at night")
		}
		tl := s.timeline(first)
		if !strings.Contains(tl, "Low urgency: page to Alice held until 07:00 Europe/London (quiet hours)") ||
			strings.Count(tl, "Low urgency") != 1 {
			t.Fatalf("timeline: %s", tl)
		}
		s.clk.Advance(30 * time.Minute) // the policy repeats: Alice is paged again
		again := s.pageUser(inc, "alice", "alice-sms", hypercare.ContactSMS)
		s.run(s.engine())
		if got := s.get(again); got.Status != hypercare.NotificationCancelled {
			t.Fatalf("second night page of the same incident: %+v", got)
		}
		s.clk.Set(morning.Add(-time.Second))
		s.run(s.engine())
		if len(s.sms.all()) != 0 {
			t.Fatal("sent before the quiet hours ended")
		}
		s.clk.Set(morning)
		restarted := s.engine()
		s.run(restarted)
		s.run(restarted)
		if got := s.get(first); got.Status != hypercare.NotificationSent || got.Attempts != 1 || !got.SentAt.Equal(morning) {
			t.Fatalf("morning: %+v", got)
		}
		if got := s.get(mail); got.Status != hypercare.NotificationSent {
			t.Fatalf("the e-mail page in the morning: %+v", got)
		}
		if n := len(s.sms.all()); n != 2 {
			t.Fatalf("%d pages in the morning, want the SMS and the e-mail once each", n)
		}
	})
}

// A held page whose incident is acknowledged (or resolved) in the night
// is cancelled in the morning, never sent.
func TestLowUrgencyAckedInTheNightNeverPages(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		s := newNightStorm(t, eng, time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC))
		acked, resolved := s.incident(hypercare.UrgencyLow), s.incident(hypercare.UrgencyLow)
		a := s.pageUser(acked, "alice", "alice-sms", hypercare.ContactSMS)
		r := s.pageUser(resolved, "alice", "alice-mail", hypercare.ContactEmail)
		s.run(s.engine())
		s.clk.Advance(2 * time.Hour)
		ctx, now := context.Background(), s.clk.Now()
		acked.Status, acked.AcknowledgedAt, acked.UpdatedAt = hypercare.StatusAcknowledged, &now, now
		resolved.Status, resolved.ResolvedAt, resolved.UpdatedAt = hypercare.StatusResolved, &now, now
		if err := s.st.Write(ctx, "x", func(tx hypercare.Tx) error {
			if err := tx.UpdateIncident(ctx, acked); err != nil {
				return err
			}
			return tx.UpdateIncident(ctx, resolved)
		}); err != nil {
			t.Fatal(err)
		}
		s.clk.Set(time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC))
		s.run(s.engine())
		for _, n := range []*hypercare.Notification{a, r} {
			if got := s.get(n); got.Status != hypercare.NotificationCancelled {
				t.Fatalf("page of a closed incident: %+v", got)
			}
		}
		if len(s.sms.all()) != 0 {
			t.Fatal("a page of an acknowledged or resolved incident went out")
		}
	})
}

// High urgency pages at once, at night too; low urgency in the day too.
func TestHighUrgencyPagesAtNight(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		s := newNightStorm(t, eng, time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC))
		high := s.pageUser(s.incident(hypercare.UrgencyHigh), "alice", "alice-sms", hypercare.ContactSMS)
		s.run(s.engine())
		if got := s.get(high); got.Status != hypercare.NotificationSent || len(s.sms.all()) != 1 {
			t.Fatalf("high urgency at 23:00: %+v", got)
		}
		s.clk.Set(time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC))
		low := s.pageUser(s.incident(hypercare.UrgencyLow), "alice", "alice-sms", hypercare.ContactSMS)
		s.run(s.engine())
		if got := s.get(low); got.Status != hypercare.NotificationSent {
			t.Fatalf("low urgency at 07:00: %+v", got)
		}
	})
}

// Night is read on each user's own clock: 23:00 in London is 18:00 for
// Bob in New York (paged now) and 23:00 UTC for Zed, who has no zone
// (held by the policy's zone). Bob's own night holds him until 07:00 New
// York.
func TestLowUrgencyNightIsTheUsersOwn(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		s := newNightStorm(t, eng, time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC))
		inc := s.incident(hypercare.UrgencyLow)
		bob := s.pageUser(inc, "bob", "bob-sms", hypercare.ContactSMS)
		zed := s.pageUser(inc, "zed", "zed-sms", hypercare.ContactSMS)
		s.run(s.engine())
		if got := s.get(bob); got.Status != hypercare.NotificationSent {
			t.Fatalf("Bob at 18:00 New York: %+v", got)
		}
		if got := s.get(zed); got.Status != hypercare.NotificationPending || !got.DueAt.Equal(time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC)) {
			t.Fatalf("Zed at 23:00 UTC: %+v", got)
		}
		s.clk.Set(time.Date(2026, 11, 28, 4, 0, 0, 0, time.UTC)) // 23:00 in New York
		late := s.pageUser(s.incident(hypercare.UrgencyLow), "bob", "bob-sms", hypercare.ContactSMS)
		s.run(s.engine())
		ny := mustZone(t, "America/New_York")
		if got := s.get(late); got.Status != hypercare.NotificationPending || !got.DueAt.Equal(time.Date(2026, 11, 28, 7, 0, 0, 0, ny)) {
			t.Fatalf("Bob at 23:00 New York: %+v", got)
		}
		if tl := s.timeline(late); !strings.Contains(tl, "Low urgency: page to Bob held until 07:00 America/New_York (quiet hours)") {
			t.Fatalf("timeline: %s", tl)
		}
	})
}

// On the nights clocks change the page still waits for 07:00 on the
// wall clock: 06:00 UTC when London springs forward, 12:00 UTC when New
// York falls back.
func TestLowUrgencyDSTMorning(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		s := newNightStorm(t, eng, time.Date(2027, 3, 27, 23, 0, 0, 0, time.UTC))
		alice := s.pageUser(s.incident(hypercare.UrgencyLow), "alice", "alice-sms", hypercare.ContactSMS)
		s.run(s.engine())
		if got := s.get(alice); !got.DueAt.Equal(time.Date(2027, 3, 28, 6, 0, 0, 0, time.UTC)) {
			t.Fatalf("London spring forward: due %s", got.DueAt.UTC())
		}
		s.clk.Set(time.Date(2027, 3, 28, 5, 59, 59, 0, time.UTC))
		s.run(s.engine())
		if len(s.sms.all()) != 0 {
			t.Fatal("sent before 07:00 BST")
		}
		s.clk.Set(time.Date(2027, 3, 28, 6, 0, 0, 0, time.UTC))
		s.run(s.engine())
		if len(s.sms.all()) != 1 {
			t.Fatal("not sent at 07:00 BST")
		}
		s.clk.Set(time.Date(2027, 11, 7, 3, 0, 0, 0, time.UTC)) // 23:00 EDT, the night New York falls back
		bob := s.pageUser(s.incident(hypercare.UrgencyLow), "bob", "bob-sms", hypercare.ContactSMS)
		s.run(s.engine())
		if got := s.get(bob); !got.DueAt.Equal(time.Date(2027, 11, 7, 12, 0, 0, 0, time.UTC)) {
			t.Fatalf("New York fall back: due %s", got.DueAt.UTC())
		}
	})
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// A night storm of low-urgency pages to Alice is held without taking the
// SMS channel's send slots: while a high-urgency page to Zed holds the
// only slot (a hung provider), every one of Alice's pages is put off
// until 07:00 London. (Holding them inside the slot, one after another,
// filled the channel with pages that were never going to be sent.)
func TestQuietHoldTakesNoSendSlot(t *testing.T) {
	s := newNightStorm(t, storetest.Engines(t)[0], time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC))
	zed := s.pageUser(s.incident(hypercare.UrgencyHigh), "zed", "zed-sms", hypercare.ContactSMS)
	var alice []*hypercare.Notification
	for range 3 {
		alice = append(alice, s.pageUser(s.incident(hypercare.UrgencyLow), "alice", "alice-sms", hypercare.ContactSMS))
	}
	smsc := &hung{started: make(chan string, 4), release: make(chan struct{})}
	channels := notify.NewRegistry()
	channels.Register(hypercare.ContactSMS, smsc)
	e := notify.NewEngine(s.st, s.clk, channels, func() notify.Directory { return night }, discard())
	policy := quietPolicy
	policy.Channels = map[hypercare.ContactType]notify.ChannelLimits{hypercare.ContactSMS: {Concurrency: 1, Timeout: time.Minute}}
	e.SetPolicy(policy)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.Run(ctx) }()
	if got := <-smsc.started; got != zed.ID {
		t.Fatalf("the SMS slot went to %s, want Zed's high-urgency page", got)
	}
	morning := time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC)
	for _, n := range alice {
		for i := 0; ; i++ {
			got := s.get(n)
			if got.Status == hypercare.NotificationPending && got.DueAt.Equal(morning) {
				break
			}
			if i == 100000 {
				t.Fatalf("Alice's low-urgency page %s not held while the only SMS slot was busy: %+v", n.ID, got)
			}
			runtime.Gosched()
		}
	}
	close(smsc.release)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := s.get(zed); got.Status != hypercare.NotificationSent {
		t.Fatalf("Zed's page: %+v", got)
	}
}
