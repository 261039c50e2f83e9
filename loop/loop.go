// Package loop is the one small mechanism every engine runs on (DESIGN.md
// §4): take the work that is due, then sleep until woken (a commit on this
// or, through LISTEN/NOTIFY, another node created work) or until the next
// timer falls due. RunScheduled asks the engine when that is and sleeps
// exactly that long, at most an idle bound that only matters if a wake-up
// was lost; Run simply polls.
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

// DefaultIdle is the longest a scheduled loop sleeps when it knows of no
// due time: a safety net for a lost wake-up (a dropped LISTEN connection,
// a path that forgot to wake), never the way a timer fires.
const DefaultIdle = time.Second

// Next says when the engine's earliest work falls due; ok false means
// none is scheduled.
type Next func(ctx context.Context) (due time.Time, ok bool, err error)

// RunScheduled is Run without a fixed poll: after each pass it asks next
// for the earliest due time and sleeps until then, until woken, or at most
// idle. Work that is already due but was not taken (another node holds its
// lease) is looked at again after the loop's poll, so the loop never spins.
func (l *Loop) RunScheduled(ctx context.Context, pass func(context.Context) (int, error), next Next, idle time.Duration) error {
	for {
		if _, err := pass(ctx); err != nil && ctx.Err() == nil {
			l.log.Error(l.name+" pass failed", slog.Any("error", err))
		}
		wait := l.sleepFor(ctx, next, idle)
		select {
		case <-ctx.Done():
			return nil
		case <-l.wake:
		case <-l.clock.After(wait):
		}
	}
}

// sleepFor is how long to sleep after a pass: until the next due time,
// within [poll, idle] when it is already due or unknown.
func (l *Loop) sleepFor(ctx context.Context, next Next, idle time.Duration) time.Duration {
	due, ok, err := next(ctx)
	switch {
	case err != nil:
		if ctx.Err() == nil {
			l.log.Error(l.name+": reading the next due time failed", slog.Any("error", err))
		}
		return l.poll
	case !ok:
		return idle
	}
	wait := due.Sub(l.clock.Now())
	if wait <= 0 {
		return l.poll
	}
	return min(wait, idle)
}
