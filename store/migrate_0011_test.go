package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// An incident open before migration 0011 is a grouping candidate
// afterwards: its last alert time starts as its creation time, and it is
// neither transient nor flapping.
func TestMigration0011BackfillsOpenIncidents(t *testing.T) {
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
		for _, name := range []string{"0001_init.sql", "0002_escalation.sql", "0003_redact_routing_keys.sql",
			"0004_paging_visibility.sql", "0007_event_rules.sql"} {
			v := int(name[3] - '0')
			b, err := os.ReadFile(filepath.Join("migrations", dir, name))
			if err != nil {
				t.Fatal(err)
			}
			exec(string(b))
			exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, 0)", v, name)
		}
		created := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
		exec("INSERT INTO teams (id, name) VALUES ('web', 'Web')")
		exec("INSERT INTO services (id, name, description, team_id, escalation_policy, active, updated_at) VALUES ('shop', 'Shop', '', 'web', '', true, 0)")
		exec("INSERT INTO incidents (id, number, title, status, urgency, severity, service_id, alert_count, open_alert_count, created_at, updated_at) "+
			"VALUES ('inc-1', 1, 'Disk full', 'triggered', 'high', 'critical', 'shop', 1, 1, $1, $1)", created.UnixMicro())
		db.Close()

		s, err := store.Open(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ctx := context.Background()
		err = s.Write(ctx, "shop", func(tx hypercare.Tx) error {
			list, err := tx.OpenIncidentsOf(ctx, "shop", created.Add(-time.Minute), 10)
			if err != nil || len(list) != 1 || !list[0].LastAlertAt.Equal(created) || list[0].Title != "Disk full" {
				t.Errorf("candidates after 0011: %+v %v", list, err)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		inc, err := s.GetIncident(ctx, "inc-1")
		if err != nil || inc.Transient || inc.Flapping || inc.Features != "" {
			t.Fatalf("incident after 0011: %+v %v", inc, err)
		}
	})
}
