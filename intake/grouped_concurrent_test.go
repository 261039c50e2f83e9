package intake_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// groupedEvent is event j of caller g in TestConcurrentGroupedIngest: new
// alerts, repeats, severity raises, acknowledgements and resolves of 24
// alerts in four families, every alert hit by several callers at once.
func groupedEvent(g, j int) hypercare.Event {
	k := (g*7 + j) % 24
	ev := trigger(fmt.Sprintf("k%d", k))
	ev.Summary = fmt.Sprintf(benchFamilies[k%4], k)
	ev.Severity = hypercare.SeverityWarning
	switch j % 10 {
	case 2:
		ev.Severity = hypercare.SeverityCritical
	case 4:
		ev.Action = hypercare.ActionAcknowledge
	case 7:
		ev.Action = hypercare.ActionResolve
	}
	return ev
}

// TestConcurrentGroupedIngest sends a storm on a service with intelligent
// grouping from many callers at once, on PostgreSQL with eight writers:
// repeated triggers run on their alerts' writers, everything else on the
// service's. No write may fail, deadlock or be retried, and the alerts,
// incidents and event log must agree.
func TestConcurrentGroupedIngest(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		st := openConcurrent(t, eng, setup)
		in := intake.New(st, clocktest.New(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)))
		in.SetIntegrations([]hypercare.Integration{it})
		in.SetNoise(map[string]correlate.Noise{"shop": {Grouping: correlate.Grouping{Type: correlate.GroupIntelligent,
			Window: 15 * time.Minute}, Flapping: correlate.DefaultFlapping}})
		const callers, perCaller = 32, 60
		concurrently(t, callers, perCaller, func(g, j int) (int, error) {
			ev := groupedEvent(g, j)
			if _, err := in.Process(context.Background(), it, []hypercare.Event{ev}); err != nil {
				return 0, fmt.Errorf("caller %d event %d (%s %s): %w", g, j, ev.Action, ev.DedupKey, err)
			}
			return 1, nil
		})
		checkNoRetries(t, st)
		checkGroupedState(t, st, callers*perCaller)
	})
}

// concurrently runs send(c, j) for each of callers callers at once, j
// from 0 to perCaller-1 in turn, reports every error, and returns the
// events the successful sends carried.
func concurrently(t *testing.T, callers, perCaller int, send func(c, j int) (events int, err error)) int {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	events := 0
	errs := make(chan error, callers*perCaller)
	for c := range callers {
		wg.Go(func() {
			for j := range perCaller {
				n, err := send(c, j)
				if err != nil {
					errs <- err
					continue
				}
				mu.Lock()
				events += n
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	return events
}

// checkNoRetries fails if a write batch of st was run again (a deadlock
// or another transient error).
func checkNoRetries(t *testing.T, st *store.Store) {
	t.Helper()
	if ws := st.WriteStats(); ws.Retries != 0 {
		t.Errorf("%d write batches were retried (deadlock or other transient error)", ws.Retries)
	}
}

// checkGroupedState checks the event log holds every event, the alerts
// count the events applied to them, each incident's counts match its
// alerts, and no notification group has two open incidents.
func checkGroupedState(t *testing.T, st *store.Store, events int) {
	t.Helper()
	ctx := context.Background()
	var applied int64
	logged := 0
	for cursor := ""; ; {
		page, next, err := st.ListEvents(ctx, hypercare.Page{Limit: 100, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			if e.Outcome != hypercare.OutcomeIgnored && e.Outcome != hypercare.OutcomeDropped {
				applied++
			}
		}
		logged += len(page)
		if cursor = next; next == "" {
			break
		}
	}
	if logged != events {
		t.Errorf("event log holds %d events, want %d", logged, events)
	}
	alerts, _, err := st.ListAlerts(ctx, hypercare.AlertFilter{Page: hypercare.Page{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	var counted int64
	open := map[string]bool{}
	total, openOf := map[string]int64{}, map[string]int64{}
	for _, a := range alerts {
		counted += a.EventCount
		total[a.IncidentID]++
		if a.Status != hypercare.StatusResolved {
			if open[a.DedupKey] {
				t.Errorf("dedup key %s has two open alerts", a.DedupKey)
			}
			open[a.DedupKey] = true
			openOf[a.IncidentID]++
		}
	}
	if counted != applied {
		t.Errorf("alerts count %d events, the log %d applied ones", counted, applied)
	}
	incs, _, err := st.ListIncidents(ctx, hypercare.IncidentFilter{Page: hypercare.Page{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	openGroups := map[string]int64{}
	for _, inc := range incs {
		if inc.GroupKey != "" && inc.Status != hypercare.StatusResolved {
			if other, ok := openGroups[inc.ServiceID+"/"+inc.GroupKey]; ok {
				t.Errorf("group %s has two open incidents, %d and %d", inc.GroupKey, other, inc.Number)
			}
			openGroups[inc.ServiceID+"/"+inc.GroupKey] = inc.Number
		}
		if inc.AlertCount != total[inc.ID] {
			t.Errorf("incident %d counts %d alerts, has %d", inc.Number, inc.AlertCount, total[inc.ID])
		}
		want := openOf[inc.ID]
		if inc.Status == hypercare.StatusResolved && want != 0 {
			t.Errorf("resolved incident %d has %d open alerts", inc.Number, want)
		}
		if inc.Status != hypercare.StatusResolved && inc.OpenAlertCount != want {
			t.Errorf("incident %d counts %d open alerts, has %d", inc.Number, inc.OpenAlertCount, want)
		}
	}
	if len(incs) == 0 || len(incs) >= len(alerts) {
		t.Errorf("%d incidents for %d alerts: want alerts grouped", len(incs), len(alerts))
	}
}

// openConcurrent opens a store of eng with eight writers (on PostgreSQL
// eight connections writing side by side), sets it up and starts Run.
func openConcurrent(t *testing.T, eng storetest.Engine, setup func(*testing.T, *store.Store)) *store.Store {
	t.Helper()
	opts := eng.Options(t)
	opts.Writers = 8
	st := storetest.OpenStore(t, opts)
	setup(t, st)
	storetest.StartRun(t, st)
	return st
}
