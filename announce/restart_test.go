package announce_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/announce"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/storetest"
)

// hookSender records every send by idempotency key (the row ID) and runs
// during, when set, inside the send after recording it: the moment a
// shutdown or a slow receiver lands.
type hookSender struct {
	mu     sync.Mutex
	ids    map[string]int
	during func(n int)
}

func (h *hookSender) Send(ctx context.Context, m notify.Message) error {
	if err := ctx.Err(); err != nil {
		return err // as an HTTP channel does: nothing goes out
	}
	h.mu.Lock()
	h.ids[m.Notification.ID]++
	n := 0
	for _, c := range h.ids {
		n += c
	}
	during := h.during
	h.mu.Unlock()
	if during != nil {
		during(n)
	}
	return nil
}

func (h *hookSender) twice(t *testing.T) {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, n := range h.ids {
		if n != 1 {
			t.Errorf("announcement %s sent %d times", id, n)
		}
	}
}

// A server told to stop (SIGTERM: serve cancels the announcer's context)
// while an announcement is being sent must still record that it was sent.
// Otherwise the row stays leased, and the restarted server sends it again
// once the lease expires: the recipient is told twice that the window
// started. (The delivery engine records a send that happened whatever the
// context, notify.Engine.record; the announcer did not.)
func TestAnnouncementSentDuringShutdownIsNotSentAgain(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		st := eng.Open(t)
		clk := clocktest.New(time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC))
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		out := &hookSender{ids: map[string]int{}}
		newEngine := func() *announce.Engine {
			return announce.New(st, clk, out, func() notify.Directory { return alice }, announce.FromMaintenance(sundays()), log)
		}
		ctx, stop := context.WithCancel(context.Background())
		out.during = func(int) { stop() } // SIGTERM arrives while the first send is under way
		if _, err := newEngine().RunDue(ctx); err != nil && ctx.Err() == nil {
			t.Fatal(err)
		}
		out.during = nil

		// Restarted after the lease ran out.
		clk.Advance(announce.Lease + time.Second)
		if _, err := newEngine().RunDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		out.twice(t)
	})
}

// One node's pass claims a batch and sends it one by one. When the sends
// are slow (a receiver that hangs until the 20 s timeout), the batch
// outlasts its 3-minute lease; another node then claims the rest and sends
// them, and the first node, still going through its batch, sends them as
// well. The delivery engine hands back a page whose lease could run out
// mid-attempt (notify pool.go, process); the announcer must not send past
// its lease either.
func TestSlowAnnouncementsAreNotSentTwiceByTwoNodes(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		st := eng.Open(t)
		clk := clocktest.New(time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC))
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		m := sundays()
		m[0].AnnounceTo = nil
		for i := range 15 { // fifteen channels told of the window
			m[0].AnnounceTo = append(m[0].AnnounceTo, hypercare.AnnounceTarget{Type: hypercare.ContactWebhook,
				Address: fmt.Sprintf("https://hooks.example.com/%d", i)})
		}
		out := &hookSender{ids: map[string]int{}}
		newEngine := func() *announce.Engine {
			return announce.New(st, clk, out, func() notify.Directory { return alice }, announce.FromMaintenance(m), log)
		}
		a, b := newEngine(), newEngine()
		ctx := context.Background()
		bRan := false
		out.during = func(int) {
			if bRan {
				return
			}
			clk.Advance(19 * time.Second) // each of node A's sends takes 19 s, within the 20 s timeout
			if clk.Now().Sub(time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC)) > announce.Lease {
				bRan = true // node B's loop looks now: A's lease has run out
				if _, err := b.RunDue(ctx); err != nil {
					t.Error(err)
				}
			}
		}
		if _, err := a.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		out.during = nil
		clk.Advance(announce.Lease + time.Second)
		for _, e := range []*announce.Engine{a, b} {
			if _, err := e.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		out.mu.Lock()
		if len(out.ids) != 15 {
			t.Errorf("%d announcements sent, want 15", len(out.ids))
		}
		out.mu.Unlock()
		out.twice(t)
	})
}
