package storetest

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// A node whose liveness lock is gone while it lives (its session was
// ended and it has not taken the lock back: the database refuses it a
// connection, or it has not noticed yet) must not lease pages and
// announcements under its ID: the other nodes see its lock free and,
// after the grace, take over every lease that names it, and send again
// what it is still sending. It did: its claims kept writing its ID, and b
// took them over. Now a claim names the node only while the node's
// liveness session holds its lock (checked in the claim's statement);
// otherwise the lease names nobody and ends when it runs out, as a lease
// did before node liveness. Once the node holds its lock again its claims
// name it again, and a death then is seen.
func TestNodeWithoutItsLockLeasesNothingTakeable(t *testing.T) {
	ForEachEngine(t, func(t *testing.T, e Engine) {
		if e.Name == "sqlite" {
			t.Skip("one node per SQLite file")
		}
		ctx := t.Context()
		opts := e.Options(t)
		a, b := OpenStore(t, opts), OpenStore(t, opts)
		seed(t, a)
		mustWrite(t, a, func(tx hypercare.Tx) error {
			for _, inc := range []*hypercare.Incident{incident("inc-1", 1, svcCheckout), incident("inc-2", 2, svcCheckout)} {
				if err := tx.InsertIncident(ctx, inc); err != nil {
					return err
				}
			}
			for i, id := range []string{"n-1", "n-2", "n-3"} {
				if err := tx.InsertNotification(ctx, page(id, "inc-1", "alice-hook", i+1, at(time.Duration(i)*time.Millisecond))); err != nil {
					return err
				}
			}
			return tx.InsertNotification(ctx, page("n-first", "inc-2", "alice-hook", 1, t0))
		})
		if _, err := a.ScheduleAnnouncements(ctx, []hypercare.Announcement{{ID: "a-1", Subject: "maintenance:m",
			Edge: "start", OccurrenceAt: t0, Target: "user:alice:alice-hook", Message: "started", DueAt: t0, CreatedAt: t0}}); err != nil {
			t.Fatal(err)
		}
		takeOver := func(s *store.Store, now time.Time, want int64) {
			t.Helper()
			n, err := s.TakeOverLeases(ctx, now)
			if err != nil || n != want {
				t.Fatalf("TakeOverLeases at %v = %d %v, want %d", now.Sub(t0), n, err, want)
			}
		}

		// a's liveness session ends; a lives on and claims before it has
		// its lock back: a page of the loop, a first page (the ingest
		// write's claim) and an announcement.
		killSession(t, opts.DatabaseURL, a.NodeID())
		now := at(time.Second)
		var got []hypercare.Notification
		mustWrite(t, a, func(tx hypercare.Tx) (err error) {
			got, err = tx.ClaimNotifications(ctx, now, now.Add(3*time.Minute), 1)
			return err
		})
		if len(got) != 1 || got[0].ID != "n-1" {
			t.Fatalf("a claimed %v, want n-1", got)
		}
		mustWrite(t, a, func(tx hypercare.Tx) (err error) {
			got, err = tx.ClaimIncidentNotifications(ctx, "inc-2", now, now.Add(3*time.Minute))
			return err
		})
		if len(got) != 1 || got[0].ID != "n-first" {
			t.Fatalf("a claimed inc-2's pages %v, want n-first", got)
		}
		if ann, err := a.ClaimAnnouncements(ctx, now, now.Add(3*time.Minute), 10); err != nil || len(ann) != 1 {
			t.Fatalf("a claimed announcements %v %v, want a-1", ann, err)
		}
		// b sees a's lock free for the grace and longer: a is sending
		// them, b takes none of them.
		takeOver(b, now, 0)
		takeOver(b, now.Add(store.DeadNodeGrace), 0)
		takeOver(b, now.Add(time.Minute), 0)
		mustWrite(t, b, func(tx hypercare.Tx) (err error) {
			got, err = tx.ClaimNotifications(ctx, now.Add(time.Minute), now.Add(4*time.Minute), 10)
			return err
		})
		if len(got) != 2 || got[0].ID != "n-2" || got[1].ID != "n-3" {
			t.Fatalf("b claimed %v, want n-2 and n-3 (n-1 and n-first are a's until their leases end)", got)
		}
		// Their leases still end: then any node sends them again.
		mustWrite(t, b, func(tx hypercare.Tx) (err error) {
			got, err = tx.ClaimNotifications(ctx, now.Add(3*time.Minute), now.Add(6*time.Minute), 10)
			return err
		})
		if len(got) != 2 {
			t.Fatalf("b claimed %v once a's leases ended, want n-1 and n-first", got)
		}

		// a takes its lock back: its claims name it again, so its death
		// is seen and its lease taken over.
		if err := a.KeepAlive(ctx); err != nil {
			t.Fatal(err)
		}
		mustWrite(t, a, func(tx hypercare.Tx) error {
			return tx.InsertNotification(ctx, page("n-4", "inc-1", "alice-hook", 4, now))
		})
		later := now.Add(3*time.Minute + time.Second) // b's leases all still run
		mustWrite(t, a, func(tx hypercare.Tx) (err error) {
			got, err = tx.ClaimNotifications(ctx, later, later.Add(3*time.Minute), 10)
			return err
		})
		if len(got) != 1 || got[0].ID != "n-4" {
			t.Fatalf("a claimed %v, want n-4", got)
		}
		killSession(t, opts.DatabaseURL, a.NodeID())
		takeOver(b, later, 0)
		takeOver(b, later.Add(store.DeadNodeGrace), 1)
	})
}
