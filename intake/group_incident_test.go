package intake_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// am is an Alertmanager integration making one incident per notification
// group (incident_per: group, the config's default for the type).
var am = hypercare.Integration{ID: "shop-alertmanager", ServiceID: "shop", Type: hypercare.IntegrationAlertmanager,
	Key: "fedcba9876543210fedcba9876543210", Name: "Alertmanager", GroupIncidents: true}

func setupAM(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	err := st.Write(ctx, "catalog", func(tx hypercare.Tx) error {
		return tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: "shop", Name: "Shop", Active: true}}, []hypercare.Integration{am})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// startAM opens a store of eng with the shop service and integration
// it, and an intake for it on a fake clock.
func startAM(t *testing.T, eng storetest.Engine, it hypercare.Integration) (*store.Store, *clocktest.Clock, *intake.Intake) {
	t.Helper()
	st := eng.Open(t)
	setupAM(t, st)
	storetest.StartRun(t, st)
	clk := clocktest.New(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	in := intake.New(st, clk)
	in.SetIntegrations([]hypercare.Integration{it})
	return st, clk, in
}

func amAlert(group, key string, action hypercare.Action) hypercare.Event {
	return hypercare.Event{Action: action, DedupKey: key, Summary: "Pod " + key + " crash looping",
		Severity: hypercare.SeverityCritical, Client: "Alertmanager", GroupKey: group}
}

func processAM(t *testing.T, in *intake.Intake, it hypercare.Integration, events ...hypercare.Event) []intake.Result {
	t.Helper()
	res, err := in.Process(context.Background(), it, events)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// The alerts of one Alertmanager group are one incident while it is open,
// whether they come in one notification or in later ones; another group
// is another incident; once the group's incident resolves, the group's
// next alert opens a new one.
func TestAlertmanagerGroupIsOneIncident(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		st, clk, in := startAM(t, eng, am)
		ctx := context.Background()
		g1, g2 := `{}:{alertname="CrashLoop"}`, `{}:{alertname="DiskFull"}`

		res := processAM(t, in, am, amAlert(g1, "a", "trigger"), amAlert(g1, "b", "trigger"), amAlert(g1, "c", "trigger"))
		first := res[0].IncidentID
		for i, r := range res {
			if r.IncidentID != first {
				t.Fatalf("alert %d of the group went to incident %s, not %s", i, r.IncidentID, first)
			}
		}
		if res[0].Outcome != hypercare.OutcomeCreated || res[1].Outcome != hypercare.OutcomeGrouped {
			t.Errorf("outcomes %q, %q; want created, grouped", res[0].Outcome, res[1].Outcome)
		}
		// The joins of one notification are one timeline entry.
		entries, _, err := st.ListTimeline(ctx, first, hypercare.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var added []string
		for _, e := range entries {
			if e.Type == hypercare.TimelineAlertAdded {
				added = append(added, e.Message)
			}
		}
		if want := "2 alerts added (same notification group): Pod b crash looping; Pod c crash looping"; len(added) != 1 || added[0] != want {
			t.Errorf("alert_added entries %q; want one: %q", added, want)
		}
		clk.Advance(time.Minute)
		later := processAM(t, in, am, amAlert(g1, "d", "trigger"), amAlert(g2, "x", "trigger"))
		if later[0].IncidentID != first {
			t.Errorf("the group's later alert opened incident %s instead of joining %s", later[0].IncidentID, first)
		}
		if later[1].IncidentID == first || later[1].Outcome != hypercare.OutcomeCreated {
			t.Errorf("another group's alert: incident %s, outcome %q; want a new incident", later[1].IncidentID, later[1].Outcome)
		}
		inc, err := st.GetIncident(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		if inc.AlertCount != 4 || inc.OpenAlertCount != 4 || inc.GroupKey != g1 {
			t.Fatalf("incident: %d alerts, %d open, group %q; want 4, 4, %q", inc.AlertCount, inc.OpenAlertCount, inc.GroupKey, g1)
		}

		// Alertmanager resolves the group's alerts: the incident resolves
		// with the last, and the group's next alert opens a new incident.
		processAM(t, in, am, amAlert(g1, "a", "resolve"), amAlert(g1, "b", "resolve"))
		if inc, _ = st.GetIncident(ctx, first); inc.Status == hypercare.StatusResolved {
			t.Fatal("incident resolved with two of its four alerts still firing")
		}
		processAM(t, in, am, amAlert(g1, "c", "resolve"), amAlert(g1, "d", "resolve"))
		if inc, _ = st.GetIncident(ctx, first); inc.Status != hypercare.StatusResolved {
			t.Fatalf("incident %s after its last alert resolved; want resolved", inc.Status)
		}
		clk.Advance(time.Hour)
		again := processAM(t, in, am, amAlert(g1, "e", "trigger"))
		if again[0].IncidentID == first || again[0].Outcome != hypercare.OutcomeCreated {
			t.Errorf("after the group's incident resolved: incident %s, outcome %q; want a new incident", again[0].IncidentID, again[0].Outcome)
		}
	})
}

// With incident_per: alert each alert of a group is placed on its own.
func TestIncidentPerAlertKeepsAlertsApart(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		perAlert := am
		perAlert.GroupIncidents = false
		st, _, in := startAM(t, eng, perAlert)
		g := `{}:{alertname="CrashLoop"}`
		res := processAM(t, in, perAlert, amAlert(g, "a", "trigger"), amAlert(g, "b", "trigger"))
		if res[0].IncidentID == res[1].IncidentID {
			t.Fatal("incident_per: alert put two alerts in one incident")
		}
		inc, err := st.GetIncident(context.Background(), res[0].IncidentID)
		if err != nil {
			t.Fatal(err)
		}
		if inc.GroupKey != "" {
			t.Errorf("incident_per: alert stored group %q on the incident", inc.GroupKey)
		}
	})
}

// Two nodes receive the first alerts of one group at once (Alertmanager
// replicas each send it): still one incident.
func TestGroupAcrossNodesIsOneIncident(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		opts := eng.Options(t)
		nodes := []*store.Store{storetest.OpenStore(t, opts), storetest.OpenStore(t, opts)}
		setupAM(t, nodes[0])
		clk := clocktest.New(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
		var intakes []*intake.Intake
		for _, n := range nodes {
			storetest.StartRun(t, n)
			in := intake.New(n, clk)
			in.SetIntegrations([]hypercare.Integration{am})
			intakes = append(intakes, in)
		}
		const senders = 8
		var wg sync.WaitGroup
		ids := make([]string, senders)
		errs := make([]error, senders)
		for i := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := intakes[i%2].Process(context.Background(), am,
					[]hypercare.Event{amAlert("g", fmt.Sprintf("pod-%d", i), "trigger")})
				if errs[i] = err; err == nil {
					ids[i] = res[0].IncidentID
				}
			}()
		}
		wg.Wait()
		for i := range senders {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if ids[i] != ids[0] {
				t.Fatalf("alert %d went to incident %s, alert 0 to %s: one group, two incidents", i, ids[i], ids[0])
			}
		}
	})
}

// Within one notification, events that touch the group's incident between
// its joins (a resolve, a re-trigger raising the severity) see and leave
// it whole: the counts and severity come out as if each were written at
// once.
func TestGroupJoinsInterleavedWithOtherEvents(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		st, _, in := startAM(t, eng, am)
		g := "g"
		warn := func(key string) hypercare.Event {
			ev := amAlert(g, key, "trigger")
			ev.Severity = hypercare.SeverityWarning
			return ev
		}
		res := processAM(t, in, am, warn("a"), warn("b"), amAlert(g, "b", "resolve"), warn("c"), warn("d"),
			amAlert(g, "a", "trigger"), warn("e"))
		id := res[0].IncidentID
		for i, r := range res {
			if r.IncidentID != id {
				t.Fatalf("event %d went to incident %s, not %s", i, r.IncidentID, id)
			}
		}
		inc, err := st.GetIncident(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		// a, b, c, d, e joined; b resolved; a's re-trigger raised it to critical.
		if inc.AlertCount != 5 || inc.OpenAlertCount != 4 || inc.Severity != hypercare.SeverityCritical {
			t.Errorf("incident: %d alerts, %d open, %s; want 5, 4, critical", inc.AlertCount, inc.OpenAlertCount, inc.Severity)
		}
		processAM(t, in, am, amAlert(g, "a", "resolve"), amAlert(g, "c", "resolve"), amAlert(g, "d", "resolve"),
			amAlert(g, "f", "trigger"), amAlert(g, "e", "resolve"), amAlert(g, "f", "resolve"))
		if inc, _ = st.GetIncident(context.Background(), id); inc.Status != hypercare.StatusResolved || inc.OpenAlertCount != 0 || inc.AlertCount != 6 {
			t.Errorf("after every alert resolved: %s, %d open of %d; want resolved, 0 of 6", inc.Status, inc.OpenAlertCount, inc.AlertCount)
		}
	})
}

// A responder merges the group's incident into another one (of no
// group): the group's next alert joins that incident instead of opening
// and paging a new one.
func TestMergedGroupFollowsItsAlerts(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		st, clk, in := startAM(t, eng, am)
		ctx := context.Background()
		target := processAM(t, in, am, amAlert("", "checkout-down", "trigger"))[0].IncidentID // no group
		group := processAM(t, in, am, amAlert("g", "a", "trigger"), amAlert("g", "b", "trigger"))[0].IncidentID
		responder := &incident.Service{Store: st, Clock: clk, Policies: in.Policy, Groupings: in.Grouping}
		if _, err := responder.Merge(ctx, target, []string{group}, hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		if got := processAM(t, in, am, amAlert("g", "c", "trigger"))[0]; got.IncidentID != target || got.Outcome != hypercare.OutcomeGrouped {
			t.Errorf("the group's alert after the merge: incident %s, outcome %q; want %s, grouped", got.IncidentID, got.Outcome, target)
		}
		inc, err := st.GetIncident(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		if inc.AlertCount != 4 || inc.OpenAlertCount != 4 || inc.GroupKey != "g" {
			t.Errorf("merge target: %d alerts, %d open, group %q; want 4, 4, g", inc.AlertCount, inc.OpenAlertCount, inc.GroupKey)
		}
	})
}

// Two groups' incidents are one outage: a responder merges one into the
// other. The later alerts of both groups join the target, and after a
// second merge (into an incident of no group) the next incident, until
// the target resolves; then the group's next alert opens a new incident.
func TestMergedGroupsFollowTheirAlerts(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		st, clk, in := startAM(t, eng, am)
		ctx := context.Background()
		alice := hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}
		responder := &incident.Service{Store: st, Clock: clk, Policies: in.Policy, Groupings: in.Grouping}
		errors := processAM(t, in, am, amAlert("errors", "e1", "trigger"))[0].IncidentID
		latency := processAM(t, in, am, amAlert("latency", "l1", "trigger"))[0].IncidentID
		if _, err := responder.Merge(ctx, latency, []string{errors}, alice); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		for _, g := range []string{"errors", "latency"} {
			if got := processAM(t, in, am, amAlert(g, g+"-2", "trigger"))[0]; got.IncidentID != latency || got.Outcome != hypercare.OutcomeGrouped {
				t.Errorf("group %s after the merge: incident %s, outcome %q; want %s, grouped", g, got.IncidentID, got.Outcome, latency)
			}
		}

		outage := processAM(t, in, am, amAlert("", "checkout-down", "trigger"))[0].IncidentID // no group
		if _, err := responder.Merge(ctx, outage, []string{latency}, alice); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		for _, g := range []string{"errors", "latency"} {
			if got := processAM(t, in, am, amAlert(g, g+"-3", "trigger"))[0]; got.IncidentID != outage {
				t.Errorf("group %s after the second merge: incident %s; want %s", g, got.IncidentID, outage)
			}
		}

		if _, err := responder.Resolve(ctx, outage, alice); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		if got := processAM(t, in, am, amAlert("errors", "errors-4", "trigger"))[0]; got.IncidentID == outage || got.Outcome != hypercare.OutcomeCreated {
			t.Errorf("group after its target resolved: incident %s, outcome %q; want a new incident", got.IncidentID, got.Outcome)
		}
	})
}

// A group's incident is titled by its group (ingest's GroupTitle), not by
// the first alert that happened to open it; with incident_per: alert, or a
// group nothing names, the alert's summary titles it.
func TestGroupIncidentTitledByGroup(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		perAlert := am
		perAlert.GroupIncidents = false
		for _, tc := range []struct {
			name  string
			it    hypercare.Integration
			title string
			want  string
		}{
			{"group", am, "KubePodCrashLooping (namespace=shop)", "KubePodCrashLooping (namespace=shop)"},
			{"group nothing names", am, "", "Pod a crash looping"},
			{"incident per alert", perAlert, "KubePodCrashLooping (namespace=shop)", "Pod a crash looping"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				st, _, in := startAM(t, eng, tc.it)
				a, b := amAlert("{}:{g}", "a", "trigger"), amAlert("{}:{g}", "b", "trigger")
				a.GroupTitle, b.GroupTitle = tc.title, tc.title
				res := processAM(t, in, tc.it, a, b)
				inc, err := st.GetIncident(context.Background(), res[0].IncidentID)
				if err != nil {
					t.Fatal(err)
				}
				if inc.Title != tc.want {
					t.Errorf("incident title %q, want %q", inc.Title, tc.want)
				}
			})
		}
	})
}
