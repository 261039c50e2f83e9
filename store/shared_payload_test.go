package store

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// TestEventsShareTheirAlertsPayload: on SQLite an event whose payload is
// byte for byte that of its alert's newest stored one stores none and
// names that event; a changed payload is stored and shared from then on;
// another alert's event, or one that names no alert, stores its own.
// (storetest's SharedEventPayloads checks what reads and retention make
// of it, on both engines.)
func TestEventsShareTheirAlertsPayload(t *testing.T) {
	ctx := t.Context()
	s, _ := openShop(t)
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	write(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertAlert(ctx, testAlert("disk", now)); err != nil {
			return err
		}
		return tx.InsertAlert(ctx, testAlert("cpu", now))
	})
	p1, p2 := []byte(`{"summary":"a"}`), []byte(`{"summary":"b"}`)
	events := []struct {
		id, key string
		payload []byte
		from    string // the event it shares, "" for a stored payload
	}{
		{"ev-1", "disk", p1, ""}, {"ev-2", "disk", p1, "ev-1"}, {"ev-3", "disk", p2, ""}, {"ev-4", "disk", p2, "ev-3"},
		{"ev-5", "disk", p1, ""}, {"ev-6", "cpu", p1, ""}, {"ev-7", "disk", p1, "ev-5"}, {"ev-8", "", p1, ""},
	}
	for _, e := range events {
		write(t, s, func(tx hypercare.Tx) error {
			rec := &hypercare.EventRecord{ID: e.id, ReceivedAt: now, IntegrationID: shopV2.ID, ServiceID: "shop",
				Action: hypercare.ActionTrigger, DedupKey: e.key, Outcome: hypercare.OutcomeUpdated,
				Payload: e.payload, PayloadEncoded: true}
			if e.key != "" {
				rec.AlertID = "al-" + e.key
			}
			return tx.InsertEvent(ctx, rec)
		})
	}
	for _, e := range events {
		var from string
		var stored bool
		err := s.rdb.QueryRowContext(ctx, "SELECT payload_from, payload IS NOT NULL FROM events WHERE id = $1", e.id).Scan(&from, &stored)
		if err != nil {
			t.Fatal(err)
		}
		if from != e.from || stored != (e.from == "") {
			t.Errorf("%s: payload_from %q, payload stored %v; want %q, %v", e.id, from, stored, e.from, e.from == "")
		}
	}
}
