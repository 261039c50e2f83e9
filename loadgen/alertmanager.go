package loadgen

import (
	"encoding/json"
	"fmt"
	"time"
)

// Formats of the requests a run sends.
const (
	// FormatEventsV2 is one PagerDuty Events API v2 event per request to
	// /v2/enqueue (the default).
	FormatEventsV2 = "events-v2"
	// FormatAlertmanager is an Alertmanager webhook notification (version
	// 4) of Options.Batch alerts per request to /integrations/{key}: how
	// Alertmanager itself delivers a group, the batched intake issue 11
	// compares with Alertmanager's own.
	FormatAlertmanager = "alertmanager"
)

// DefaultAlertmanagerBatch is the alerts per request of the alertmanager
// format when Options.Batch is 0.
const DefaultAlertmanagerBatch = 100

// amBody returns request seq's notification: alerts seq*batch to
// seq*batch+batch-1, each keyed (fingerprint) like the events-v2 event of
// the same number, firing for a trigger and resolved otherwise. A new
// alert starts now; a re-triggering one (Options.Keys > 0) is a re-send of
// an alert firing since the run began, so its startsAt is the run's start
// and only its endsAt (resolved) is now, as in Alertmanager's re-sends. The types
// are bench compare's (compare_wire.go), one definition of the wire shape.
func (s eventSource) amBody(seq int64, now time.Time) ([]byte, error) {
	groupKey, groupLabels := benchGroup(seq, s.batch, s.keys, "alertname", "HypercareBench")
	n := amWebhook{
		Version: "4", GroupKey: groupKey, Status: "firing", Receiver: "hypercare",
		GroupLabels: groupLabels, CommonLabels: map[string]string{"alertname": "HypercareBench"},
		CommonAnnotations: map[string]string{}, ExternalURL: "http://alertmanager.bench:9093",
		Alerts: make([]amAlert, s.batch),
	}
	stamp := now.UTC().Format(time.RFC3339Nano)
	starts := stamp
	if s.keys > 0 {
		starts = s.started
	}
	for i := range n.Alerts {
		ev := seq*int64(s.batch) + int64(i)
		key, dedup := s.key(ev)
		a := amAlert{
			Status: "firing",
			Labels: map[string]string{"alertname": "HypercareBench", "instance": fmt.Sprintf("bench-host-%02d", key%50),
				"severity": severityOf(key), "job": "loadgen", "key": fmt.Sprint(key)},
			Annotations: map[string]string{"summary": fmt.Sprintf("hypercare bench: synthetic alert %d", key)},
			StartsAt:    starts, EndsAt: "0001-01-01T00:00:00Z",
			GeneratorURL: "http://prometheus.bench:9090/graph", Fingerprint: dedup,
		}
		if s.action(ev) != "trigger" {
			a.Status, a.EndsAt = "resolved", stamp
		}
		n.Alerts[i] = a
	}
	return json.Marshal(n)
}
