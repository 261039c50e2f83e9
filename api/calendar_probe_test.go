package api_test

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/oncall"
	"github.com/hypercare/hypercare/storetest"
)

// lookupCounter counts calendar feed lookups, so a test can tell whether a
// request did the token's work.
type lookupCounter struct {
	*feedStore
	n atomic.Int64
}

func (s *lookupCounter) CalendarFeed(ctx context.Context, tokenHash string) (string, string, error) {
	s.n.Add(1)
	return s.feedStore.CalendarFeed(ctx, tokenHash)
}

// Without a valid token, a feed URL tells nothing about its subject: an
// unknown user or schedule answers as a known one does, whether the store
// is up (404, after the same token lookup, so the same time) or down (5xx
// for both). The subject was checked first: an unknown one answered 404 at
// once, without the lookup, and 404 even while the store failed, where a
// known one answered 500.
func TestCalendarFeedDoesNotRevealSubjects(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		sched := &oncall.Schedule{ID: "primary", TimeZone: time.UTC, Layers: []oncall.Layer{{ID: "daily",
			Start: oncall.LocalDateTime{Year: 2026, Month: 1, Day: 1}, Shift: 24 * time.Hour, Users: []string{"alice"}}}}
		var ls *lookupCounter
		st := eng.Open(t)
		dir := escalate.NewDirectory([]hypercare.User{{ID: "alice", Name: "Alice"}}, []*oncall.Schedule{sched}, nil, nil, nil)
		e := newEnvWith(t, st, 0, func(_ *intake.Intake, clk *clocktest.Clock, opts *api.Options) {
			opts.Escalation = escalate.New(st, clk, dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
			ls = &lookupCounter{feedStore: &feedStore{Store: opts.Store}}
			opts.Store = ls
		})
		p := &pager{env: e}
		pairs := [][2]string{
			{"/calendar/schedules/primary.ics?token=guess", "/calendar/schedules/nosuch.ics?token=guess"},
			{"/calendar/users/alice.ics?token=guess", "/calendar/users/mallory.ics?token=guess"},
			{"/calendar/users/alice.ics", "/calendar/users/mallory.ics"},
		}
		for _, failing := range []bool{false, true} {
			ls.fail.Store(failing)
			for _, pair := range pairs {
				before := ls.n.Load()
				knownCode, knownBody := p.getFeed(t, pair[0])
				known := ls.n.Load() - before
				unknownCode, unknownBody := p.getFeed(t, pair[1])
				unknown := ls.n.Load() - before - known
				if knownCode != unknownCode || knownBody != unknownBody {
					t.Errorf("store failing %v: %s answers %d %q, %s answers %d %q", failing,
						pair[0], knownCode, knownBody, pair[1], unknownCode, unknownBody)
				}
				if known != unknown {
					t.Errorf("store failing %v: %s looks the token up %d times, %s %d times", failing, pair[0], known, pair[1], unknown)
				}
			}
		}
	})
}
