package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// TestChatThreads checks the first chat message of an incident per address
// is kept, a later one does not replace it, and addresses and incidents
// do not mix, on every engine.
func TestChatThreads(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		st := e.Open(t)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- st.Run(ctx) }()
		defer func() { cancel(); <-done }()
		at := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
		if err := st.Write(ctx, "k", func(tx hypercare.Tx) error {
			if err := tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: "shop", Name: "Shop"}}, nil); err != nil {
				return err
			}
			return tx.InsertIncident(ctx, &hypercare.Incident{ID: "inc-1", Number: 1, Title: "Checkout down",
				Status: hypercare.StatusTriggered, Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityCritical,
				ServiceID: "shop", CreatedAt: at, UpdatedAt: at})
		}); err != nil {
			t.Fatal(err)
		}

		if _, _, ok, err := st.ChatThread(ctx, "inc-1", "U0ALICE"); ok || err != nil {
			t.Fatalf("empty store: ok %v err %v", ok, err)
		}
		if err := st.SaveChatThread(ctx, "inc-1", "U0ALICE", "D0ALICE", "1700000000.000100", at); err != nil {
			t.Fatal(err)
		}
		if err := st.SaveChatThread(ctx, "inc-1", "U0ALICE", "D0ALICE", "1700000099.000200", at); err != nil {
			t.Fatalf("second save: %v", err)
		}
		ch, ref, ok, err := st.ChatThread(ctx, "inc-1", "U0ALICE")
		if err != nil || !ok || ch != "D0ALICE" || ref != "1700000000.000100" {
			t.Errorf("thread = %q %q %v %v, want the first message", ch, ref, ok, err)
		}
		for _, k := range [][2]string{{"inc-1", "C0OTHER"}, {"inc-2", "U0ALICE"}} {
			if _, _, ok, _ := st.ChatThread(ctx, k[0], k[1]); ok {
				t.Errorf("%v has a thread it never got", k)
			}
		}
		if err := st.SaveChatThread(ctx, "gone", "U0ALICE", "D0ALICE", "1700000000.000300", at); err != nil {
			t.Errorf("save for an incident that does not exist: %v", err)
		}
		if _, _, ok, _ := st.ChatThread(ctx, "gone", "U0ALICE"); ok {
			t.Error("a thread was stored for an incident that does not exist")
		}
		if err := st.SaveChatThread(ctx, "inc-1", "U0BOB", "D0BOB", "bad\x00ref", at); err == nil {
			t.Error("NUL in ref accepted")
		}
	})
}
