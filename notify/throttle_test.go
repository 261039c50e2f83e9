package notify_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/storetest"
)

// smsThrottle is one SMS per user per minute.
var smsThrottle = notify.Policy{Throttles: map[hypercare.ContactType]notify.Throttle{
	hypercare.ContactSMS: {Max: 1, Per: time.Minute}}}

// Five SMS pages to Alice at once under a one-per-minute throttle go out
// in the order they were made, a minute apart, and each incident's
// timeline says once that its page waits and until when, not once per
// place the page lost. Two nodes run every pass, and both restart after
// the second send: nothing changes.
func TestThrottleQueueSaysOncePerPage(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		st := eng.Open(t)
		s := newStorm(t, st)
		sms := &recorder{}
		channels := notify.NewRegistry()
		channels.Register(hypercare.ContactSMS, sms)
		var pages []*hypercare.Notification
		for range 5 {
			pages = append(pages, s.page("alice-sms", hypercare.ContactSMS))
		}
		a, b := s.engine(channels, smsThrottle), s.engine(channels, smsThrottle)
		both := func() {
			var wg sync.WaitGroup
			for _, e := range []*notify.Engine{a, b} {
				wg.Add(1)
				go func() { defer wg.Done(); _, _ = e.RunDue(context.Background()) }()
			}
			wg.Wait()
		}
		both()
		for i, n := range pages[1:] {
			if got := s.get(n); !got.DueAt.Equal(t0.Add(time.Duration(i+1)*time.Minute)) || got.Attempts != 0 {
				t.Fatalf("page %d waits until %v (attempts %d), want its place at +%d min", i+2, got.DueAt, got.Attempts, i+1)
			}
		}
		for i := 1; i < 5; i++ {
			s.clk.Advance(30 * time.Second)
			both() // nothing due: nothing moves, nothing said
			s.clk.Advance(30 * time.Second)
			if i == 2 { // both nodes restart mid-queue
				a, b = s.engine(channels, smsThrottle), s.engine(channels, smsThrottle)
			}
			both()
			if got := len(sms.all()); got != i+1 {
				t.Fatalf("after %d min: %d sent, want %d", i, got, i+1)
			}
		}
		s.clk.Advance(time.Hour)
		both()
		msgs := sms.all()
		if len(msgs) != 5 {
			t.Fatalf("sent %d, want 5", len(msgs))
		}
		for i, n := range pages {
			got := s.get(n)
			if msgs[i].Notification.ID != n.ID || got.Status != hypercare.NotificationSent ||
				!got.SentAt.Equal(t0.Add(time.Duration(i)*time.Minute)) || got.Attempts != 1 {
				t.Fatalf("send %d: %s at %v (%+v), want page %s at +%d min", i+1, msgs[i].Notification.ID, got.SentAt, got, n.ID, i)
			}
			tl := s.timeline(n)
			want := 1
			if i == 0 {
				want = 0
			}
			if c := strings.Count(tl, "delayed"); c != want {
				t.Fatalf("page %d: %d delay entries, want %d:\n%s", i+1, c, want, tl)
			}
			if i > 0 {
				at := t0.Add(time.Duration(i) * time.Minute).Format("15:04:05")
				if w := fmt.Sprintf("SMS to Alice delayed until ~%s UTC (%d min) by the sms throttle (1 per minute)",
					at, i); !strings.Contains(tl, w) {
					t.Fatalf("page %d timeline, want %q:\n%s", i+1, w, tl)
				}
			}
		}
	})
}

// A page that loses its place by more than a minute (the throttle was
// made stricter while it waited) says so once more, "still delayed",
// and never again however often it moves on.
func TestThrottleSaysStillDelayedOnce(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		s := newStorm(t, eng.Open(t))
		sms := &recorder{}
		channels := notify.NewRegistry()
		channels.Register(hypercare.ContactSMS, sms)
		first := s.page("alice-sms", hypercare.ContactSMS)
		second := s.page("alice-sms", hypercare.ContactSMS)
		s.run(s.engine(channels, smsThrottle))
		if got := s.get(second); !got.DueAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("second page: %+v", got)
		}
		strict := notify.Policy{Throttles: map[hypercare.ContactType]notify.Throttle{
			hypercare.ContactSMS: {Max: 1, Per: 5 * time.Minute}}}
		e := s.engine(channels, strict)
		s.clk.Advance(time.Minute)
		s.run(e)
		if got := s.get(second); !got.DueAt.Equal(t0.Add(5*time.Minute)) || len(sms.all()) != 1 {
			t.Fatalf("second page after the reload: %+v", got)
		}
		tl := s.timeline(second)
		if !strings.Contains(tl, "SMS to Alice still delayed by the sms throttle (1 per 5 minutes): now until ~08:05:00 UTC, not ~08:01:00 UTC") ||
			strings.Count(tl, "delayed") != 2 {
			t.Fatalf("timeline:\n%s", tl)
		}
		// Made stricter again, it moves on more than a minute once more:
		// nothing more is said.
		stricter := notify.Policy{Throttles: map[hypercare.ContactType]notify.Throttle{
			hypercare.ContactSMS: {Max: 1, Per: 10 * time.Minute}}}
		e = s.engine(channels, stricter)
		s.clk.Set(t0.Add(5 * time.Minute))
		s.run(e)
		if got := s.get(second); !got.DueAt.Equal(t0.Add(10*time.Minute)) || len(sms.all()) != 1 {
			t.Fatalf("second page after the second reload: %+v", got)
		}
		s.clk.Set(t0.Add(time.Hour))
		s.run(e)
		if got := s.get(second); got.Status != hypercare.NotificationSent {
			t.Fatalf("second page: %+v", got)
		}
		if tl := s.timeline(second); strings.Count(tl, "delayed") != 2 {
			t.Fatalf("timeline:\n%s", tl)
		}
		if tl := s.timeline(first); strings.Contains(tl, "delayed") {
			t.Fatalf("first page's timeline:\n%s", tl)
		}
	})
}

// A page that loses its place by a few seconds (the page before it went
// late) moves on without a word: its timeline keeps the one entry.
func TestThrottleMovesOnQuietly(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		s := newStorm(t, eng.Open(t))
		sms := &recorder{}
		channels := notify.NewRegistry()
		channels.Register(hypercare.ContactSMS, sms)
		s.page("alice-sms", hypercare.ContactSMS)
		s.page("alice-sms", hypercare.ContactSMS)
		third := s.page("alice-sms", hypercare.ContactSMS)
		e := s.engine(channels, smsThrottle)
		s.run(e)
		s.clk.Set(t0.Add(65 * time.Second)) // the second goes 5 s late
		s.run(e)
		s.clk.Set(t0.Add(2 * time.Minute))
		s.run(e)
		if got := s.get(third); !got.DueAt.Equal(t0.Add(125*time.Second)) || got.Attempts != 0 || len(sms.all()) != 2 {
			t.Fatalf("third page: %+v, %d sent", got, len(sms.all()))
		}
		s.clk.Set(t0.Add(125 * time.Second))
		s.run(e)
		if got := s.get(third); got.Status != hypercare.NotificationSent {
			t.Fatalf("third page: %+v", got)
		}
		tl := s.timeline(third)
		if strings.Count(tl, "delayed") != 1 || !strings.Contains(tl, "delayed until ~08:02:00 UTC (2 min)") {
			t.Fatalf("timeline:\n%s", tl)
		}
	})
}
