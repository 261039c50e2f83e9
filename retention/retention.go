// Package retention keeps storage bounded: every interval it deletes the
// finished history older than the configured ages (config `retention`),
// batch after batch, so the database stops growing under a steady load
// while ingest keeps the writer. Each batch is one short transaction of at
// most BatchSize rows queued on the store's writer like any other write,
// so ingest requests queued meanwhile are served between two batches and
// never wait for a whole pass.
package retention

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hypercare/hypercare"
)

// Pruner deletes one batch of history older than the cutoffs; the store
// implements it (store.Store.Prune).
type Pruner interface {
	Prune(ctx context.Context, c hypercare.RetentionCutoffs, limit int) (hypercare.PruneResult, error)
}

// maxBatchesPerPass stops a pass that keeps reporting more rows (a bug or
// a store deleting slower than it is written): the next pass carries on.
const maxBatchesPerPass = 100000

// Engine runs retention passes. Build it with New; Run drives it, tests
// may call Pass with a fake clock.
type Engine struct {
	store   Pruner
	clock   hypercare.Clock
	policy  func() hypercare.RetentionPolicy
	log     *slog.Logger
	deleted *prometheus.CounterVec
}

// New returns a retention engine. policy is read at every pass, so a
// config reload takes effect at the next one.
func New(st Pruner, clk hypercare.Clock, policy func() hypercare.RetentionPolicy, log *slog.Logger) *Engine {
	e := &Engine{store: st, clock: clk, policy: policy, log: log,
		deleted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hypercare_retention_deleted_total",
			Help: "Rows deleted by retention, by kind (events, change_events, incidents, alerts, timeline, notifications, escalations, other).",
		}, []string{"kind"})}
	for _, k := range (hypercare.PruneResult{}).Kinds() {
		e.deleted.WithLabelValues(k.Kind) // every kind shows on /metrics from the start, at 0
	}
	return e
}

// Collector returns the engine's metrics, for the server to register.
func (e *Engine) Collector() prometheus.Collector { return e.deleted }

// Run runs a pass at once and then every policy interval until ctx ends.
// With retention off a pass does nothing (not even a read), and Run keeps
// waiting in case a reload turns it on. Errors are logged and retried at
// the next pass.
func (e *Engine) Run(ctx context.Context) error {
	for {
		last := e.clock.Now()
		if _, err := e.Pass(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("retention pass failed; retrying at the next", "err", err)
		}
		// Wait out the interval in force, looking at the policy again at
		// least every recheck: a reload that shortens it (or turns
		// retention on) applies within a minute, not after the old
		// interval (up to a day) ran out.
		for {
			wait := min(e.policy().Interval-e.clock.Now().Sub(last), recheck)
			if wait <= 0 {
				break
			}
			select {
			case <-ctx.Done():
				return nil
			case <-e.clock.After(wait):
			}
		}
	}
}

// recheck is the longest Run waits before reading the policy again.
const recheck = time.Minute

// Pass deletes everything older than the policy's ages at the pass's
// start, in batches, and logs what it deleted. It returns the total.
func (e *Engine) Pass(ctx context.Context) (hypercare.PruneResult, error) {
	p := e.policy()
	var total hypercare.PruneResult
	if !p.Enabled() {
		return total, nil
	}
	start := e.clock.Now()
	cutoffs := p.Cutoffs(start)
	batches := 0
	for batches < maxBatchesPerPass {
		r, err := e.store.Prune(ctx, cutoffs, p.BatchSize)
		if err != nil {
			e.report(total, batches, start)
			return total, err
		}
		batches++
		total.Add(r)
		for _, k := range r.Kinds() {
			if k.Count > 0 {
				e.deleted.WithLabelValues(k.Kind).Add(float64(k.Count))
			}
		}
		if !r.More || r.Total() == 0 || ctx.Err() != nil {
			break
		}
	}
	total.More = batches == maxBatchesPerPass
	e.report(total, batches, start)
	return total, ctx.Err()
}

// report logs one pass: at info when it deleted anything, else at debug.
func (e *Engine) report(r hypercare.PruneResult, batches int, start time.Time) {
	level := slog.LevelDebug
	if r.Total() > 0 {
		level = slog.LevelInfo
	}
	attrs := []any{"batches", batches, "deleted", r.Total(), "took", e.clock.Now().Sub(start).String()}
	for _, k := range r.Kinds() {
		attrs = append(attrs, k.Kind, k.Count)
	}
	e.log.Log(context.Background(), level, "retention pass", attrs...)
}
