package rules

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

var src = Source{ServiceID: "checkout", IntegrationID: "checkout-alertmanager", IntegrationType: hypercare.IntegrationAlertmanager}

func diskEvent() hypercare.Event {
	return hypercare.Event{
		Action: hypercare.ActionTrigger, DedupKey: "k1", Summary: "Disk 91% full on db-1",
		Source: "db-1", Severity: hypercare.SeverityWarning, Component: "disk", Group: "db", Class: "DiskFull",
		CustomDetails: json.RawMessage(`{"labels":{"team":"dba","env":"prod","n":3},"used_pct":91.5,"tags":["a","b"]}`),
	}
}

func mustCompile(t *testing.T, specs ...Spec) []*Rule {
	t.Helper()
	var out []*Rule
	for _, s := range specs {
		r, err := Compile(s)
		if err != nil {
			t.Fatalf("compile %s: %v", s.ID, err)
		}
		out = append(out, r)
	}
	return out
}

// TestConditions checks that conditions see every event field, the
// source, labels and details.
func TestConditions(t *testing.T) {
	cases := []struct {
		when string
		want bool
	}{
		{`severity == "warning" && component == "disk"`, true},
		{`summary contains "91%"`, true},
		{`source == "db-1" && group == "db" && class == "DiskFull"`, true},
		{`action == "trigger" && dedup_key == "k1"`, true},
		{`service == "checkout" && integration == "checkout-alertmanager"`, true},
		{`integration_type == "alertmanager"`, true},
		{`labels.team == "dba" && labels["env"] == "prod"`, true},
		{`labels.n == ""`, true}, // non-string labels are left out
		{`labels.missing == ""`, true},
		{`details.used_pct > 90`, true},
		{`"b" in details.tags`, true},
		{`any(details.tags, # == "c")`, false},
		{`all(1..10, # > 0) && len(filter(details.tags, # != "a")) == 1`, true},
		{`severity == "critical"`, false},
		{`client == "x"`, false},
	}
	for _, c := range cases {
		set := NewSet(mustCompile(t, Spec{ID: "r", When: c.when, Then: Then{Urgency: hypercare.UrgencyLow}}), nil)
		ev := diskEvent()
		d := set.Apply(&ev, src)
		if got := len(d.Matched) == 1; got != c.want || len(d.Failed) > 0 {
			t.Errorf("%s: matched %v failed %v, want match %v", c.when, d.Matched, d.Failed, c.want)
		}
	}
}

// TestActions checks every action.
func TestActions(t *testing.T) {
	runbook := hypercare.Link{Href: "https://wiki.example.com/disk", Text: "Disk runbook"}
	cases := []struct {
		name  string
		then  Then
		check func(ev hypercare.Event, d Decision) bool
	}{
		{"severity", Then{Severity: hypercare.SeverityCritical}, func(ev hypercare.Event, d Decision) bool { return ev.Severity == hypercare.SeverityCritical }},
		{"urgency", Then{Urgency: hypercare.UrgencyLow}, func(ev hypercare.Event, d Decision) bool { return d.Urgency == hypercare.UrgencyLow }},
		{"priority", Then{Priority: "P2"}, func(ev hypercare.Event, d Decision) bool { return d.Priority == "P2" }},
		{"route", Then{Route: "storage"}, func(ev hypercare.Event, d Decision) bool { return d.ServiceID == "storage" }},
		{"suppress", Then{Suppress: true}, func(ev hypercare.Event, d Decision) bool { return d.Suppress && !d.Drop }},
		{"drop", Then{Drop: true}, func(ev hypercare.Event, d Decision) bool { return d.Drop }},
		{"dedup key", Then{DedupKey: `"disk-" + source`}, func(ev hypercare.Event, d Decision) bool { return ev.DedupKey == "disk-db-1" }},
		{"summary", Then{Summary: `upper(component) + " low on " + source + " (" + labels.team + ")"`}, func(ev hypercare.Event, d Decision) bool {
			return ev.Summary == "DISK low on db-1 (dba)"
		}},
		{"links", Then{Links: []hypercare.Link{runbook}}, func(ev hypercare.Event, d Decision) bool { return slices.Equal(d.Links, []hypercare.Link{runbook}) }},
		{"delay", Then{Delay: 5 * time.Minute}, func(ev hypercare.Event, d Decision) bool { return d.Delay == 5*time.Minute }},
	}
	for _, c := range cases {
		set := NewSet(mustCompile(t, Spec{ID: "r", When: `component == "disk"`, Then: c.then}), nil)
		ev := diskEvent()
		d := set.Apply(&ev, src)
		if !c.check(ev, d) || !slices.Equal(d.Matched, []string{"r"}) {
			t.Errorf("%s: event %+v decision %+v", c.name, ev, d)
		}
	}
}

// TestOrder checks first-match, continue, global-before-service, routing
// into another service's rules, and drop ending evaluation.
func TestOrder(t *testing.T) {
	r := func(id, when string, cont bool, then Then) Spec {
		return Spec{ID: id, When: when, Continue: cont, Then: then}
	}
	cases := []struct {
		name      string
		global    []Spec
		services  map[string][]Spec
		matched   []string
		urgency   hypercare.Urgency
		serviceID string
	}{
		{"first match wins", []Spec{r("a", "true", false, Then{Urgency: "low"}), r("b", "true", false, Then{Urgency: "high"})}, nil,
			[]string{"a"}, "low", "checkout"},
		{"non-matching rules are passed over", []Spec{r("a", "false", false, Then{Urgency: "low"}), r("b", "true", false, Then{Urgency: "high"})}, nil,
			[]string{"b"}, "high", "checkout"},
		{"continue lets later rules override", []Spec{r("a", "true", true, Then{Urgency: "low"}), r("b", "true", false, Then{Urgency: "high"})}, nil,
			[]string{"a", "b"}, "high", "checkout"},
		{"global first, then the service's", []Spec{r("g", "true", false, Then{Urgency: "low"})},
			map[string][]Spec{"checkout": {r("s", "true", false, Then{Urgency: "high"})}}, []string{"g", "s"}, "high", "checkout"},
		{"other services' rules do not run", nil, map[string][]Spec{"storage": {r("s", "true", false, Then{Urgency: "high"})}},
			nil, "", "checkout"},
		{"a global route runs the target's rules", []Spec{r("g", "true", false, Then{Route: "storage"})},
			map[string][]Spec{"checkout": {r("c", "true", false, Then{Urgency: "high"})}, "storage": {r("s", `service == "storage"`, false, Then{Urgency: "low"})}},
			[]string{"g", "s"}, "low", "storage"},
		{"a service route runs no more rules", nil,
			map[string][]Spec{"checkout": {r("c", "true", false, Then{Route: "storage"})}, "storage": {r("s", "true", false, Then{Urgency: "low"})}},
			[]string{"c"}, "", "storage"},
		{"drop ends evaluation", []Spec{r("d", "true", true, Then{Drop: true}), r("b", "true", false, Then{Urgency: "high"})},
			map[string][]Spec{"checkout": {r("s", "true", false, Then{Urgency: "low"})}}, []string{"d"}, "", "checkout"},
		{"a severity set earlier is seen later", []Spec{r("a", "true", true, Then{Severity: "critical"}), r("b", `severity == "critical"`, false, Then{Urgency: "high"})}, nil,
			[]string{"a", "b"}, "high", "checkout"},
	}
	for _, c := range cases {
		byService := map[string][]*Rule{}
		for id, specs := range c.services {
			byService[id] = mustCompile(t, specs...)
		}
		set := NewSet(mustCompile(t, c.global...), byService)
		ev := diskEvent()
		d := set.Apply(&ev, src)
		if !slices.Equal(d.Matched, c.matched) || d.Urgency != c.urgency || d.ServiceID != c.serviceID {
			t.Errorf("%s: matched %v urgency %q service %q, want %v %q %q", c.name, d.Matched, d.Urgency, d.ServiceID, c.matched, c.urgency, c.serviceID)
		}
	}
}

// TestRuntimeErrorSkipsRule checks that a rule whose expression fails on
// an event is reported and skipped, and the next rule still runs.
func TestRuntimeErrorSkipsRule(t *testing.T) {
	for _, bad := range []Spec{
		{ID: "bad", When: `details.missing > 3`, Then: Then{Urgency: "low"}},
		{ID: "bad", When: `details.used_pct.x == 1`, Then: Then{Urgency: "low"}},
		{ID: "bad", When: `true`, Then: Then{Urgency: "low", Summary: `labels.nope`}},           // empty result
		{ID: "bad", When: `true`, Then: Then{Urgency: "low", DedupKey: `repeat("k", 300)`}},     // too long
		{ID: "bad", When: `true`, Then: Then{Urgency: "low", DedupKey: `details.used_pct`}},     // not a string
		{ID: "bad", When: `len(1..1000000) > 0`, Then: Then{Urgency: "low"}},                    // memory budget
		{ID: "bad", When: `all(1..5000, # > 0)`, Then: Then{Urgency: "low"}},                    // loop limit
		{ID: "bad", When: `len(repeat("abcdefghij", 1000000)) > 0`, Then: Then{Urgency: "low"}}, // memory budget
	} {
		set := NewSet(mustCompile(t, bad, Spec{ID: "next", When: "true", Then: Then{Priority: "P3"}}), nil)
		ev := diskEvent()
		before := ev
		d := set.Apply(&ev, src)
		if !slices.Equal(d.Failed, []string{"bad"}) || !slices.Equal(d.Matched, []string{"next"}) || d.Urgency != "" || d.Priority != "P3" {
			t.Errorf("%s / %s: decision %+v", bad.When, bad.Then.Summary+bad.Then.DedupKey, d)
		}
		if ev.Summary != before.Summary || ev.DedupKey != before.DedupKey {
			t.Errorf("%s: a failed rule changed the event", bad.When)
		}
	}
}

// TestCompileErrors checks that bad rules are refused at load with the
// position inside the expression.
func TestCompileErrors(t *testing.T) {
	cases := []struct {
		spec   Spec
		field  string
		line   int
		column int
		msg    string
	}{
		{Spec{ID: "r", When: `severity == "warning" &&`}, "when", 1, 24, "unexpected token EOF"},
		{Spec{ID: "r", When: `sevrity == "warning"`}, "when", 1, 1, "unknown name sevrity"},
		{Spec{ID: "r", When: "severity ==\n  1"}, "when", 1, 10, "mismatched types"},
		{Spec{ID: "r", When: `summary`}, "when", 0, 0, "expected bool"},
		{Spec{ID: "r"}, "when", 0, 0, "is required"},
		{Spec{ID: "r", When: "true", Then: Then{Summary: `1 + 2`}}, "then.summary", 0, 0, "expected string"},
		{Spec{ID: "r", When: "true", Then: Then{DedupKey: `source +`}}, "then.dedup_key", 1, 8, "unexpected token"},
		{Spec{ID: "r", When: "true", Then: Then{Severity: "urgent"}}, "then.severity", 0, 0, "must be one of"},
		{Spec{ID: "r", When: "true", Then: Then{Urgency: "medium"}}, "then.urgency", 0, 0, "must be high or low"},
		{Spec{ID: "r", When: "true", Then: Then{Priority: "P9"}}, "then.priority", 0, 0, "P1, P2"},
		{Spec{ID: "r", When: "true", Then: Then{Drop: true, Urgency: "low"}}, "then.drop", 0, 0, "cannot be combined"},
		{Spec{ID: "r", When: "true", Then: Then{Delay: 25 * time.Hour}}, "then.delay_minutes", 0, 0, "between 0 and 1440"},
		{Spec{ID: "r", When: "true", Then: Then{Links: []hypercare.Link{{Text: "x"}}}}, "then.links[0].href", 0, 0, "is required"},
		// Cost limits: too large, and nested loops.
		{Spec{ID: "r", When: strings.Repeat("severity == \"x\" || ", 100) + "true"}, "when", -1, 0, "exceeds maximum allowed nodes"},
		{Spec{ID: "r", When: `all(details.tags, any(details.tags, true))`}, "when", 1, 19, "may not be nested"},
		{Spec{ID: "r", When: `all(1..3, # == "x")`}, "when", -1, 0, "mismatched types int and string"}, // predicates stay typed
	}
	for _, c := range cases {
		_, err := Compile(c.spec)
		var ce *CompileError
		if !errors.As(err, &ce) || ce.Field != c.field || c.line >= 0 && (ce.Line != c.line || ce.Column != c.column) || !strings.Contains(ce.Message, c.msg) {
			t.Errorf("%q: got %v, want %s at %d:%d containing %q", c.spec.When, err, c.field, c.line, c.column, c.msg)
		}
	}
}

// TestNoRules checks that a nil or empty set decides nothing.
func TestNoRules(t *testing.T) {
	for _, set := range []*Set{nil, NewSet(nil, nil)} {
		ev := diskEvent()
		d := set.Apply(&ev, src)
		if d.ServiceID != "checkout" || d.Matched != nil || d.Suppress || d.Drop {
			t.Errorf("decision %+v", d)
		}
	}
}

// TestRoutes: the services an event arriving on a service may be routed
// to: the global rules' routes, the service's own rules', and those of the
// services global rules route to; each once, the service itself aside.
func TestRoutes(t *testing.T) {
	compile := func(id, route string) *Rule {
		r, err := Compile(Spec{ID: id, When: "true", Then: Then{Route: route}})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	s := NewSet([]*Rule{compile("g1", "db"), compile("g2", "shop")}, map[string][]*Rule{
		"shop": {compile("s1", "api"), compile("s2", "db")},
		"db":   {compile("d1", "cache")},
		"api":  {compile("a1", "never")},
	})
	if got := s.Routes("shop"); !slices.Equal(got, []string{"db", "api", "cache"}) {
		t.Errorf("Routes(shop) = %v, want [db api cache]", got)
	}
	if got := (*Set)(nil).Routes("shop"); got != nil {
		t.Errorf("nil set: %v", got)
	}
}
