package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/reload"
	"github.com/hypercare/hypercare/retention"
	"github.com/hypercare/hypercare/store"
)

// startRetention runs the retention engine (config retention, read from
// the config in force at every pass, so a reload applies it) until ctx
// ends and exposes its counter and the database's size on /metrics; the
// returned function stops it and waits.
func startRetention(ctx context.Context, reg *prometheus.Registry, st *store.Store, rl *reload.Reloader, log *slog.Logger) (stop func()) {
	policy := func() hypercare.RetentionPolicy { return rl.Current().Config.Retention() }
	pruner := retention.New(st, hypercare.SystemClock{}, policy, log.With(slog.String("engine", "retention")))
	reg.MustRegister(pruner.Collector(), storeSizeCollector{st: st, log: log})
	return runUntil(ctx, pruner.Run)
}

var (
	storeSizeDesc = prometheus.NewDesc("hypercare_store_size_bytes",
		"Bytes the database occupies: SQLite's file plus its write-ahead log; PostgreSQL's tables with their indexes and TOAST.", nil, nil)
	storeFreeDesc = prometheus.NewDesc("hypercare_store_free_bytes",
		"Bytes of hypercare_store_size_bytes that are free and reused before the file grows (SQLite free pages; 0 on PostgreSQL).", nil, nil)
)

// storeSizeCollector measures the database at each scrape, so a growing
// store shows on a dashboard and `bench ingest` can report bytes per
// event.
type storeSizeCollector struct {
	st  *store.Store
	log *slog.Logger
}

// Describe implements prometheus.Collector.
func (c storeSizeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- storeSizeDesc
	ch <- storeFreeDesc
}

// Collect implements prometheus.Collector; a failed measurement leaves
// the two gauges out of that scrape.
func (c storeSizeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	size, err := c.st.Size(ctx)
	if err != nil {
		c.log.Warn("measure database size", "err", err)
		return
	}
	ch <- prometheus.MustNewConstMetric(storeSizeDesc, prometheus.GaugeValue, float64(size.Bytes))
	ch <- prometheus.MustNewConstMetric(storeFreeDesc, prometheus.GaugeValue, float64(size.FreeBytes))
}
