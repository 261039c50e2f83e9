package announce_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/announce"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/oncall"
	"github.com/hypercare/hypercare/storetest"
)

// sink records what the channels were asked to send, by notification ID
// (the idempotency key), and can fail the first attempts.
type sink struct {
	mu   sync.Mutex
	sent []string
	ids  map[string]int
	fail int
}

func (s *sink) Send(_ context.Context, m notify.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail > 0 {
		s.fail--
		return errors.New("connection refused")
	}
	s.ids[m.Notification.ID]++
	s.sent = append(s.sent, string(m.Notification.Type)+" "+m.Notification.Address+": "+m.Incident.Title)
	return nil
}

func (s *sink) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.sent
	s.sent = nil
	slices.Sort(out)
	return out
}

type users map[string]hypercare.User

func (u users) User(id string) (hypercare.User, bool) { v, ok := u[id]; return v, ok }

func sundays() []correlate.Maintenance {
	london, _ := oncall.LoadZone("Europe/London")
	return []correlate.Maintenance{{ID: "sundays", Zone: london, Services: []string{"checkout"},
		Start:      oncall.LocalDateTime{Year: 2026, Month: 11, Day: 29, Hour: 2},
		End:        oncall.LocalDateTime{Year: 2026, Month: 11, Day: 29, Hour: 4},
		Recurrence: &correlate.Recurrence{Freq: correlate.FreqWeekly, Interval: 1, ByDay: []time.Weekday{time.Sunday}},
		AnnounceTo: []hypercare.AnnounceTarget{{User: "alice"},
			{Type: hypercare.ContactSlack, Address: "C0123456"}}}}
}

var alice = users{"alice": {ID: "alice", Name: "Alice", ContactMethods: []hypercare.ContactMethod{
	{ID: "alice-hook", Type: hypercare.ContactWebhook, Address: "https://hooks.example.com/a"},
	{ID: "alice-phone", Type: hypercare.ContactSMS, Address: "+447700900001"}}}}

// Each start and end is announced once to every recipient (a user's
// non-phone methods, a direct Slack channel), also by a second engine on
// the same database (another node, or the server after a restart); a
// failed send is retried; an edge long past is not announced.
func TestAnnouncesEachEdgeOnce(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		st := eng.Open(t)
		clk := clocktest.New(time.Date(2026, 11, 29, 1, 59, 0, 0, time.UTC))
		out := &sink{ids: map[string]int{}}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		newEngine := func() *announce.Engine {
			return announce.New(st, clk, out, func() notify.Directory { return alice }, announce.FromMaintenance(sundays()), log)
		}
		a, b := newEngine(), newEngine()
		ctx := context.Background()
		run := func(want ...string) {
			t.Helper()
			for _, e := range []*announce.Engine{a, b} {
				if _, err := e.RunDue(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if got := out.take(); !slices.Equal(got, want) {
				t.Fatalf("at %v sent\n %q\nwant\n %q", clk.Now(), got, want)
			}
		}
		run()
		clk.Advance(time.Minute)
		started := "Maintenance sundays started: checkout (alerts recorded, pages held until the end), until 2026-11-29 04:00 Europe/London"
		out.fail = 1 // one first attempt fails; its retry 5 s later gets through
		step := func() []string {
			for _, e := range []*announce.Engine{a, b} {
				if _, err := e.RunDue(ctx); err != nil {
					t.Fatal(err)
				}
			}
			return out.take()
		}
		first := step()
		clk.Advance(5 * time.Second)
		both := append(first, step()...)
		slices.Sort(both)
		if want := []string{"slack C0123456: " + started, "webhook https://hooks.example.com/a: " + started}; len(first) != 1 ||
			!slices.Equal(both, want) {
			t.Fatalf("start announced as %q then %q, want one at once and the failed one on retry: %q", first, both, want)
		}
		clk.Advance(2 * time.Hour)
		ended := "Maintenance sundays ended: checkout (alerts recorded, pages held until the end)"
		run("slack C0123456: "+ended, "webhook https://hooks.example.com/a: "+ended)
		b = newEngine() // restarted: its memory is empty, the rows are not
		run()
		// A server down across the next Sunday's start for more than an
		// hour does not announce it late; the end, within the hour, is.
		clk.Advance(7*24*time.Hour + time.Minute)
		run("slack C0123456: "+ended, "webhook https://hooks.example.com/a: "+ended)
		for id, n := range out.ids {
			if n != 1 {
				t.Errorf("announcement %s sent %d times", id, n)
			}
		}
		due, ok, err := a.NextDueForTest(ctx)
		if err != nil || !ok || !due.Equal(time.Date(2026, 12, 13, 2, 0, 0, 0, time.UTC)) {
			t.Errorf("next due %v %v %v, want the next Sunday's start", due, ok, err)
		}
	})
}

// A hypercare window with announce_to is announced when it opens and
// closes, as a maintenance window is.
func TestAnnouncesHypercareWindows(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		st := eng.Open(t)
		ny, _ := oncall.LoadZone("America/New_York")
		open := time.Date(2026, 11, 26, 23, 0, 0, 0, time.UTC)
		w := hypercare.Window{ID: "bfcm", Name: "Black Friday", TimeZone: ny, Start: open, End: open.Add(24 * time.Hour),
			Services: []string{"checkout"}, AnnounceTo: []hypercare.AnnounceTarget{{User: "alice", ContactMethod: "alice-phone"}}}
		clk := clocktest.New(open.Add(-time.Minute))
		out := &sink{ids: map[string]int{}}
		e := announce.New(st, clk, out, func() notify.Directory { return alice }, announce.FromWindows([]hypercare.Window{w}),
			slog.New(slog.NewTextHandler(io.Discard, nil)))
		ctx := context.Background()
		step := func(d time.Duration) []string {
			clk.Advance(d)
			if _, err := e.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
			return out.take()
		}
		if got := step(0); len(got) != 0 {
			t.Fatalf("before the window: %q", got)
		}
		want := "sms +447700900001: Hypercare window bfcm (Black Friday) started: checkout, until 2026-11-27 18:00 America/New_York"
		if got := step(time.Minute); !slices.Equal(got, []string{want}) {
			t.Fatalf("at the start: %q, want %q", got, want)
		}
		if got := step(24 * time.Hour); len(got) != 1 || !strings.Contains(got[0], "bfcm (Black Friday) ended") {
			t.Fatalf("at the end: %q", got)
		}
		if got := step(time.Hour); len(got) != 0 {
			t.Fatalf("after: %q", got)
		}
	})
}
