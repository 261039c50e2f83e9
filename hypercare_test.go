package hypercare

import (
	"testing"
	"time"
)

func TestNewIDIncreasesWithinOneMillisecond(t *testing.T) {
	at := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	prev := NewID(at)
	for i := 0; i < 1000; i++ {
		id := NewID(at)
		if id <= prev {
			t.Fatalf("ID %d: %s not after %s", i, id, prev)
		}
		prev = id
	}
	if later := NewID(at.Add(time.Millisecond)); later <= prev {
		t.Fatalf("later ID %s not after %s", later, prev)
	}
}
