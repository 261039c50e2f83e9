package storetest

import (
	"reflect"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testLockTurns: LockTurns creates and locks turn counters without taking
// a turn (a new counter's first NextTurn is still 0, an old one goes on
// counting), and on PostgreSQL refuses, locking nothing, a counter that
// sorts before one the transaction holds (TurnKey.Compare: policy, then
// level); one already held, or sorting after every held one, is fine.
// SQLite has no row locks: always true. Bad text is refused. (What the
// order is for is tested in escalate: TestRoundRobinTurnsTakenInOneOrder.)
func testLockTurns(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	pg := s.Dialect() == "postgres"
	key := func(policy string, level int) []hypercare.TurnKey {
		return []hypercare.TurnKey{{PolicyID: policy, Level: level}}
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		_, err := tx.NextTurn(ctx, "web", 0) // 0
		return err
	})
	var turns []int
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if ok, err := tx.LockTurns(ctx, []hypercare.TurnKey{{PolicyID: "web", Level: 1}, {PolicyID: "web", Level: 0},
			{PolicyID: "web", Level: 1}}); err != nil || !ok {
			t.Errorf("LockTurns(web 1, web 0, web 1) = %v, %v; want true", ok, err)
		}
		for _, k := range []hypercare.TurnKey{{PolicyID: "web", Level: 0}, {PolicyID: "web", Level: 1}, {PolicyID: "web", Level: 1}} {
			n, err := tx.NextTurn(ctx, k.PolicyID, k.Level)
			if err != nil {
				return err
			}
			turns = append(turns, n)
		}
		checks := []struct {
			keys []hypercare.TurnKey
			want bool
		}{
			{key("web", 0), true},                           // held
			{key("api", 0), !pg},                            // before web
			{key("web", 2), true},                           // after every held counter
			{append(key("web", 1), key("web", 0)...), true}, // held
			{append(key("web", 3), key("aaa", 0)...), !pg},  // aaa sorts first: none is locked
			{nil, true},
		}
		for _, c := range checks {
			if ok, err := tx.LockTurns(ctx, c.keys); err != nil || ok != c.want {
				t.Errorf("LockTurns(%v) = %v, %v; want %v", c.keys, ok, err, c.want)
			}
		}
		return nil
	})
	if !reflect.DeepEqual(turns, []int{1, 0, 1}) {
		t.Errorf("NextTurn after LockTurns = %v, want [1 0 1] (web 0 took turn 0 before)", turns)
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if ok, err := tx.LockTurns(ctx, key("web", 3)); err != nil || !ok {
			t.Errorf("LockTurns(web 3) in a new transaction = %v, %v; want true", ok, err)
		}
		for _, k := range []hypercare.TurnKey{{PolicyID: "web", Level: 2}, {PolicyID: "web", Level: 3}} {
			if n, err := tx.NextTurn(ctx, k.PolicyID, k.Level); err != nil || n != 0 {
				t.Errorf("NextTurn(%v) after a lock that took no turn = %d, %v; want 0", k, n, err)
			}
		}
		return nil
	})
	err := s.Write(ctx, "test", func(tx hypercare.Tx) error {
		_, err := tx.LockTurns(ctx, key(nul, 0))
		return err
	})
	wantCode(t, err, hypercare.CodeInvalid)
}
