package intake

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/rules"
	"github.com/hypercare/hypercare/storetest"
)

// TestRouteRepeats checks which writer events go to on a grouped service:
// a new alert and a resolve to the service's, a repeated trigger to its
// alert's, and a trigger raising severity, sent there on a stale hint,
// back to the service's (errReroute), recorded all the same.
func TestRouteRepeats(t *testing.T) {
	st := storetest.Engines(t)[0].Open(t)
	it := hypercare.Integration{ID: "i1", ServiceID: "shop", Type: hypercare.IntegrationEventsV2, Key: "0123456789abcdef0123456789abcdef"}
	ctx := context.Background()
	if err := st.Write(ctx, "catalog", func(tx hypercare.Tx) error {
		return tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: "shop", Name: "Shop", Active: true}}, []hypercare.Integration{it})
	}); err != nil {
		t.Fatal(err)
	}
	in := New(st, clocktest.New(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)))
	in.SetIntegrations([]hypercare.Integration{it})
	in.SetNoise(map[string]correlate.Noise{"shop": {Grouping: correlate.Grouping{Type: correlate.GroupIntelligent}}})
	ev := hypercare.Event{Action: hypercare.ActionTrigger, DedupKey: "disk", Summary: "Disk full", Severity: hypercare.SeverityWarning}
	d := []rules.Decision{{ServiceID: "shop"}}
	want := func(ev hypercare.Event, key string, repeat bool) {
		t.Helper()
		if k, r := (view{Intake: in, cfg: in.config()}).route(it, []hypercare.Event{ev}, d); k != key || r != repeat {
			t.Errorf("%s %s: route = %q, %v; want %q, %v", ev.Action, ev.Severity, k, r, key, repeat)
		}
		if _, err := in.Process(ctx, it, []hypercare.Event{ev}); err != nil {
			t.Fatal(err)
		}
	}
	alert := alertKey("shop", "disk")
	want(ev, "shop", false) // new
	want(ev, alert, true)   // repeat
	raised := ev
	raised.Severity = hypercare.SeverityCritical
	want(raised, alert, true) // not pure: rerouted
	if !in.repeats.has(alert) {
		t.Error("raised alert forgotten: its next trigger is a pure repeat again")
	}
	if incs, _, err := st.ListIncidents(ctx, hypercare.IncidentFilter{}); err != nil || len(incs) != 1 || incs[0].Severity != hypercare.SeverityCritical {
		t.Fatalf("incidents = %+v, %v; want one, raised to critical", incs, err)
	}
	resolve := ev
	resolve.Action = hypercare.ActionResolve
	want(resolve, "shop", false)
	want(ev, "shop", false) // new again
	alerts, _, err := st.ListAlerts(ctx, hypercare.AlertFilter{})
	if err != nil || len(alerts) != 2 || alerts[1].EventCount != 4 || alerts[1].Severity != hypercare.SeverityCritical {
		t.Fatalf("alerts = %+v, %v; want the resolved one with 4 events, critical, and a new one", alerts, err)
	}
	in.SetNoise(nil)
	if k, r := (view{Intake: in, cfg: in.config()}).route(it, []hypercare.Event{ev}, d); k != alert || r {
		t.Errorf("ungrouped: route = %q, %v; want the alert's writer, no check", k, r)
	}
}

// TestRouteNotificationGroups: an event of a notification group whose
// alerts share one incident (incident_per: group) runs on its service's
// writer, as on a grouped service, even on an ungrouped service; without
// a group key, or with incident_per: alert, on its alert's.
func TestRouteNotificationGroups(t *testing.T) {
	st := storetest.Engines(t)[0].Open(t)
	in := New(st, clocktest.New(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)))
	am := hypercare.Integration{ID: "am", ServiceID: "shop", Type: hypercare.IntegrationAlertmanager,
		Key: "0123456789abcdef0123456789abcdef", GroupIncidents: true}
	d := []rules.Decision{{ServiceID: "shop"}}
	v := view{Intake: in, cfg: in.config()}
	ev := hypercare.Event{Action: hypercare.ActionResolve, DedupKey: "pod-1", GroupKey: `{}:{alertname="CrashLoop"}`}
	if k, _ := v.route(am, []hypercare.Event{ev}, d); k != hypercare.GroupWriteKey("shop", ev.GroupKey) {
		t.Errorf("group event: route = %q, want its group's writer", k)
	}
	perAlert := am
	perAlert.GroupIncidents = false
	if k, _ := v.route(perAlert, []hypercare.Event{ev}, d); k != alertKey("shop", "pod-1") {
		t.Errorf("incident_per: alert: route = %q, want the alert's writer", k)
	}
	ev.GroupKey = ""
	if k, _ := v.route(am, []hypercare.Event{ev}, d); k != alertKey("shop", "pod-1") {
		t.Errorf("no group key: route = %q, want the alert's writer", k)
	}
}

// TestTriggerKeys: a request names its kept triggers' alerts, in event
// order, on the service the rules send each to (for the store to read
// ahead, hypercare.WithKeysAhead and Tx.ReadOpenAlertsAhead), a single
// event's too; a dropped event, a resolve or an acknowledgement names
// none, and neither does a repeat (FindOpenAlertSkipLocked).
func TestTriggerKeys(t *testing.T) {
	events := []hypercare.Event{
		{Action: hypercare.ActionTrigger, DedupKey: "a"}, {Action: hypercare.ActionResolve, DedupKey: "b"},
		{Action: hypercare.ActionTrigger, DedupKey: "c"}, {Action: hypercare.ActionAcknowledge, DedupKey: "d"},
		{Action: hypercare.ActionTrigger, DedupKey: "e"},
	}
	decisions := []rules.Decision{{ServiceID: "shop"}, {ServiceID: "shop"}, {ServiceID: "db"},
		{ServiceID: "shop"}, {ServiceID: "shop", Drop: true}}
	want := []hypercare.AlertKey{{ServiceID: "shop", DedupKey: "a"}, {ServiceID: "db", DedupKey: "c"}}
	if got := triggerKeys(events, decisions, false); !slices.Equal(got, want) {
		t.Errorf("batch: %v, want %v", got, want)
	}
	if got := triggerKeys(events[:1], decisions[:1], false); !slices.Equal(got, want[:1]) {
		t.Errorf("single event: %v, want %v", got, want[:1])
	}
	if got := triggerKeys(events, decisions, true); got != nil {
		t.Errorf("repeat: %v, want none", got)
	}
}

// TestOpensIncidents (keysAheadFlags): a request's new keys open incidents of their own
// (for the store to draw their numbers ahead) unless its integration
// makes one incident per notification group, or a kept trigger's rules
// suppress it, or its service groups alerts or depends on another; a
// dropped event and a resolve do not count. It locks its alerts first
// (for the store to lock them with the batch's BEGIN) on the same
// terms, suppression aside, and only if every kept event is a trigger.
func TestOpensIncidents(t *testing.T) {
	in := New(storetest.Engines(t)[0].Open(t), clocktest.New(time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)))
	in.SetNoise(map[string]correlate.Noise{
		"grouped": {Grouping: correlate.Grouping{Type: correlate.GroupIntelligent}},
		"none":    {Grouping: correlate.Grouping{Type: correlate.GroupNone}},
		"down":    {Upstream: []string{"db"}},
	})
	v := view{Intake: in, cfg: in.config()}
	trigger := hypercare.Event{Action: hypercare.ActionTrigger, DedupKey: "k"}
	resolve := hypercare.Event{Action: hypercare.ActionResolve, DedupKey: "k"}
	plain := hypercare.Integration{ID: "i1"}
	cases := []struct {
		name          string
		it            hypercare.Integration
		events        []hypercare.Event
		d             []rules.Decision
		opens, locks1 bool
	}{
		{"plain service", plain, []hypercare.Event{trigger}, []rules.Decision{{ServiceID: "shop"}}, true, true},
		{"grouping none", plain, []hypercare.Event{trigger}, []rules.Decision{{ServiceID: "none"}}, true, true},
		{"group incidents", hypercare.Integration{ID: "am", GroupIncidents: true}, []hypercare.Event{trigger}, []rules.Decision{{ServiceID: "shop"}}, false, false},
		{"grouped service", plain, []hypercare.Event{trigger, trigger}, []rules.Decision{{ServiceID: "shop"}, {ServiceID: "grouped"}}, false, false},
		{"dependent service", plain, []hypercare.Event{trigger}, []rules.Decision{{ServiceID: "down"}}, false, false},
		{"suppressed", plain, []hypercare.Event{trigger}, []rules.Decision{{ServiceID: "shop", Suppress: true}}, false, true},
		{"dropped and resolve", plain, []hypercare.Event{trigger, resolve, trigger},
			[]rules.Decision{{ServiceID: "shop"}, {ServiceID: "grouped"}, {ServiceID: "grouped", Drop: true}}, true, false},
		{"dropped", plain, []hypercare.Event{trigger, trigger},
			[]rules.Decision{{ServiceID: "shop"}, {ServiceID: "grouped", Drop: true}}, true, true},
	}
	for _, c := range cases {
		if opens, first := v.keysAheadFlags(c.it, c.events, c.d); opens != c.opens || first != c.locks1 {
			t.Errorf("%s: keysAheadFlags = %v, %v; want %v, %v", c.name, opens, first, c.opens, c.locks1)
		}
	}
}

// TestRouteNotificationsByGroup: a notification of an integration making
// an incident per group runs on its group's writer, new or re-sent, with a
// resolve in it or not, and so does a single alert's resolve of the group;
// a re-sent alert's trigger alone, once seen open with the group's
// incident, on its alert's (a repeat). Two groups in one notification, a
// service that groups alerts itself, or incident_per: alert keep the
// service's writer. The incident is the group's one throughout.
func TestRouteNotificationsByGroup(t *testing.T) {
	st := storetest.Engines(t)[0].Open(t)
	am := hypercare.Integration{ID: "am", ServiceID: "shop", Type: hypercare.IntegrationAlertmanager,
		Key: "0123456789abcdef0123456789abcdef", GroupIncidents: true}
	ctx := context.Background()
	if err := st.Write(ctx, "catalog", func(tx hypercare.Tx) error {
		return tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: "shop", Name: "Shop", Active: true}}, []hypercare.Integration{am})
	}); err != nil {
		t.Fatal(err)
	}
	in := New(st, clocktest.New(time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)))
	in.SetIntegrations([]hypercare.Integration{am})
	const group = `{}:{alertname="CrashLoop"}`
	ev := func(action hypercare.Action, key string) hypercare.Event {
		return hypercare.Event{Action: action, DedupKey: key, Summary: "Crash looping " + key, GroupKey: group, GroupTitle: "CrashLoop"}
	}
	batch := func(evs ...hypercare.Event) ([]hypercare.Event, []rules.Decision) {
		return evs, slices.Repeat([]rules.Decision{{ServiceID: "shop"}}, len(evs))
	}
	route := func(it hypercare.Integration, evs []hypercare.Event, d []rules.Decision) (string, bool) {
		return (view{Intake: in, cfg: in.config()}).route(it, evs, d)
	}
	want := func(name string, evs []hypercare.Event, d []rules.Decision, key string, repeat bool) {
		t.Helper()
		if k, r := route(am, evs, d); k != key || r != repeat {
			t.Errorf("%s: route = %q, %v; want %q, %v", name, k, r, key, repeat)
		}
		if _, err := in.Process(ctx, am, evs); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	trig, res := hypercare.ActionTrigger, hypercare.ActionResolve
	own := hypercare.GroupWriteKey("shop", group)
	first, d := batch(ev(trig, "p1"), ev(trig, "p2"))
	want("new notification", first, d, own, false)
	want("re-sent", first, d, own, false)
	grown, dg := batch(ev(trig, "p1"), ev(trig, "p2"), ev(trig, "p3"))
	want("re-sent with a new alert", grown, dg, own, false)
	mixed, dm := batch(ev(trig, "p1"), ev(res, "p2"))
	want("with a resolve", mixed, dm, own, false)
	alone, da := batch(ev(trig, "p1"))
	want("one alert re-sent", alone, da, alertKey("shop", "p1"), true)
	alone, da = batch(ev(res, "p3"))
	want("one alert resolved", alone, da, own, false)
	other := ev(trig, "p1")
	other.GroupKey = `{}:{alertname="Other"}`
	if evs, d := batch(ev(trig, "p2"), other); func() string { k, _ := route(am, evs, d); return k }() != "shop" {
		t.Error("two groups: not on the service's writer")
	}
	perAlert := am
	perAlert.GroupIncidents = false
	if k, _ := route(perAlert, first, d); k != "shop" {
		t.Errorf("incident_per: alert: route = %q, want the service's writer", k)
	}
	in.SetNoise(map[string]correlate.Noise{"shop": {Grouping: correlate.Grouping{Type: correlate.GroupIntelligent}}})
	if k, _ := route(am, first, d); k != "shop" {
		t.Errorf("service grouping alerts: route = %q, want the service's writer", k)
	}
	incs, _, err := st.ListIncidents(ctx, hypercare.IncidentFilter{})
	if err != nil || len(incs) != 1 || incs[0].AlertCount != 3 || incs[0].OpenAlertCount != 1 {
		t.Fatalf("incidents = %+v, %v; want the group's one, with p1 open and p2, p3 resolved", incs, err)
	}
}
