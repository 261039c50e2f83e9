package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/hypercare/hypercare/store"
)

// testVerifications: a code is confirmed once, wrong codes count against
// the limit and are committed, expiry and address changes are refused, and
// only confirmed methods are listed as verified.
func testVerifications(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := context.Background()
	s := open(t)
	confirm := func(code, addr string, now time.Time) store.ConfirmOutcome {
		t.Helper()
		out, err := s.ConfirmVerification(ctx, "alice", "alice-hook", addr, code, 3, now)
		if err != nil {
			t.Fatalf("confirm: %v", err)
		}
		return out
	}
	if got := confirm("c1", "a1", at(0)); got != store.NoPendingCode {
		t.Fatalf("confirm before start = %v, want NoPendingCode", got)
	}
	if err := s.StartVerification(ctx, "alice", "alice-hook", "a1", "c1", at(time.Minute)); err != nil {
		t.Fatalf("start: %v", err)
	}
	if got := confirm("c1", "a2", at(0)); got != store.AddressChanged {
		t.Errorf("other address = %v, want AddressChanged", got)
	}
	if got := confirm("bad", "a1", at(0)); got != store.WrongCode {
		t.Errorf("wrong code = %v, want WrongCode", got)
	}
	if got := confirm("c1", "a1", at(time.Minute)); got != store.CodeExpired {
		t.Errorf("at expiry = %v, want CodeExpired", got)
	}
	if got := confirm("c1", "a1", at(0)); got != store.TooManyAttempts {
		t.Errorf("fourth attempt = %v, want TooManyAttempts (the refused ones counted)", got)
	}
	if vs, err := s.Verifications(ctx); err != nil || len(vs) != 0 {
		t.Fatalf("verifications before confirm = %v, %v; want none", vs, err)
	}
	if err := s.StartVerification(ctx, "alice", "alice-hook", "a1", "c2", at(time.Hour)); err != nil {
		t.Fatalf("restart: %v", err)
	}
	if got := confirm("c2", "a1", at(0)); got != store.Confirmed {
		t.Fatalf("right code = %v, want Confirmed", got)
	}
	if got := confirm("c2", "a1", at(0)); got != store.NoPendingCode {
		t.Errorf("code reused = %v, want NoPendingCode", got)
	}
	vs, err := s.Verifications(ctx)
	if err != nil || len(vs) != 1 || vs[0].AddressHash != "a1" || !vs[0].VerifiedAt.Equal(at(0)) {
		t.Fatalf("verifications = %+v, %v; want alice-hook verified at t0 for a1", vs, err)
	}
	// A new code for the same address keeps the proof; for another one drops it.
	if err := s.StartVerification(ctx, "alice", "alice-hook", "a1", "c3", at(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if vs, _ := s.Verifications(ctx); len(vs) != 1 {
		t.Errorf("new code, same address: verifications = %+v, want kept", vs)
	}
	if err := s.StartVerification(ctx, "alice", "alice-hook", "a2", "c4", at(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if vs, _ := s.Verifications(ctx); len(vs) != 0 {
		t.Errorf("new address: verifications = %+v, want dropped", vs)
	}
}
