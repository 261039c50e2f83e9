package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// TestNoForeignKeyChecks (migration 0046): neither engine checks a
// reference any more (PostgreSQL has no foreign key constraint left;
// SQLite's connections run with foreign_keys off, TestSQLitePragmas), and
// Store.Orphans counts a row naming a missing row under each reference
// it could name, so that the tests that check it (every store
// storetest.OpenStore opens, when it closes) would see one.
func TestNoForeignKeyChecks(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		opts := e.Options(t)
		raw := openCurrent(t, opts)
		if opts.DatabaseURL != "" {
			var n int
			if err := raw.db.QueryRow("SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f' " +
				"AND connamespace = current_schema()::regnamespace").Scan(&n); err != nil || n != 0 {
				t.Fatalf("foreign keys left: %d, %v", n, err)
			}
		}
		// Not storetest.OpenStore: its closing check would fail this
		// test, whose store holds orphans on purpose.
		s, err := store.Open(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		writeOrphans(t, s)
		// What the store's own methods refuse to write, raw.
		raw.exec("INSERT INTO integrations (id, service_id, type, name, key_hash) VALUES ('int-ghost', 'ghost', 'events-v2', '', '')")
		raw.exec("INSERT INTO chat_threads (incident_id, address, channel, ref, created_at) VALUES ('missing', 'U0ALICE', 'D0ALICE', '1.2', 0)")
		raw.exec("INSERT INTO incident_feedback (incident_id, verdict, note, actor_type, actor_id, actor_name, at) " +
			"VALUES ('missing', 'noise', '', 'user', 'u', 'U', 0)")
		got, err := s.Orphans(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ref := range []string{"alerts.service_id", "alerts.incident_id", "incidents.service_id", "integrations.service_id",
			"timeline", "escalations", "notifications", "incident_feedback", "merged_groups", "chat_threads", "symptom_grace",
			"alerts.symptom_of"} {
			if got[ref] != 1 {
				t.Errorf("orphans of %s = %d, want 1", ref, got[ref])
			}
		}
		if got["events.payload_from"] != 0 {
			t.Errorf("orphans of events.payload_from = %d, want 0", got["events.payload_from"])
		}
	})
}

// writeOrphans writes, through the store, one row naming a missing service
// or incident per reference the store's methods can write without checking
// it (their callers read the incident first).
func writeOrphans(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	inc := func(id, service string) *hypercare.Incident {
		return &hypercare.Incident{ID: id, Number: int64(len(id)), Title: id, Status: hypercare.StatusTriggered,
			Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityCritical, ServiceID: service, CreatedAt: at, UpdatedAt: at}
	}
	alert := func(id, service, incident, key string) *hypercare.Alert {
		return &hypercare.Alert{ID: id, ServiceID: service, IncidentID: incident, IntegrationID: "int", DedupKey: key,
			Status: hypercare.StatusTriggered, Summary: key, Severity: hypercare.SeverityCritical, EventCount: 1,
			FirstSeenAt: at, LastSeenAt: at}
	}
	err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
		steps := []func() error{
			func() error {
				return tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: "shop", Name: "Shop"}}, nil)
			},
			func() error { return tx.InsertIncident(ctx, inc("inc-1", "shop")) },
			func() error { return tx.InsertIncident(ctx, inc("inc-ghost", "ghost")) },
			func() error { return tx.InsertAlert(ctx, alert("al-1", "ghost", "inc-1", "a")) },
			func() error { return tx.InsertAlert(ctx, alert("al-2", "shop", "missing", "b")) },
			func() error {
				a := alert("al-3", "shop", "", "c")
				a.SymptomOf = "missing"
				return tx.InsertAlert(ctx, a)
			},
			func() error {
				return tx.AppendTimeline(ctx, &hypercare.TimelineEntry{ID: "tl-1", IncidentID: "missing", At: at,
					Type: hypercare.TimelineNote, Actor: hypercare.SystemActor})
			},
			func() error {
				return tx.SaveEscalation(ctx, &hypercare.EscalationState{IncidentID: "missing", PolicyID: "p", ServiceID: "shop",
					Status: "active", DueAt: at, Urgency: hypercare.UrgencyHigh, UpdatedAt: at})
			},
			func() error {
				return tx.InsertNotification(ctx, &hypercare.Notification{ID: "n-1", IncidentID: "missing", UserID: "u",
					ContactMethod: "c", Type: hypercare.ContactWebhook, Status: "pending", DueAt: at, CreatedAt: at})
			},
			func() error {
				return tx.SetSymptomGrace(ctx, &hypercare.SymptomGrace{IncidentID: "missing", RecoveringSince: at, DueAt: at})
			},
			func() error {
				return tx.MergeGroup(ctx, &hypercare.Incident{ID: "inc-x", ServiceID: "shop", GroupKey: "g"}, "missing")
			},
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
