package api

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
)

// TestBrokerCutsOffSlowClient: a subscriber that stops reading is cut off
// once its buffer is full, without blocking the fan-out or the others, who
// receive every event in order.
func TestBrokerCutsOffSlowClient(t *testing.T) {
	const buffer = 4
	b := newBroker(emptyStream{}, clocktest.New(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)), slog.New(slog.DiscardHandler), buffer)
	b.running = true
	close(b.started)
	slow, _, _ := b.subscribe(t.Context(), "")
	fast, _, _ := b.subscribe(t.Context(), "")
	var got []int64
	for id := int64(1); id <= 3*buffer; id++ {
		b.fanOut([]hypercare.StreamEvent{{ID: id, Kind: hypercare.StreamIncident}}) // must not block
		for len(fast.ch) > 0 {
			got = append(got, (<-fast.ch).ev.ID)
		}
	}
	select {
	case <-slow.gone:
	default:
		t.Fatal("the slow subscriber was not cut off")
	}
	if b.cutoffs != 1 || b.events != 3*buffer {
		t.Errorf("counted %d cutoffs and %d events, want 1 and %d", b.cutoffs, b.events, 3*buffer)
	}
	if !b.wasSlow(slow) || b.wasSlow(fast) {
		t.Errorf("wasSlow: slow %v, fast %v", b.wasSlow(slow), b.wasSlow(fast))
	}
	if len(got) != 3*buffer {
		t.Fatalf("fast subscriber got %d events, want %d", len(got), 3*buffer)
	}
	for i, id := range got {
		if id != int64(i+1) {
			t.Fatalf("fast subscriber got %v, want 1..%d in order", got, 3*buffer)
		}
	}
	select {
	case <-fast.gone:
		t.Fatal("the fast subscriber was cut off")
	default:
	}
	b.stop()
	select {
	case <-fast.gone:
	default:
		t.Fatal("stop did not end the remaining subscriber")
	}
}

// emptyStream is a store whose outbox holds nothing.
type emptyStream struct{}

func (emptyStream) StreamAfter(context.Context, int64, int) ([]hypercare.StreamEvent, error) {
	return nil, nil
}
func (emptyStream) StreamHorizon(context.Context) (int64, int64, error) { return 0, 0, nil }
func (emptyStream) StreamRefresh(_ context.Context, evs []hypercare.StreamEvent) ([]hypercare.StreamEvent, error) {
	return evs, nil
}
func (emptyStream) StreamChanged() <-chan struct{} { return nil }
func (emptyStream) PruneStream(context.Context, time.Time, int) (int64, error) {
	return 0, nil
}

// fakeOutbox is an outbox of events 1..n whose horizon is set by the test,
// counting reads.
type fakeOutbox struct {
	emptyStream
	mu      sync.Mutex
	n       int64 // events 1..n are committed
	horizon int64 // what StreamHorizon answers
	reads   int
}

func (f *fakeOutbox) StreamAfter(_ context.Context, after int64, limit int) ([]hypercare.StreamEvent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	var out []hypercare.StreamEvent
	for id := after + 1; id <= f.n && len(out) < limit; id++ {
		out = append(out, hypercare.StreamEvent{ID: id, Kind: hypercare.StreamIncident})
	}
	return out, nil
}

func (f *fakeOutbox) StreamHorizon(context.Context) (int64, int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	return 0, f.horizon, nil
}

func (f *fakeOutbox) commit(n, horizon int64) {
	f.mu.Lock()
	f.n, f.horizon = n, horizon
	f.mu.Unlock()
}

// With nobody subscribed the broker reads nothing however many commits
// land; the first subscriber after that moves the cursor to the horizon
// it reads and pokes the broker, whose next pass brings an event
// committed after that read, without waiting for another commit.
func TestBrokerIdleReadsNothing(t *testing.T) {
	src := &fakeOutbox{}
	b := newBroker(src, clocktest.New(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)), slog.New(slog.DiscardHandler), 8)
	if err := b.start(t.Context()); err != nil {
		t.Fatal(err)
	}
	for i := int64(1); i <= 5; i++ {
		src.commit(i, i)
		if err := b.catchUp(t.Context()); err != nil { // what Run does on each wake
			t.Fatal(err)
		}
	}
	if src.reads != 1 {
		t.Errorf("the broker read the store %d times with nobody subscribed, want once (at start)", src.reads-1)
	}
	src.n, src.horizon = 6, 5 // event 6 commits after the horizon the subscriber reads
	sub, cursor, ok := b.subscribe(t.Context(), "")
	if !ok || cursor != 5 {
		t.Fatalf("subscribe: cursor %d (%v), want 5", cursor, ok)
	}
	select {
	case <-b.poke:
	default:
		t.Fatal("the subscriber moved the cursor without poking the broker")
	}
	if err := b.catchUp(t.Context()); err != nil { // Run's pass on the poke
		t.Fatal(err)
	}
	if len(sub.ch) != 1 || (<-sub.ch).ev.ID != 6 {
		t.Fatal("event 6, committed after the horizon the subscriber got, was not fanned out")
	}
}
