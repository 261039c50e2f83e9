package loop

import (
	"context"
	"errors"
	"io"
	"log/slog"
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
