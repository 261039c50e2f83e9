package store_test

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// TestSharedPayloadRetentionOnEveryEngine: rows shared as SQLite's writer
// shares them read back whole on both engines, keep their payload when
// retention deletes the event they share, and the kept payload goes once
// the cutoff passes the end of its window (PostgreSQL's writers never
// share, so the contract suite alone would not run this there).
func TestSharedPayloadRetentionOnEveryEngine(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		s := e.Open(t)
		t0 := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
		err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
			if err := tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: "shop", Name: "Shop", Active: true}},
				[]hypercare.Integration{{ID: "shop-v2", ServiceID: "shop", Type: hypercare.IntegrationEventsV2,
					Key: "0123456789abcdef0123456789abcdef"}}); err != nil {
				return err
			}
			for i, id := range []string{"ev-1", "ev-2", "ev-3"} {
				if err := tx.InsertEvent(ctx, &hypercare.EventRecord{ID: id, ReceivedAt: t0.Add(time.Duration(i) * time.Minute),
					IntegrationID: "shop-v2", ServiceID: "shop", Action: hypercare.ActionTrigger, DedupKey: "disk",
					Outcome: hypercare.OutcomeUpdated, Payload: []byte(`{"summary":"disk full"}`)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		until := t0.Add(time.Hour).UnixMicro()
		for _, sharer := range []string{"ev-2", "ev-3"} {
			if err := s.ShareForTest(ctx, sharer, "ev-1", until); err != nil {
				t.Fatal(err)
			}
		}
		check := func(want ...string) {
			t.Helper()
			evs, _, err := s.ListEvents(ctx, hypercare.Page{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != len(want) {
				t.Fatalf("%d events, want %v", len(evs), want)
			}
			for i, ev := range evs {
				if ev.ID != want[i] || string(ev.Payload) != `{"summary":"disk full"}` {
					t.Errorf("event %d: %s with payload %q, want %s", i, ev.ID, ev.Payload, want[i])
				}
			}
		}
		check("ev-3", "ev-2", "ev-1")
		prune := func(cut time.Time) hypercare.PruneResult {
			t.Helper()
			r, err := s.Prune(ctx, hypercare.RetentionCutoffs{Events: cut}, 100)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		if r := prune(t0.Add(30 * time.Second)); r.Events != 1 {
			t.Fatalf("first prune deleted %+v, want ev-1", r)
		}
		check("ev-3", "ev-2")
		if r := prune(t0.Add(3 * time.Minute)); r.Events != 2 || r.Other != 0 {
			t.Fatalf("second prune deleted %+v, want ev-2 and ev-3 and no kept payload (its window is open)", r)
		}
		if r := prune(t0.Add(time.Hour + time.Second)); r.Other != 1 {
			t.Fatalf("prune past the window deleted %+v, want the kept payload", r)
		}
	})
}
