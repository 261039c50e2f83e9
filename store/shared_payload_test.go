package store

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// TestEventsShareTheirAlertsPayload: on SQLite an event whose payload is
// byte for byte that of its alert's newest stored one stores none and
// names that event; a changed payload is stored and shared from then on;
// another alert's event, one that names no alert, or one received after
// the shared event's window, stores its own; a shared event's
// shared_until is the end of its window.
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
	later := now.Add(shareWindow + time.Microsecond)
	events := []struct {
		id, key string
		payload []byte
		from    string // the event it shares, "" for a stored payload
		at      time.Time
		until   time.Time // its shared_until, zero for none
	}{
		{"ev-1", "disk", p1, "", now, now.Add(shareWindow)}, {"ev-2", "disk", p1, "ev-1", now, time.Time{}},
		{"ev-3", "disk", p2, "", now, now.Add(shareWindow)}, {"ev-4", "disk", p2, "ev-3", now.Add(shareWindow), time.Time{}},
		{"ev-5", "disk", p1, "", now, time.Time{}}, {"ev-6", "cpu", p1, "", now, time.Time{}},
		{"ev-7", "disk", p1, "", later, later.Add(shareWindow)}, {"ev-8", "", p1, "", now, time.Time{}},
		{"ev-9", "disk", p1, "ev-7", later, time.Time{}},
	}
	for _, e := range events {
		write(t, s, func(tx hypercare.Tx) error {
			rec := &hypercare.EventRecord{ID: e.id, ReceivedAt: e.at, IntegrationID: shopV2.ID, ServiceID: "shop",
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
		var until int64
		err := s.rdb.QueryRowContext(ctx, "SELECT payload_from, payload IS NOT NULL, shared_until FROM events WHERE id = $1",
			e.id).Scan(&from, &stored, &until)
		if err != nil {
			t.Fatal(err)
		}
		wantUntil := int64(0)
		if !e.until.IsZero() {
			wantUntil = micros(e.until)
		}
		if from != e.from || stored != (e.from == "") || until != wantUntil {
			t.Errorf("%s: payload_from %q, payload stored %v, shared_until %d; want %q, %v, %d",
				e.id, from, stored, until, e.from, e.from == "", wantUntil)
		}
	}
}
