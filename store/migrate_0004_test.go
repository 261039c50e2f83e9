package store_test

import (
	"context"
	"testing"

	"github.com/hypercare/hypercare/storetest"
)

// A database from before migration 0004 keeps its pages and feeds: a
// stored error (which may name hosts and ports) becomes admin-only detail,
// and an existing feed gets an ID so it can be listed and revoked.
func TestMigration0004UpgradesOldRows(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		o := openOld(t, e.Options(t))
		// In order: a map's random order applied 0002 before 0001 now and then.
		o.apply("0001_init.sql", "0002_escalation.sql")
		exec := o.exec
		exec("INSERT INTO teams (id, name) VALUES ('web', 'Web')")
		exec("INSERT INTO services (id, name, description, team_id, escalation_policy, active, updated_at) VALUES ('shop', 'Shop', '', 'web', '', true, 0)")
		exec("INSERT INTO incidents (id, number, title, status, urgency, severity, service_id, alert_count, open_alert_count, created_at, updated_at) " +
			"VALUES ('inc-1', 1, 'x', 'triggered', 'high', 'critical', 'shop', 1, 1, 0, 0)")
		exec("INSERT INTO notifications (id, incident_id, user_id, contact_method, type, level, loop, step, reason, status, attempts, last_error, due_at, created_at) " +
			"VALUES ('n-1', 'inc-1', 'bob', 'bob-hook', 'webhook', 1, 0, 0, 'r', 'failed', 8, 'dial tcp 10.0.0.5:8443: connection refused', 0, 0)")
		exec("INSERT INTO calendar_feeds (token_hash, kind, subject, created_at) VALUES ('0123456789abcdef0123', 'schedules', 'primary', 0)")
		s := o.upgrade()
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
