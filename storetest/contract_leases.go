package storetest

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testTakeOverLeases: on SQLite (one process per database) a restarted
// server takes over the lease of a page the dead process was sending, so
// the page is claimable at once instead of after its lease; on PostgreSQL
// only the leases of nodes whose liveness is gone are taken over, so the
// lease of this store, alive, stands however long after the grace
// (TestTakeOverLeasesOfADeadNode has a dead node).
func testTakeOverLeases(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, incident("inc-1", 1, svcCheckout)); err != nil {
			return err
		}
		return tx.InsertNotification(ctx, page("n-1", "inc-1", "alice-hook", 1, t0))
	})
	claim := func(now time.Time) int {
		t.Helper()
		var got []hypercare.Notification
		mustWrite(t, s, func(tx hypercare.Tx) (err error) {
			got, err = tx.ClaimNotifications(ctx, now, now.Add(3*time.Minute), 10)
			return err
		})
		return len(got)
	}
	if n := claim(at(time.Second)); n != 1 {
		t.Fatalf("first claim took %d pages, want 1", n)
	}
	restart := at(2 * time.Second)
	n, err := s.TakeOverLeases(ctx, restart)
	if err != nil {
		t.Fatal(err)
	}
	want, wantN := 1, int64(1)
	if s.Dialect() != "sqlite" {
		want, wantN = 0, 0
	}
	if n != wantN {
		t.Errorf("TakeOverLeases on %s = %d, want %d", s.Dialect(), n, wantN)
	}
	if due, ok, err := s.NextNotificationDue(ctx); err != nil || !ok || (want == 1 && due.After(restart)) {
		t.Errorf("NextNotificationDue after the take-over = %v %v %v, want at most %v on sqlite", due, ok, err, restart)
	}
	if got := claim(restart); got != want {
		t.Errorf("claim at the restart on %s took %d pages, want %d", s.Dialect(), got, want)
	}
	if s.Dialect() == "sqlite" {
		return
	}
	later := restart.Add(store.DeadNodeGrace + time.Minute)
	for _, now := range []time.Time{restart.Add(time.Second), later} {
		if n, err := s.TakeOverLeases(ctx, now); err != nil || n != 0 {
			t.Errorf("TakeOverLeases of a live node's lease at %v = %d %v, want 0", now.Sub(restart), n, err)
		}
	}
	if got := claim(later); got != 0 {
		t.Errorf("claim %v after the restart took %d pages of a live node, want 0", later.Sub(restart), got)
	}
}
