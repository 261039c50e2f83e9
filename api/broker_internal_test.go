package api

import (
	"log/slog"
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
	b := newBroker(nil, clocktest.New(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)), slog.New(slog.DiscardHandler), buffer)
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
