package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// An incident open before migration 0011 is a grouping candidate
// afterwards: its last alert time starts as its creation time, and it is
// neither transient nor flapping.
func TestMigration0011BackfillsOpenIncidents(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		o := openOld(t, e.Options(t))
		o.apply("0001_init.sql", "0002_escalation.sql", "0003_redact_routing_keys.sql",
			"0004_paging_visibility.sql", "0007_event_rules.sql")
		exec := o.exec
		created := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
		exec("INSERT INTO teams (id, name) VALUES ('web', 'Web')")
		exec("INSERT INTO services (id, name, description, team_id, escalation_policy, active, updated_at) VALUES ('shop', 'Shop', '', 'web', '', true, 0)")
		exec("INSERT INTO incidents (id, number, title, status, urgency, severity, service_id, alert_count, open_alert_count, created_at, updated_at) "+
			"VALUES ('inc-1', 1, 'Disk full', 'triggered', 'high', 'critical', 'shop', 1, 1, $1, $1)", created.UnixMicro())
		s := o.upgrade()
		ctx := context.Background()
		err := s.Write(ctx, "shop", func(tx hypercare.Tx) error {
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
