package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/hypercare/hypercare/storetest"
)

// Events logged before migration 0044 still tell when their integration
// last sent: on SQLite the migration fills integration_activity from the
// event log before it drops the index that answered it.
func TestMigration0044KeepsWhenIntegrationsLastSent(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		o := openOld(t, e.Options(t))
		o.applyBelow(44)
		at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		for i, integ := range []string{"a", "a", "b", "a"} {
			o.exec("INSERT INTO events (id, received_at, integration_id, service_id, action, dedup_key, alert_id, "+
				"incident_id, outcome, payload, rules) VALUES ($1, $2, $3, 'svc', 'trigger', 'k', '', '', 'created', NULL, '')",
				"ev-"+string(rune('0'+i)), at.Add(time.Duration(i)*time.Hour).UnixMicro(), integ)
		}
		s := o.upgrade()
		got, err := s.LastEventAt(context.Background(), []string{"a", "b", "c"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || !got["a"].Equal(at.Add(3*time.Hour)) || !got["b"].Equal(at.Add(2*time.Hour)) {
			t.Fatalf("LastEventAt after 0044 = %v", got)
		}
	})
}
