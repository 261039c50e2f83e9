package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// An incident already recovering when migration 0022 runs (its own alerts
// resolved, symptoms still firing) gets the default 10-minute grace from
// its last change, so it does not wait forever; other incidents get none.
func TestMigration0022GivesRecoveringIncidentsAGrace(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		o := openCurrent(t, e.Options(t))
		exec := o.exec
		exec("DROP TABLE symptom_grace") // as before 0022
		exec("DELETE FROM schema_migrations WHERE version = 22")
		changed := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
		exec("INSERT INTO teams (id, name) VALUES ('web', 'Web')")
		exec("INSERT INTO services (id, name, description, team_id, escalation_policy, active, updated_at) VALUES ('shop', 'Shop', '', 'web', '', true, 0)")
		for i, row := range []struct {
			status     string
			open, when int64
		}{{"triggered", 0, changed.UnixMicro()}, {"triggered", 1, 0}, {"resolved", 0, 0}} {
			exec("INSERT INTO incidents (id, number, title, status, urgency, severity, service_id, alert_count, open_alert_count, created_at, updated_at) "+
				"VALUES ($1, $2, 'Payments down', $3, 'high', 'critical', 'shop', 1, $4, 0, $5)",
				"inc-"+string(rune('1'+i)), i+1, row.status, row.open, row.when)
		}
		s := o.upgrade()
		ctx := context.Background()
		if due, ok, err := s.NextEscalationDue(ctx); err != nil || !ok || !due.Equal(changed.Add(10*time.Minute)) {
			t.Fatalf("NextEscalationDue after 0022 = %v %v %v, want %v", due, ok, err, changed.Add(10*time.Minute))
		}
		err := s.Write(ctx, "shop", func(tx hypercare.Tx) error {
			due, err := tx.DueSymptomGraces(ctx, changed.Add(24*time.Hour), 10)
			if err != nil || len(due) != 1 || due[0].IncidentID != "inc-1" || !due[0].RecoveringSince.Equal(changed) {
				t.Errorf("graces after 0022: %+v %v, want inc-1's", due, err)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
