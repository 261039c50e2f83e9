package clocktest

import (
	"testing"
	"time"
)

func TestAdvanceFiresDueWaiters(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	c := New(t0)
	early, late := c.After(time.Minute), c.After(time.Hour)
	c.Advance(59 * time.Second)
	select {
	case <-early:
		t.Fatal("fired before due")
	default:
	}
	c.Advance(time.Second)
	if got := <-early; !got.Equal(t0.Add(time.Minute)) {
		t.Fatalf("fired at %v", got)
	}
	select {
	case <-late:
		t.Fatal("late waiter fired early")
	default:
	}
	c.Set(t0) // never backwards
	if !c.Now().Equal(t0.Add(time.Minute)) {
		t.Fatalf("clock went backwards to %v", c.Now())
	}
}
