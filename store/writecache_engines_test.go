package store_test

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// On both engines the silences and change bounds a write keeps (for the
// write connection's life on SQLite, for one transaction on PostgreSQL)
// never hide what the transaction itself wrote, nor what another node
// committed before the next transaction began.
func TestWriteCachesSeeWritesAndOtherNodes(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		a, b, _ := twoNodesWithShop(t, e)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		t0 := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
		silence := func(id string) *hypercare.Silence {
			return &hypercare.Silence{ID: id, Matchers: []string{`env="prod"`}, Services: []string{"shop"},
				StartsAt: t0, EndsAt: t0.Add(time.Hour), Comment: "c", CreatedBy: "alice", CreatedAt: t0}
		}
		change := func(id string, at time.Time) *hypercare.ChangeEvent {
			return &hypercare.ChangeEvent{ID: id, ServiceID: "shop", IntegrationID: "shop-v2", Summary: "deploy",
				Source: "ci", Timestamp: at, ReceivedAt: at}
		}
		// seen checks the silences active a minute after t0 and the change
		// events within a minute of around.
		seen := func(label string, tx hypercare.Tx, around time.Time, silences, changes int) {
			t.Helper()
			ss, err := tx.ActiveSilences(ctx, t0.Add(time.Minute))
			must(err)
			cs, err := tx.RecentChanges(ctx, "shop", around.Add(-time.Minute), around.Add(time.Minute))
			must(err)
			if len(ss) != silences || len(cs) != changes {
				t.Errorf("%s: %d silences, %d changes; want %d, %d", label, len(ss), len(cs), silences, changes)
			}
		}
		early := t0.Add(-10 * time.Minute)
		must(a.Write(ctx, "k", func(tx hypercare.Tx) error {
			seen("before any write", tx, early, 0, 0)
			must(tx.InsertSilence(ctx, silence("s1")))
			must(tx.InsertChangeEvent(ctx, change("c1", early)))
			seen("after writing in the same transaction", tx, early, 1, 1)
			return nil
		}))
		// A transaction that only reads: what it learns (one silence, no
		// change event near t0) must not outlive what other nodes commit.
		must(a.Write(ctx, "k", func(tx hypercare.Tx) error {
			seen("in a later transaction", tx, t0, 1, 0)
			return nil
		}))
		must(b.Write(ctx, "k", func(tx hypercare.Tx) error {
			must(tx.InsertSilence(ctx, silence("s2")))
			return tx.InsertChangeEvent(ctx, change("c2", t0))
		}))
		must(a.Write(ctx, "k", func(tx hypercare.Tx) error {
			seen("after the other node's commit", tx, t0, 2, 1)
			return nil
		}))
	})
}
