package api_test

import (
	"net/http"
	"testing"
)

// The tests in the ingest_wire*_test.go files pin Hypercare's ingest
// answers to the wire contracts of the tools that send to it, as those
// tools' own code reads them.

// TestEventsV1ThrottleIs403: PagerDuty's Events API v1 answers a throttled
// event 403 Forbidden, not 429 ("If the service has received too many
// events, a 403 Forbidden will be returned ... be sure to retry on a 403",
// PagerDuty developer docs, events-API-v1). v1 clients retry on 403 only:
// PagerDuty's own pdagent (sendevent.py) backs off and keeps the event on
// 403 and drops it as a bad entry on any other 4xx, and Alertmanager's
// pagerduty notifier with a service_key retries 403 and 5xx only. A 429
// there loses the event.
func TestEventsV1ThrottleIs403(t *testing.T) {
	e := newEnv(t, storetestEngines(t)[0].Open(t), 60) // 1/s, burst 10
	body := map[string]any{"service_key": keyCheckout, "event_type": "trigger",
		"incident_key": "nagios/web-01/http", "description": "HTTP CRITICAL on web-01"}
	for i := 0; i < 11; i++ {
		var out pd
		code := e.do("POST", "/generic/2010-04-15/create_event.json", "", body, &out)
		if code == http.StatusOK {
			continue
		}
		if code != http.StatusForbidden {
			t.Fatalf("throttled v1 event answered %d %+v, want 403 (PagerDuty v1's throttle code, the one v1 clients retry)", code, out)
		}
		return
	}
	t.Fatal("11 v1 events in one instant at 60/min were not throttled")
}
