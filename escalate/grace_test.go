package escalate_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// Issue #8 item 3: while payments has an open incident, checkout's alerts
// are its symptoms; once payments recovers, a checkout alert still firing
// after payments' symptom_grace_minutes (here 10) is its own incident and
// pages. These scenarios run intake and the escalation engine on a fake
// clock, on both engines.

var (
	payInt   = hypercare.Integration{ID: "pay-v2", ServiceID: "payments", Type: hypercare.IntegrationEventsV2, Key: strings.Repeat("a", 32)}
	checkInt = hypercare.Integration{ID: "checkout-v2", ServiceID: "checkout", Type: hypercare.IntegrationEventsV2, Key: strings.Repeat("b", 32)}
)

// graceWorld is payments and checkout (depends on payments), each paging
// alice through policy "solo", over one store that can be restarted.
type graceWorld struct {
	t     *testing.T
	opts  store.Options
	st    *store.Store
	clock *clocktest.Clock
	in    *intake.Intake
	esc   *escalate.Engine
	// levels, if set, replace policy solo's one level (alice, 1 h).
	levels []hypercare.EscalationLevel
	// maintenance are the config's maintenance windows (none if nil).
	maintenance []correlate.Maintenance
	// windows are the config's hypercare windows (none if nil).
	windows []hypercare.Window
	// grouping is checkout's alert_grouping (none if zero).
	grouping correlate.Grouping
}

func newGraceWorld(t *testing.T, eng storetest.Engine, levels ...hypercare.EscalationLevel) *graceWorld {
	return newGraceWorldFrom(&graceWorld{t: t, opts: eng.Options(t), clock: clocktest.New(t0), levels: levels})
}

// newGraceWorldFrom opens w's store and wires it, as newGraceWorld.
func newGraceWorldFrom(w *graceWorld) *graceWorld {
	t := w.t
	st, err := store.Open(context.Background(), w.opts)
	if err != nil {
		t.Fatal(err)
	}
	services := []hypercare.Service{{ID: "payments", Name: "Payments", EscalationPolicy: "solo", Active: true},
		{ID: "checkout", Name: "Checkout", EscalationPolicy: "solo", Active: true}}
	err = st.Write(context.Background(), "catalog", func(tx hypercare.Tx) error {
		return tx.ApplyCatalog(context.Background(), nil, services, []hypercare.Integration{payInt, checkInt})
	})
	if err != nil {
		t.Fatal(err)
	}
	w.start(st)
	t.Cleanup(func() { w.st.Close() })
	return w
}

// start wires a fresh intake and engine (nothing kept in memory) to st.
func (w *graceWorld) start(st *store.Store) {
	policy := hypercare.EscalationPolicy{ID: "solo", Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{User: "alice"}}, EscalateAfter: time.Hour}}}
	if w.levels != nil {
		policy.Levels = w.levels
	}
	dir := escalate.NewDirectory([]hypercare.User{user("alice"), user("bob")}, nil, []hypercare.EscalationPolicy{policy},
		[]hypercare.Service{{ID: "payments", EscalationPolicy: "solo"}, {ID: "checkout", EscalationPolicy: "solo"}}, w.windows)
	dir.Maintenance = w.maintenance
	dir.Groupings = map[string]correlate.Grouping{"checkout": w.grouping}
	w.st = st
	w.in = intake.New(st, w.clock)
	w.in.SetMaintenance(w.maintenance)
	w.in.SetWindows(w.windows)
	w.in.SetIntegrations([]hypercare.Integration{payInt, checkInt})
	w.in.SetPolicies(dir.PoliciesByService(), nil)
	w.in.SetNoise(map[string]correlate.Noise{
		"payments": {SymptomGrace: 10 * time.Minute},
		"checkout": {Upstream: []string{"payments"}, SymptomGrace: 10 * time.Minute, Grouping: w.grouping},
	})
	w.esc = escalate.New(st, w.clock, dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.in.SetFirstStep(w.esc.StepOpened, nil) // as serve wires it
}

// restart closes the store and opens it again with a new intake and engine.
func (w *graceWorld) restart() {
	if err := w.st.Close(); err != nil {
		w.t.Fatal(err)
	}
	st, err := store.Open(context.Background(), w.opts)
	if err != nil {
		w.t.Fatal(err)
	}
	w.start(st)
}

func (w *graceWorld) send(it hypercare.Integration, action hypercare.Action, key string) {
	w.t.Helper()
	ev := hypercare.Event{RoutingKey: it.Key, Action: action, DedupKey: key, Summary: it.ServiceID + " " + key,
		Source: "mon", Severity: hypercare.SeverityCritical}
	if _, err := w.in.Process(context.Background(), it, []hypercare.Event{ev}); err != nil {
		w.t.Fatal(err)
	}
}

// after advances the clock and runs the engine's due work.
func (w *graceWorld) after(d time.Duration) {
	w.t.Helper()
	w.clock.Advance(d)
	if _, err := w.esc.RunDue(context.Background()); err != nil {
		w.t.Fatal(err)
	}
}

// pages is "#N" per page recorded, in incident order.
func (w *graceWorld) pages() []string {
	w.t.Helper()
	var out []string
	for _, inc := range w.incidents() {
		list, err := w.st.ListNotifications(context.Background(), inc.ID)
		if err != nil {
			w.t.Fatal(err)
		}
		for range list {
			out = append(out, inc.ServiceID)
		}
	}
	return out
}

// incidents is every incident, oldest first.
func (w *graceWorld) incidents() []hypercare.Incident {
	w.t.Helper()
	list, _, err := w.st.ListIncidents(context.Background(), hypercare.IncidentFilter{Page: hypercare.Page{Limit: 100}})
	if err != nil {
		w.t.Fatal(err)
	}
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list
}

func (w *graceWorld) want(pages string, statuses ...string) {
	w.t.Helper()
	if got := strings.Join(w.pages(), " "); got != pages {
		w.t.Errorf("pages %q, want %q", got, pages)
	}
	var got []string
	for _, inc := range w.incidents() {
		got = append(got, inc.ServiceID+":"+string(inc.Status))
	}
	if strings.Join(got, " ") != strings.Join(statuses, " ") {
		w.t.Errorf("incidents %v, want %v", got, statuses)
	}
}

// outage: payments fails and pages, checkout's alert attaches as a
// symptom, payments' own alert resolves: #1 is recovering.
func (w *graceWorld) outage() {
	w.t.Helper()
	w.send(payInt, hypercare.ActionTrigger, "db")
	w.after(0)
	w.send(checkInt, hypercare.ActionTrigger, "5xx")
	w.after(time.Minute)
	w.send(payInt, hypercare.ActionResolve, "db")
	w.after(time.Minute)
	w.want("payments", "payments:triggered")
}

func (w *graceWorld) timeline(inc hypercare.Incident) string {
	w.t.Helper()
	list, _, err := w.st.ListTimeline(context.Background(), inc.ID, hypercare.Page{Limit: 100})
	if err != nil {
		w.t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range list {
		b.WriteString(e.Type + ": " + e.Message + "\n")
	}
	return b.String()
}

func TestSymptomClearingWithinGracePagesNobody(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		w := newGraceWorld(t, eng)
		w.outage()
		w.after(7 * time.Minute)
		w.send(checkInt, hypercare.ActionResolve, "5xx")
		w.after(time.Hour)
		w.want("payments", "payments:resolved")
	})
}

func TestSymptomPersistingPastGraceBecomesItsOwnIncident(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		w := newGraceWorld(t, eng)
		w.outage()
		w.after(9*time.Minute - time.Second) // 1 s before the grace ends
		w.want("payments", "payments:triggered")
		if due, ok, err := w.st.NextEscalationDue(context.Background()); err != nil || !ok || !due.Equal(t0.Add(11*time.Minute)) {
			t.Fatalf("NextEscalationDue = %v %v %v, want the grace's end %v", due, ok, err, t0.Add(11*time.Minute))
		}
		w.after(time.Second)
		w.want("payments checkout", "payments:resolved", "checkout:triggered")
		incs := w.incidents()
		if tl := w.timeline(incs[1]); !strings.Contains(tl, "payments recovered 10 minutes ago but this alert is still firing: now its own incident") {
			t.Errorf("timeline of the promoted incident:\n%s", tl)
		}
		if tl := w.timeline(incs[0]); !strings.Contains(tl, "Resolved: payments recovered 10 minutes ago") ||
			!strings.Contains(tl, "symptom_promoted") {
			t.Errorf("timeline of the upstream incident:\n%s", tl)
		}
		w.after(time.Hour) // exactly once
		w.want("payments checkout", "payments:resolved", "checkout:triggered")
	})
}

func TestUpstreamRefiringInGraceStaysOneIncident(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		w := newGraceWorld(t, eng)
		w.outage()
		w.after(5 * time.Minute)
		w.send(payInt, hypercare.ActionTrigger, "db") // payments breaks again
		w.after(time.Hour)
		w.want("payments", "payments:triggered")
		incs := w.incidents()
		if incs[0].OpenAlertCount != 1 || incs[0].AlertCount != 2 {
			t.Errorf("incident #1 %d/%d alerts, want the re-fired one open in it", incs[0].AlertCount, incs[0].OpenAlertCount)
		}
		// It recovers again: a fresh grace from then.
		w.send(payInt, hypercare.ActionResolve, "db")
		w.after(10*time.Minute - time.Second)
		w.want("payments", "payments:triggered")
		w.after(time.Second)
		w.want("payments checkout", "payments:resolved", "checkout:triggered")
	})
}

func TestGraceSurvivesRestart(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		w := newGraceWorld(t, eng)
		w.outage()
		w.after(3 * time.Minute)
		w.restart()
		w.after(5*time.Minute + 59*time.Second)
		w.want("payments", "payments:triggered")
		w.restart()
		w.after(time.Second)
		w.want("payments checkout", "payments:resolved", "checkout:triggered")
		w.restart()
		w.after(time.Hour)
		w.want("payments checkout", "payments:resolved", "checkout:triggered")
	})
}

// Two nodes' engines take the grace's end at once: the symptom becomes
// one incident, paged once.
func TestGracePromotesOnceWithTwoNodes(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		w := newGraceWorld(t, eng)
		w.outage()
		other := storetest.OpenStore(t, w.opts)
		second := escalate.New(other, w.clock, escalate.NewDirectory([]hypercare.User{user("alice")}, nil,
			[]hypercare.EscalationPolicy{{ID: "solo", Levels: []hypercare.EscalationLevel{
				{Targets: []hypercare.Target{{User: "alice"}}, EscalateAfter: time.Hour}}}},
			[]hypercare.Service{{ID: "checkout", EscalationPolicy: "solo"}}, nil), slog.New(slog.DiscardHandler))
		w.clock.Advance(9 * time.Minute)
		errs := make(chan error, 8)
		for i := 0; i < 4; i++ {
			go func() { _, err := w.esc.RunDue(context.Background()); errs <- err }()
			go func() { _, err := second.RunDue(context.Background()); errs <- err }()
		}
		for i := 0; i < 8; i++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		w.after(time.Hour)
		w.want("payments checkout", "payments:resolved", "checkout:triggered")
	})
}

// symptom_grace_minutes: 0 promotes the symptoms still firing the moment
// the upstream's own alerts resolve (the original rule).
func TestZeroGracePromotesAtOnce(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		w := newGraceWorld(t, eng)
		w.in.SetNoise(map[string]correlate.Noise{"payments": {}, "checkout": {Upstream: []string{"payments"}}})
		w.send(payInt, hypercare.ActionTrigger, "db")
		w.after(0)
		w.send(checkInt, hypercare.ActionTrigger, "5xx")
		w.send(payInt, hypercare.ActionResolve, "db")
		w.after(0)
		w.want("payments checkout", "payments:resolved", "checkout:triggered")
	})
}

// While payments is recovering (its own alert resolved, checkout's symptom
// still firing) its escalation does not climb: level 2 (bob), due 5 minutes
// after alice's page, is held with a note, and the grace's end resolves the
// incident, so bob is never paged for a service that already recovered.
func TestRecoveringIncidentDoesNotEscalate(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		w := newGraceWorld(t, eng,
			hypercare.EscalationLevel{Targets: []hypercare.Target{{User: "alice"}}, EscalateAfter: 5 * time.Minute},
			hypercare.EscalationLevel{Targets: []hypercare.Target{{User: "bob"}}, EscalateAfter: 5 * time.Minute})
		w.outage()
		w.after(4 * time.Minute) // level 2 was due at 5 min
		w.want("payments", "payments:triggered")
		if tl := w.timeline(w.incidents()[0]); !strings.Contains(tl, "Level 2 not paged: payments' own alerts have resolved") {
			t.Errorf("timeline of the recovering incident:\n%s", tl)
		}
		w.after(6 * time.Minute) // the grace ends at 12 min: checkout becomes its own incident (alice)
		w.want("payments checkout", "payments:resolved", "checkout:triggered")
	})
}

// The root firing again ends the hold: the held level pages at its next
// due time.
func TestRecoveringIncidentEscalatesAgainWhenRootRefires(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		w := newGraceWorld(t, eng,
			hypercare.EscalationLevel{Targets: []hypercare.Target{{User: "alice"}}, EscalateAfter: 5 * time.Minute},
			hypercare.EscalationLevel{Targets: []hypercare.Target{{User: "bob"}}, EscalateAfter: 5 * time.Minute})
		w.outage()
		w.after(4 * time.Minute) // 6 min: level 2 held, looked at again at 11 min
		w.send(payInt, hypercare.ActionTrigger, "db")
		w.after(4 * time.Minute)
		w.want("payments", "payments:triggered")
		w.after(time.Minute)
		w.want("payments payments", "payments:triggered")
	})
}
