package loadgen

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"time"
)

// The request bodies of bench compare. Each server gets the same alerts
// (same keys, same count per request) in the format it speaks: Hypercare a
// PagerDuty event or an Alertmanager webhook notification, Alertmanager its
// own POST /api/v2/alerts array, the bare endpoint what Hypercare gets.

// amAlert is one alert as Prometheus posts it to Alertmanager's
// /api/v2/alerts, and (with Status and Fingerprint) as Alertmanager's
// webhook notifier sends it on.
type amAlert struct {
	Status       string            `json:"status,omitempty"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     string            `json:"startsAt"`
	EndsAt       string            `json:"endsAt,omitempty"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint,omitempty"`
}

// amWebhook is Alertmanager's webhook notification, version 4: what its
// webhook_configs receivers (Hypercare's /integrations/{key}) get.
type amWebhook struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []amAlert         `json:"alerts"`
}

// compareAlerts numbers the alerts of a compare run: request seq carries
// alerts seq*batch … seq*batch+batch-1; with keys > 0 alert i has key
// i mod keys (re-triggering), else its own key, unique in the run.
type compareAlerts struct {
	batch int
	keys  int
	runID string
	// started is the run's start: the startsAt of every re-triggering
	// alert, firing since the run began. Prometheus re-sends a firing
	// alert with the startsAt it became active at, and Alertmanager's
	// webhook re-sends carry it on (as bench ingest's notifications do);
	// until stop 32 every send here said "started now", a change on each
	// re-send that no real sender makes. Zero: now.
	started time.Time
}

// key returns alert i's key number and dedup key (a label value for
// Alertmanager, which has no dedup key: its label set is its identity).
func (c compareAlerts) key(i int64) (int64, string) { return benchKey(c.keys, c.runID, i) }

// alert returns alert i as Prometheus would post it.
func (c compareAlerts) alert(i int64, now time.Time) amAlert {
	k, dedup := c.key(i)
	return amAlert{
		Labels: map[string]string{
			"alertname": "HypercareBench",
			"dedup":     dedup,
			"instance":  fmt.Sprintf("bench-host-%02d", k%50),
			"job":       "loadgen",
			"severity":  severityOf(k),
		},
		Annotations:  map[string]string{"summary": fmt.Sprintf("hypercare bench: synthetic alert %d", k)},
		StartsAt:     c.startsAt(now).UTC().Format(time.RFC3339Nano),
		GeneratorURL: "http://prometheus.bench:9090/graph?g0.expr=up",
	}
}

// startsAt is when an alert sent at now started firing: now for a new
// alert, the run's start for a re-triggering one.
func (c compareAlerts) startsAt(now time.Time) time.Time {
	if c.keys > 0 && !c.started.IsZero() {
		return c.started
	}
	return now
}

// alerts returns request seq's alerts.
func (c compareAlerts) alerts(seq int64, now time.Time) []amAlert {
	out := make([]amAlert, c.batch)
	for j := range out {
		out[j] = c.alert(seq*int64(c.batch)+int64(j), now)
	}
	return out
}

// pdBody is request seq as one PagerDuty event (batch must be 1).
func (c compareAlerts) pdBody(routingKey string) func(int64, time.Time) ([]byte, error) {
	return func(seq int64, now time.Time) ([]byte, error) {
		k, dedup := c.key(seq)
		return json.Marshal(pdEvent{
			RoutingKey: routingKey, EventAction: "trigger", DedupKey: dedup, Client: "hypercare bench",
			Payload: triggerPayload(seq, k, now),
		})
	}
}

// amBody is request seq as Alertmanager's POST /api/v2/alerts array.
func (c compareAlerts) amBody(seq int64, now time.Time) ([]byte, error) {
	return json.Marshal(c.alerts(seq, now))
}

// webhookBody is request seq as an Alertmanager webhook notification of
// one group holding the batch, as Alertmanager would forward it.
func (c compareAlerts) webhookBody(seq int64, now time.Time) ([]byte, error) {
	alerts := c.alerts(seq, now)
	for j := range alerts {
		a := &alerts[j]
		a.Status, a.EndsAt = "firing", "0001-01-01T00:00:00Z"
		a.Fingerprint = fingerprint(a.Labels["dedup"])
	}
	key, labels := benchGroup(seq, c.batch, c.keys, "job", "loadgen")
	return json.Marshal(amWebhook{
		Version: "4", GroupKey: key, Status: "firing", Receiver: "hypercare",
		GroupLabels:       labels,
		CommonLabels:      map[string]string{"alertname": "HypercareBench", "job": "loadgen"},
		CommonAnnotations: map[string]string{},
		ExternalURL:       "http://alertmanager.bench:9093",
		Alerts:            alerts,
	})
}

// benchGroup is the Alertmanager group of request seq's batch: a route
// grouping by (name, value) and "batch", so each notification of new
// alerts is a new group (an outage of its own), and a re-sent batch
// (keys > 0) is the group it was the first time. Its groupKey and
// groupLabels, as Alertmanager writes them.
func benchGroup(seq int64, batch, keys int, name, value string) (string, map[string]string) {
	n := seq
	if keys > 0 {
		n = seq * int64(batch) % int64(keys) // the batch's first key: the same alerts, the same group
	}
	b := fmt.Sprint(n)
	return fmt.Sprintf("{}:{batch=%q, %s=%q}", b, name, value), map[string]string{"batch": b, name: value}
}

// fingerprint is a stable 16-hex-digit fingerprint of a dedup label, like
// Alertmanager's (FNV-1a, 64 bits).
func fingerprint(s string) string {
	h := fnv.New64a()
	h.Write([]byte(s))
	return fmt.Sprintf("%016x", h.Sum64())
}

// wireFor returns the requests server kind gets in a compare scenario:
// Alertmanager its own API, Hypercare and the bare endpoint PagerDuty
// events (one alert a request) or webhook notifications (batches).
func (c compareAlerts) wireFor(kind ServerKind, routingKey, amKey string) *Wire {
	switch {
	case kind == Alertmanager:
		return &Wire{Path: "/api/v2/alerts", Body: c.amBody, Accepted: http.StatusOK}
	case c.batch == 1:
		return &Wire{Path: "/v2/enqueue", Body: c.pdBody(routingKey)}
	default:
		return &Wire{Path: "/integrations/" + amKey, Body: c.webhookBody}
	}
}
