// Package loop is the one small mechanism every engine runs on (DESIGN.md
// §4): take the work that is due, then sleep until woken (a commit created
// work) or until the poll interval passes (a timer may have fallen due, or
// another node died). The poll bounds how late a timer fires.
//
// A pass must be cheap when nothing is due: the engines first ask the read
// side for the earliest due time and open a write only when something is
// due, so an idle server commits nothing between polls.
package loop

import (
	"context"
	"log/slog"
	"time"

	"github.com/hypercare/hypercare"
)

// Loop runs one engine's passes. Build it with New.
type Loop struct {
	name  string
	clock hypercare.Clock
	poll  time.Duration
	log   *slog.Logger
	wake  chan struct{}
}

// New returns a loop named name (for logs) polling every poll.
func New(name string, clk hypercare.Clock, poll time.Duration, log *slog.Logger) *Loop {
	return &Loop{name: name, clock: clk, poll: poll, log: log, wake: make(chan struct{}, 1)}
}

// Wake makes the loop run a pass now; it never blocks, and wakes that
// arrive during a pass coalesce into one more pass.
func (l *Loop) Wake() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Run calls pass until ctx ends. A failed pass is logged and retried on the
// next wake or poll.
func (l *Loop) Run(ctx context.Context, pass func(context.Context) (int, error)) error {
	for {
		if _, err := pass(ctx); err != nil && ctx.Err() == nil {
			l.log.Error(l.name+" pass failed", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-l.wake:
		case <-l.clock.After(l.poll):
		}
	}
}
