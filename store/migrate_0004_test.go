package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// A database from before migration 0004 keeps its pages and feeds: a
// stored error (which may name hosts and ports) becomes admin-only detail,
// and an existing feed gets an ID so it can be listed and revoked.
func TestMigration0004UpgradesOldRows(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		opts := e.Options(t)
		driver, dsn, dir := "pgx", opts.DatabaseURL, "postgres"
		if opts.DatabaseURL == "" {
			driver, dsn, dir = "sqlite", filepath.Join(opts.DataDir, "hypercare.db"), "sqlite"
		}
		db, err := sql.Open(driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.Exec(q, args...); err != nil {
				t.Fatalf("%.60s: %v", q, err)
			}
		}
		exec("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
		// In order: a map's random order applied 0002 before 0001 now and then.
		for v, name := range []string{1: "0001_init.sql", 2: "0002_escalation.sql"} {
			if name == "" {
				continue
			}
			b, err := os.ReadFile(filepath.Join("migrations", dir, name))
			if err != nil {
				t.Fatal(err)
			}
			exec(string(b))
			exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, 0)", v, name)
		}
		exec("INSERT INTO teams (id, name) VALUES ('web', 'Web')")
		exec("INSERT INTO services (id, name, description, team_id, escalation_policy, active, updated_at) VALUES ('shop', 'Shop', '', 'web', '', true, 0)")
		exec("INSERT INTO incidents (id, number, title, status, urgency, severity, service_id, alert_count, open_alert_count, created_at, updated_at) " +
			"VALUES ('inc-1', 1, 'x', 'triggered', 'high', 'critical', 'shop', 1, 1, 0, 0)")
		exec("INSERT INTO notifications (id, incident_id, user_id, contact_method, type, level, loop, step, reason, status, attempts, last_error, due_at, created_at) " +
			"VALUES ('n-1', 'inc-1', 'bob', 'bob-hook', 'webhook', 1, 0, 0, 'r', 'failed', 8, 'dial tcp 10.0.0.5:8443: connection refused', 0, 0)")
		exec("INSERT INTO calendar_feeds (token_hash, kind, subject, created_at) VALUES ('0123456789abcdef0123', 'schedules', 'primary', 0)")
		db.Close()

		s, err := store.Open(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		list, err := s.ListNotifications(context.Background(), "inc-1")
		if err != nil || len(list) != 1 || list[0].LastError != "delivery failed" ||
			list[0].ErrorDetail != "dial tcp 10.0.0.5:8443: connection refused" {
			t.Fatalf("old page after 0004: %+v %v", list, err)
		}
		feeds, err := s.ListCalendarFeeds(context.Background())
		if err != nil || len(feeds) != 1 || feeds[0].ID != "0123456789abcdef" {
			t.Fatalf("old feed after 0004: %+v %v", feeds, err)
		}
	})
}
