package escalate_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/storetest"
)

// sink records the pages it is given, by contact method.
type sink struct {
	mu   sync.Mutex
	sent []string
}

func (s *sink) Send(_ context.Context, m notify.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, m.Notification.ContactMethod)
	return nil
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sent)
}

// TestIdleEnginesDoNotWrite: polls with nothing due commit nothing (an
// idle server used to commit ~20 empty write transactions a second), and
// the timers still fire at their due time.
func TestIdleEnginesDoNotWrite(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		n := newNode(t, eng.Options(t), clk, directory(webPolicy()))
		out := &sink{}
		reg := notify.NewRegistry()
		reg.Register(hypercare.ContactWebhook, out)
		reg.Register(hypercare.ContactSMS, out)
		deliver := notify.NewEngine(n.st, clk, reg, func() notify.Directory { return n.eng.Directory() },
			slog.New(slog.NewTextHandler(io.Discard, nil)))
		tick := func() {
			t.Helper()
			if _, err := n.eng.RunDue(n.ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := deliver.RunDue(n.ctx); err != nil {
				t.Fatal(err)
			}
		}
		writes := func() uint64 { return n.st.WriteStats().Requests }
		// idleUntil ticks every poll interval up to just before d from now,
		// asserting no write happens.
		idleUntil := func(what string, d time.Duration) {
			t.Helper()
			before := writes()
			ticks := 0
			for step := poll; step < d; step += poll {
				clk.Advance(poll)
				tick()
				ticks++
			}
			if got := writes() - before; got != 0 {
				t.Fatalf("%s: %d idle ticks made %d writes, want 0", what, ticks, got)
			}
		}

		idleUntil("no incidents", 30*time.Second)

		n.trigger(t, "k1", hypercare.SeverityCritical)
		tick() // level 1: alice's webhook now, her SMS in 2 min
		if out.count() != 1 {
			t.Fatalf("pages sent after the trigger: %d, want 1", out.count())
		}
		idleUntil("waiting for the SMS rule", 2*time.Minute)
		clk.Advance(poll)
		tick()
		if out.count() != 2 {
			t.Fatalf("the 2-minute SMS was not sent on time: %d pages", out.count())
		}
		idleUntil("waiting for level 2", 3*time.Minute)
		clk.Advance(poll)
		tick()
		if out.count() != 3 || out.sent[2] != "carol-hook" {
			t.Fatalf("level 2 did not page carol on time: sent %v", out.sent)
		}
	})
}

// poll is the engines' poll interval (escalate.DefaultPoll).
const poll = escalate.DefaultPoll
