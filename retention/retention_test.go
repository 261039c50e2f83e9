package retention_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/retention"
	"github.com/hypercare/hypercare/storetest"
)

// TestRunPrunesEachInterval: Run passes at once and then every interval
// of the fake clock; a resolved incident goes (with its alert, timeline,
// page and escalation) once it is older than the limit, an open one
// stays; the deletions show on the metric.
func TestRunPrunesEachInterval(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e.Options(t))
		prev := w.tick(t, 2, nil)
		w.tick(t, 1, prev) // the first two resolve; the third stays open
		policy := hypercare.RetentionPolicy{Incidents: 24 * time.Hour, Events: 24 * time.Hour,
			Notifications: 24 * time.Hour, Escalations: 24 * time.Hour, BatchSize: 3, Interval: time.Hour}
		eng := retention.New(w.st, w.clock, func() hypercare.RetentionPolicy { return policy }, discard())
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- eng.Run(ctx) }()
		defer func() { cancel(); <-done }()
		waitWaiting(t, w)
		before := counts(t, w)
		if before["incidents"] != 3 || before["notifications"] != 3 || before["escalations"] != 3 {
			t.Fatalf("before: %v, want 3 incidents, each with a page and an escalation", before)
		}
		w.clock.Advance(23 * time.Hour) // one pass, nothing old enough
		waitWaiting(t, w)
		if c := counts(t, w); c["incidents"] != 3 {
			t.Fatalf("incidents after 23h = %d, want 3", c["incidents"])
		}
		w.clock.Advance(2 * time.Hour) // the next pass is due at 24h: deletes
		waitWaiting(t, w)
		after := counts(t, w)
		if after["incidents"] != 1 || after["alerts"] != 1 || after["events"] != 0 || after["escalations"] != 1 || after["notifications"] != 1 {
			t.Errorf("after the pass: %v, want the open incident with its alert and escalation, no events", after)
		}
		if got := deletedMetric(t, eng, "incidents"); got != 2 {
			t.Errorf("hypercare_retention_deleted_total{kind=incidents} = %v, want 2", got)
		}
	})
}

// waitWaiting waits until the engine sleeps on the fake clock (its pass
// is over), synchronising on observable state instead of sleeping.
func waitWaiting(t *testing.T, w *world) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for w.clock.Waiters() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("retention engine never waited for its next pass")
		}
		runtime.Gosched()
	}
}

func counts(t testing.TB, w *world) map[string]int64 {
	t.Helper()
	c, err := w.st.TableCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// deletedMetric reads hypercare_retention_deleted_total{kind}.
func deletedMetric(t *testing.T, eng *retention.Engine, kind string) float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(eng.Collector())
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if mf.GetName() == "hypercare_retention_deleted_total" && m.GetLabel()[0].GetValue() == kind {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// TestRunTakesAReloadedIntervalAtOnce: a reload that shortens the
// interval (24 h to 1 min) takes effect within the new interval, not
// after the day the engine was already waiting (README: a valid file
// takes effect at once, retention included).
func TestRunTakesAReloadedIntervalAtOnce(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e.Options(t))
		prev := w.tick(t, 1, nil)
		w.tick(t, 1, prev) // the first incident resolves
		var mu sync.Mutex
		policy := hypercare.RetentionPolicy{Incidents: 24 * time.Hour, BatchSize: 500, Interval: 24 * time.Hour}
		current := func() hypercare.RetentionPolicy { mu.Lock(); defer mu.Unlock(); return policy }
		eng := retention.New(w.st, w.clock, current, discard())
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- eng.Run(ctx) }()
		defer func() { cancel(); <-done }()
		waitWaiting(t, w) // the first pass found nothing old enough
		mu.Lock()
		policy.Incidents, policy.Interval = time.Hour, time.Minute // the reload
		mu.Unlock()
		w.clock.Advance(2 * time.Hour) // the incident is now past the new age
		waitWaiting(t, w)
		w.clock.Advance(time.Minute)
		waitWaiting(t, w)
		if c := counts(t, w); c["incidents"] != 1 {
			t.Errorf("incidents = %d 2 h after the reload to a 1 min interval, want 1 (the resolved one pruned)", c["incidents"])
		}
	})
}
