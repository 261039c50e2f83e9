package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare/store"
)

// testActTokens: a token is claimed once even by parallel claims, a
// released claim can be made again, and expired claims are pruned.
func testActTokens(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := context.Background()
	s := open(t)
	used := func(h string) bool {
		t.Helper()
		u, err := s.ActTokenUsed(ctx, h)
		if err != nil {
			t.Fatalf("used: %v", err)
		}
		return u
	}
	if used("h1") {
		t.Fatal("h1 used before any claim")
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.ClaimActToken(ctx, "h1", "ack", at(time.Hour), at(0))
			if err != nil {
				t.Errorf("claim: %v", err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 || !used("h1") {
		t.Fatalf("8 parallel claims won %d times (want 1), used=%v", wins, used("h1"))
	}
	if err := s.ReleaseActToken(ctx, "h1"); err != nil {
		t.Fatalf("release: %v", err)
	}
	if used("h1") {
		t.Fatal("h1 still used after release")
	}
	if ok, err := s.ClaimActToken(ctx, "h1", "resolve", at(time.Hour), at(0)); err != nil || !ok {
		t.Fatalf("claim after release = %v, %v", ok, err)
	}
	// A claim made after h1 expired prunes it.
	if ok, err := s.ClaimActToken(ctx, "h2", "ack", at(3*time.Hour), at(2*time.Hour)); err != nil || !ok {
		t.Fatalf("claim h2 = %v, %v", ok, err)
	}
	if used("h1") || !used("h2") {
		t.Fatalf("after pruning: h1 used=%v (want false), h2 used=%v (want true)", used("h1"), used("h2"))
	}
	if _, err := s.ClaimActToken(ctx, "", "ack", at(time.Hour), at(0)); err == nil {
		t.Fatal("claim of an empty hash accepted")
	}
}
