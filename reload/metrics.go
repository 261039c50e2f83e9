package reload

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the reload counters, named as Prometheus and Alertmanager
// name theirs, so the alert rules people already have for those
// (a failed reload, a config older than the file) work unchanged.
type metrics struct {
	reloads     *prometheus.CounterVec
	lastSuccess prometheus.Gauge
}

func newMetrics() *metrics {
	m := &metrics{
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hypercare_config_reloads_total",
			Help: "Config reloads (SIGHUP, POST /-/reload) by result: success or failure (the running config stayed).",
		}, []string{"result"}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hypercare_config_last_reload_success_timestamp_seconds",
			Help: "When the config in force was loaded (at start or by the last successful reload), in Unix seconds.",
		}),
	}
	// Both results show from start, at 0, so rate() and alerts see them.
	m.reloads.WithLabelValues("success")
	m.reloads.WithLabelValues("failure")
	return m
}

func (m *metrics) success(at time.Time) {
	m.reloads.WithLabelValues("success").Inc()
	m.lastSuccess.Set(float64(at.UnixNano()) / 1e9)
}

func (m *metrics) failure() { m.reloads.WithLabelValues("failure").Inc() }

// Describe implements prometheus.Collector.
func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	m.reloads.Describe(ch)
	m.lastSuccess.Describe(ch)
}

// Collect implements prometheus.Collector.
func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	m.reloads.Collect(ch)
	m.lastSuccess.Collect(ch)
}
