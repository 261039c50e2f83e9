package storetest

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// Two nodes on one PostgreSQL database. A node whose liveness session is
// gone (killed: its session ends) has its leases taken over by the other
// once DeadNodeGrace has passed, so its page goes out within seconds, not
// when the three-minute lease runs out; a live node's lease is never
// taken, however long the other looks; a node whose session dropped while
// it lives (a PostgreSQL restart) takes its lock back under the same ID
// and keeps its leases. SQLite serves one node per file (the restart's
// take-over is the contract's TakeOverLeases).
func TestTakeOverLeasesOfADeadNode(t *testing.T) {
	ForEachEngine(t, func(t *testing.T, e Engine) {
		if e.Name == "sqlite" {
			t.Skip("one node per SQLite file")
		}
		ctx := t.Context()
		opts := e.Options(t)
		a, b := OpenStore(t, opts), OpenStore(t, opts)
		seed(t, a)
		mustWrite(t, a, func(tx hypercare.Tx) error {
			if err := tx.InsertIncident(ctx, incident("inc-1", 1, svcCheckout)); err != nil {
				return err
			}
			for i, id := range []string{"n-1", "n-2"} {
				if err := tx.InsertNotification(ctx, page(id, "inc-1", "alice-hook", i+1, t0)); err != nil {
					return err
				}
			}
			return nil
		})
		if _, err := a.ScheduleAnnouncements(ctx, []hypercare.Announcement{{ID: "a-1", Subject: "maintenance:m",
			Edge: "start", OccurrenceAt: t0, Target: "user:alice:alice-hook", Message: "started", DueAt: t0, CreatedAt: t0}}); err != nil {
			t.Fatal(err)
		}
		claim := func(s *store.Store, now time.Time, limit int) []hypercare.Notification {
			t.Helper()
			var got []hypercare.Notification
			mustWrite(t, s, func(tx hypercare.Tx) (err error) {
				got, err = tx.ClaimNotifications(ctx, now, now.Add(3*time.Minute), limit)
				return err
			})
			return got
		}
		takeOver := func(s *store.Store, now time.Time, want int64) {
			t.Helper()
			n, err := s.TakeOverLeases(ctx, now)
			if err != nil || n != want {
				t.Fatalf("TakeOverLeases at %v = %d %v, want %d", now.Sub(t0), n, err, want)
			}
		}

		// Node a is sending n-1 and a-1, and is alive: b never takes them.
		if got := claim(a, at(time.Second), 1); len(got) != 1 || got[0].ID != "n-1" {
			t.Fatalf("a claimed %v, want n-1", got)
		}
		if got, err := a.ClaimAnnouncements(ctx, at(time.Second), at(time.Second+3*time.Minute), 10); err != nil || len(got) != 1 {
			t.Fatalf("a claimed announcements %v %v, want a-1", got, err)
		}
		for _, d := range []time.Duration{2 * time.Second, 10 * time.Second, time.Minute, 2 * time.Minute} {
			takeOver(b, at(d), 0)
		}
		if got := claim(b, at(2*time.Minute), 10); len(got) != 1 || got[0].ID != "n-2" {
			t.Fatalf("b claimed %v at 2 min, want n-2 alone (n-1 is a's, alive)", got)
		}

		// A check of a's lock cut short (a slow database) is no loss:
		// a keeps its session, and its lease.
		cut, cancel := context.WithCancel(ctx)
		cancel()
		if err := a.KeepAlive(cut); err == nil {
			t.Error("KeepAlive with an ended context succeeded")
		}
		takeOver(b, at(2*time.Minute+time.Second/2), 0)
		takeOver(b, at(2*time.Minute+time.Second/2+store.DeadNodeGrace), 0)

		// a's session drops while a lives (a PostgreSQL restart): b sees
		// it free, a takes it back within the grace, b takes nothing.
		killSession(t, opts.DatabaseURL, a.NodeID())
		takeOver(b, at(2*time.Minute+time.Second), 0)
		if err := a.KeepAlive(ctx); err != nil {
			t.Fatalf("KeepAlive after the session dropped: %v", err)
		}
		takeOver(b, at(2*time.Minute+time.Second+store.DeadNodeGrace+time.Second), 0)

		// a dies (its session ends, nothing else: the rows stay leased).
		killSession(t, opts.DatabaseURL, a.NodeID())
		died := at(2*time.Minute + 20*time.Second)
		takeOver(b, died, 0) // first seen dead: the grace starts
		takeOver(b, died.Add(store.DeadNodeGrace-time.Second), 0)
		takeOver(b, died.Add(store.DeadNodeGrace), 2)
		// A node of an older release (a rolling upgrade) claims n-1 for a
		// second; its claim writes no lease_node, and the take-over
		// cleared a's: b does not take this live lease.
		oldClaim(t, opts.DatabaseURL, "n-1", died.Add(store.DeadNodeGrace+time.Second))
		takeOver(b, died.Add(store.DeadNodeGrace), 0)
		now := died.Add(store.DeadNodeGrace + time.Second)
		if got := claim(b, now, 10); len(got) != 1 || got[0].ID != "n-1" || got[0].Attempts != 3 {
			t.Fatalf("b claimed %v after the take-over, want n-1 (attempt 3)", got)
		}
		if got, err := b.ClaimAnnouncements(ctx, now, now.Add(3*time.Minute), 10); err != nil || len(got) != 1 {
			t.Fatalf("b claimed announcements %v %v after the take-over, want a-1", got, err)
		}
		// b's own leases (n-1, n-2, a-1) are its own: b is alive.
		takeOver(b, now.Add(time.Minute), 0)

		// A node started after a's death (a restart) takes nothing of b's.
		c := OpenStore(t, opts)
		takeOver(c, now, 0)
		takeOver(c, now.Add(store.DeadNodeGrace), 0)
	})
}

// oldClaim leases page id until until as a node of a release before
// lease_node does.
func oldClaim(t *testing.T, url, id string, until time.Time) {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("UPDATE notifications SET status = 'sending', lease_until = $2, attempts = attempts + 1 WHERE id = $1",
		id, until.UnixMicro()); err != nil {
		t.Fatal(err)
	}
}

// killSession ends node's liveness session, as its death would, and
// returns once PostgreSQL has freed its lock.
func killSession(t *testing.T, url, node string) {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const holder = "FROM pg_locks WHERE locktype = 'advisory' AND granted AND " +
		"((classid::bigint << 32) | objid::bigint) = hashtextextended(current_schema() || ':' || $1, 0)"
	ctx := context.Background()
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(pg_terminate_backend(pid)) "+holder, "live:"+node).Scan(&n); err != nil || n != 1 {
		t.Fatalf("end the liveness session of %s: %d %v", node, n, err)
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if err := db.QueryRowContext(ctx, "SELECT count(*) "+holder, "live:"+node).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatalf("the liveness lock of %s is still held 20 s after its session was ended", node)
}
