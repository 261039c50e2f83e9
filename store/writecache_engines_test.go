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
		opts := e.Options(t)
		a, b := storetest.OpenStore(t, opts), storetest.OpenStore(t, opts)
		it := hypercare.Integration{ID: "shop-v2", ServiceID: "shop", Type: hypercare.IntegrationEventsV2,
			Key: "0123456789abcdef0123456789abcdef"}
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(a.Write(ctx, "k", func(tx hypercare.Tx) error {
			return tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: "shop", Name: "Shop", Active: true}}, []hypercare.Integration{it})
		}))
		t0 := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
		silence := func(id string) *hypercare.Silence {
			return &hypercare.Silence{ID: id, Matchers: []string{`env="prod"`}, Services: []string{"shop"},
				StartsAt: t0, EndsAt: t0.Add(time.Hour), Comment: "c", CreatedBy: "alice", CreatedAt: t0}
		}
		change := func(id string) *hypercare.ChangeEvent {
			return &hypercare.ChangeEvent{ID: id, ServiceID: "shop", IntegrationID: "shop-v2", Summary: "deploy",
				Source: "ci", Timestamp: t0, ReceivedAt: t0}
		}
		seen := func(label string, tx hypercare.Tx, silences, changes int) {
			t.Helper()
			ss, err := tx.ActiveSilences(ctx, t0.Add(time.Minute))
			must(err)
			cs, err := tx.RecentChanges(ctx, "shop", t0.Add(-time.Minute), t0.Add(time.Minute))
			must(err)
			if len(ss) != silences || len(cs) != changes {
				t.Errorf("%s: %d silences, %d changes; want %d, %d", label, len(ss), len(cs), silences, changes)
			}
		}
		must(a.Write(ctx, "k", func(tx hypercare.Tx) error {
			seen("before any write", tx, 0, 0)
			must(tx.InsertSilence(ctx, silence("s1")))
			must(tx.InsertChangeEvent(ctx, change("c1")))
			seen("after writing in the same transaction", tx, 1, 1)
			return nil
		}))
		must(b.Write(ctx, "k", func(tx hypercare.Tx) error {
			must(tx.InsertSilence(ctx, silence("s2")))
			return tx.InsertChangeEvent(ctx, change("c2"))
		}))
		must(a.Write(ctx, "k", func(tx hypercare.Tx) error {
			seen("after the other node's commit", tx, 2, 2)
			return nil
		}))
	})
}
