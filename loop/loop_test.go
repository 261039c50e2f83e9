package loop

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/hypercare/hypercare/clocktest"
)

func TestLoopRunsOnWakeAndPollAndStops(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	l := New("test", clk, time.Second, slog.New(slog.NewTextHandler(io.Discard, nil)))
	passes := make(chan int, 10)
	n := 0
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- l.Run(ctx, func(context.Context) (int, error) {
			n++
			passes <- n
			return 0, errors.New("a failed pass is retried, not fatal")
		})
	}()
	if got := <-passes; got != 1 {
		t.Fatalf("first pass %d", got)
	}
	l.Wake()
	if got := <-passes; got != 2 {
		t.Fatalf("woken pass %d", got)
	}
	// The next pass waits on the fake clock's poll.
	for {
		clk.Advance(time.Second)
		select {
		case got := <-passes:
			if got != 3 {
				t.Fatalf("polled pass %d", got)
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("Run returned %v", err)
			}
			return
		case <-time.After(10 * time.Millisecond): // the loop may not be waiting on the clock yet
		}
	}
}

// TestRunScheduledSleepsUntilTheNextDueTime: with a timer due in 5 minutes
// the loop sleeps past its poll and its idle bound only as far as the idle
// bound allows, runs at once when woken, and looks again after the poll
// (not in a spin) when work is due but was not taken.
func TestRunScheduledSleepsUntilTheNextDueTime(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	clk := clocktest.New(t0)
	l := New("test", clk, 100*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, c := range []struct {
		name string
		due  time.Time
		ok   bool
		err  error
		want time.Duration
	}{
		{"nothing scheduled", time.Time{}, false, nil, 30 * time.Second},
		{"due in 2 s", t0.Add(2 * time.Second), true, nil, 2 * time.Second},
		{"due in 5 min, capped by idle", t0.Add(5 * time.Minute), true, nil, 30 * time.Second},
		{"already due, not taken here", t0.Add(-time.Second), true, nil, 100 * time.Millisecond},
		{"read failed", time.Time{}, false, errors.New("db down"), 100 * time.Millisecond},
	} {
		next := func(context.Context) (time.Time, bool, error) { return c.due, c.ok, c.err }
		if got := l.sleepFor(context.Background(), next, 30*time.Second); got != c.want {
			t.Errorf("%s: sleeps %v, want %v", c.name, got, c.want)
		}
	}

	passes := make(chan struct{}, 10)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	due := t0.Add(2 * time.Second)
	go func() {
		done <- l.RunScheduled(ctx, func(context.Context) (int, error) {
			passes <- struct{}{}
			return 0, nil
		}, func(context.Context) (time.Time, bool, error) { return due, true, nil }, time.Minute)
	}()
	<-passes
	for clk.Waiters() == 0 { // the loop has gone to sleep on the clock
		runtime.Gosched()
	}
	// Ten polls later nothing has run: the loop sleeps until the due time
	// (only a waiter due by now could have fired, and its is not).
	clk.Advance(time.Second)
	select {
	case <-passes:
		t.Fatal("ran before the due time")
	default:
	}
	clk.Advance(time.Second)
	<-passes
	l.Wake()
	<-passes
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
