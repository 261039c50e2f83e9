package api

import (
	"context"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/intake"
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the server's Prometheus instruments.
type metrics struct {
	events        *prometheus.CounterVec
	ingestLatency *prometheus.HistogramVec
	storeErrors   prometheus.Counter
	// feedback counts verdicts given on incidents (noise, actionable).
	feedback *prometheus.CounterVec
}

// Event outcomes beyond the store's, for rejected requests.
const (
	outcomeRejected    = "rejected"
	outcomeRateLimited = "rate_limited"
	outcomeError       = "error"
)

func newMetrics(reg *prometheus.Registry, st hypercare.Store, in *intake.Intake) *metrics {
	m := &metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hypercare_events_total",
			Help: "Events received, by integration (its type: events-v2, alertmanager, grafana, generic; change for change events; unknown when no integration matched) and outcome (created, updated, acknowledged, resolved, ignored, suppressed, dropped, grouped, symptom, rejected, rate_limited, error).",
		}, []string{"integration", "outcome"}),
		ingestLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hypercare_ingest_duration_seconds",
			Help:    "Time from receiving an ingest request to answering it (after commit), by endpoint.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"endpoint"}),
		storeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hypercare_store_errors_total",
			Help: "Requests that failed with an internal or unavailable store error.",
		}),
		feedback: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hypercare_incident_feedback_total",
			Help: "Verdicts responders gave on incidents (POST /api/v1/incidents/{id}/feedback), by verdict: noise or actionable.",
		}, []string{"verdict"}),
	}
	for _, v := range []hypercare.Verdict{hypercare.VerdictNoise, hypercare.VerdictActionable} {
		m.feedback.WithLabelValues(string(v))
	}
	reg.MustRegister(m.events, m.ingestLatency, m.storeErrors, m.feedback, &openIncidents{store: st})
	if in != nil {
		reg.MustRegister(&ruleCounters{intake: in})
	}
	return m
}

// ruleCounters reports what each event rule did, from intake's counters,
// so a team can see which rules fire (and which never do or keep failing)
// before trusting them with a peak.
type ruleCounters struct{ intake *intake.Intake }

var (
	ruleHitsDesc = prometheus.NewDesc("hypercare_rule_hits_total",
		"Events an event rule matched and acted on, by rule ID.", []string{"rule"}, nil)
	ruleErrorsDesc = prometheus.NewDesc("hypercare_rule_errors_total",
		"Evaluations of an event rule that failed at run time (the rule was skipped for that event), by rule ID.",
		[]string{"rule"}, nil)
)

// Describe implements prometheus.Collector.
func (r *ruleCounters) Describe(ch chan<- *prometheus.Desc) {
	ch <- ruleHitsDesc
	ch <- ruleErrorsDesc
}

// Collect implements prometheus.Collector.
func (r *ruleCounters) Collect(ch chan<- prometheus.Metric) {
	for _, st := range r.intake.RuleStats() {
		ch <- prometheus.MustNewConstMetric(ruleHitsDesc, prometheus.CounterValue, float64(st.Hits), st.ID)
		ch <- prometheus.MustNewConstMetric(ruleErrorsDesc, prometheus.CounterValue, float64(st.Errors), st.ID)
	}
}

// openIncidents reports open incident counts by status at scrape time.
type openIncidents struct{ store hypercare.Store }

var openIncidentsDesc = prometheus.NewDesc("hypercare_open_incidents",
	"Incidents not yet resolved, by status.", []string{"status"}, nil)

// Describe implements prometheus.Collector.
func (o *openIncidents) Describe(ch chan<- *prometheus.Desc) { ch <- openIncidentsDesc }

// Collect implements prometheus.Collector; a store error skips the sample.
func (o *openIncidents) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, st := range []hypercare.Status{hypercare.StatusTriggered, hypercare.StatusAcknowledged} {
		n, err := o.store.CountIncidents(ctx, st)
		if err != nil {
			continue
		}
		ch <- prometheus.MustNewConstMetric(openIncidentsDesc, prometheus.GaugeValue, float64(n), string(st))
	}
}
