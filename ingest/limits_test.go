package ingest

import (
	"strings"
	"testing"
	"time"
)

const farTS = "9999-12-31T23:59:59-23:59" // year 10000 in UTC

func TestTimestampRange(t *testing.T) {
	rule := "is invalid (must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z once converted to UTC)"
	trigger := `{"routing_key":"` + testKey + `","event_action":"trigger","payload":{"summary":"s","source":"x","severity":"info","timestamp":"%s"}}`
	for _, ts := range []string{farTS, "0001-01-01T00:00:00+00:01"} {
		_, err := ParseEventsV2([]byte(strings.Replace(trigger, "%s", ts, 1)))
		wantProblems(t, err, fe("payload.timestamp", "'payload.timestamp' "+rule))
		_, _, err = ParseChangeV2([]byte(`{"routing_key":"` + testKey + `","payload":{"summary":"s","timestamp":"` + ts + `"}}`))
		wantProblems(t, err, fe("payload.timestamp", "'payload.timestamp' "+rule))
		_, err = ParseGeneric([]byte(`[{"summary":"s"},{"summary":"s","timestamp":"` + ts + `"}]`))
		wantProblems(t, err, fe("[1].timestamp", "'[1].timestamp' "+rule))
	}
	// The extremes themselves are fine.
	e, err := ParseEventsV2([]byte(strings.Replace(trigger, "%s", "9999-12-31T23:59:59+01:00", 1)))
	if err != nil || e.Timestamp == nil || !e.Timestamp.Equal(time.Date(9999, 12, 31, 22, 59, 59, 0, time.UTC)) {
		t.Fatalf("9999-12-31T23:59:59+01:00: %v %v", e.Timestamp, err)
	}
	// Alertmanager and Grafana ignore such times so the batch lands.
	events, err := ParseAlertmanager([]byte(`{"version":"4","alerts":[{"status":"resolved","labels":{"a":"b"},"startsAt":"` + farTS + `","endsAt":"` + farTS + `"}]}`))
	if err != nil || len(events) != 1 || events[0].Timestamp != nil {
		t.Fatalf("alertmanager with far times: %+v %v", events, err)
	}
}

func TestMaxBatch(t *testing.T) {
	over := "[" + strings.TrimSuffix(strings.Repeat(`{"summary":"s"},`, MaxBatch+1), ",") + "]"
	_, err := ParseGeneric([]byte(over))
	wantProblems(t, err, fe("body", "'body' has 5001 elements (the most one request may carry is 5000; send them in smaller batches)"))
	_, err = ParseAlertmanager([]byte(`{"version":"4","alerts":` + over + `}`))
	wantProblems(t, err, fe("alerts", "'alerts' has 5001 elements (the most one request may carry is 5000; send them in smaller batches)"))
	at := "[" + strings.TrimSuffix(strings.Repeat(`{"summary":"s"},`, MaxBatch), ",") + "]"
	if events, err := ParseGeneric([]byte(at)); err != nil || len(events) != MaxBatch {
		t.Fatalf("batch of MaxBatch: %d events, %v", len(events), err)
	}
}

func TestPeekRoutingKey(t *testing.T) {
	for _, tc := range []struct {
		body string
		v1   bool
		want string
		ok   bool
	}{
		{`{"routing_key":"` + testKey + `","payload":[1,2]}`, false, testKey, true},
		{`{"service_key":"` + testKey + `"}`, true, testKey, true},
		{`{"service_key":"` + testKey + `"}`, false, "", false},
		{`{"routing_key":"short"}`, false, "", false},
		{`{"routing_key":1}`, false, "", false},
		{`{"routing_key":"` + testKey + `"`, false, "", false}, // not JSON
		{`[]`, false, "", false},
	} {
		if got, ok := PeekRoutingKey([]byte(tc.body), tc.v1); got != tc.want || ok != tc.ok {
			t.Errorf("PeekRoutingKey(%s, %v) = %q, %v", tc.body, tc.v1, got, ok)
		}
	}
}
