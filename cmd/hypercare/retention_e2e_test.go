package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestServeRunsRetention: serve starts the retention engine from the
// config's retention section and exposes its counter on /metrics, every
// kind from the start (a freshly started server has nothing old to
// delete, so each is 0).
func TestServeRunsRetention(t *testing.T) {
	forEachEngine(t, func(t *testing.T, storeArgs []string) {
		s := startServerWithConfig(t, e2eConfig+"retention: {incidents_days: 30, events_days: 7, interval: 1s}\n", storeArgs)
		s.waitReady(t)
		code, body := s.get(t, "", "/metrics")
		if code != http.StatusOK {
			t.Fatalf("/metrics = %d", code)
		}
		for _, kind := range []string{"events", "incidents", "alerts", "notifications"} {
			if want := `hypercare_retention_deleted_total{kind="` + kind + `"} 0`; !strings.Contains(string(body), want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
	})
}
