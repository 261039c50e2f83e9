package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/storetest"
)

// rulesConfig is a config file whose services match the test harness's
// catalog, and whose event rules the tests below exercise.
const rulesConfig = `
services:
  - id: checkout
    name: Checkout
    integrations: [{type: events-v2, key: 0123456789abcdef0123456789abcdef}]
    rules:
      - {id: checkout-p2, when: 'severity == "warning"', then: {priority: P2}}
  - id: search
    name: Search
    integrations: [{type: events-v2, key: fedcba9876543210fedcba9876543210}]
rules:
  - {id: drop-debug, when: 'summary startsWith "debug:"', then: {drop: true}}
  - {id: quiet, when: 'summary startsWith "noise:"', then: {suppress: true}}
  - {id: to-search, when: 'component == "search-index"', then: {route: search}}
  - id: disk-low
    when: 'severity == "warning" && component == "disk"'
    then:
      urgency: low
      dedup_key: '"disk-" + source'
      summary: '"Disk filling up on " + source'
      links: [{href: "https://wiki.example.com/disk", text: Disk runbook}]
    continue: true
  - {id: batch-low, when: 'class == "batch"', then: {urgency: low}}
  - {id: slow-page, when: 'class == "slow"', then: {delay_minutes: 3}}
  - {id: broken, when: 'details.count > 3', then: {urgency: low}}
`

// withRules sets the rules of rulesConfig on e's intake.
func withRules(t *testing.T, e *env) {
	t.Helper()
	cfg, err := config.Parse("hypercare.yaml", []byte(rulesConfig))
	if err != nil {
		t.Fatal(err)
	}
	e.in.SetRules(cfg.Rules())
}

func event(summary, severity, component, class string) map[string]any {
	ev := trigger(keyCheckout, "", summary)
	p := ev["payload"].(map[string]any)
	p["severity"], p["component"], p["class"] = severity, component, class
	return ev
}

func (e *env) events() []hypercare.EventRecord {
	e.t.Helper()
	var out struct {
		Events []hypercare.EventRecord `json:"events"`
	}
	if code := e.do("GET", "/api/v1/events", e.viewer, nil, &out); code != 200 {
		e.t.Fatalf("list events: %d", code)
	}
	return out.Events
}

func TestRuleSuppressRecordsAlertWithoutIncident(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		withRules(t, e)
		ev := event("noise: cache warm-up", "error", "cache", "")
		ev["dedup_key"] = "cache-1"
		e.send(ev)
		if got := e.incidents(""); len(got) != 0 {
			t.Fatalf("suppressed event opened %d incidents", len(got))
		}
		alerts := e.alerts("")
		if len(alerts) != 1 || alerts[0].IncidentID != "" || alerts[0].DedupKey != "cache-1" {
			t.Fatalf("alerts %+v, want one without incident", alerts)
		}
		evs := e.events()
		if len(evs) != 1 || evs[0].Outcome != hypercare.OutcomeSuppressed || !slices.Equal(evs[0].Rules, []string{"quiet"}) ||
			evs[0].AlertID != alerts[0].ID {
			t.Fatalf("event log %+v", evs)
		}
		// A later trigger of the same alert that the rule does not
		// suppress opens the incident: a suppression never hides a
		// problem that got worse.
		ev = event("Cache down", "critical", "cache", "")
		ev["dedup_key"] = "cache-1"
		e.send(ev)
		incs := e.incidents("")
		if len(incs) != 1 || incs[0].Title != "Cache down" {
			t.Fatalf("incidents %+v", incs)
		}
		if a := e.alerts(""); len(a) != 1 || a[0].IncidentID != incs[0].ID || a[0].EventCount != 2 {
			t.Fatalf("alerts %+v", a)
		}
		// A resolve of a suppressed alert touches only the alert.
		ev = event("noise: again", "error", "cache", "")
		ev["dedup_key"] = "cache-2"
		e.send(ev)
		e.send(action(keyCheckout, "resolve", "cache-2"))
		if len(e.incidents("")) != 1 {
			t.Fatal("resolving a suppressed alert changed incidents")
		}
		if a := e.alerts("?status=resolved"); len(a) != 1 || a[0].DedupKey != "cache-2" {
			t.Fatalf("resolved alerts %+v", a)
		}
	})
}

func TestRuleDropRecordsOnlyTheEvent(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		withRules(t, e)
		e.send(event("debug: heartbeat", "critical", "", ""))
		if n, a := len(e.incidents("")), len(e.alerts("")); n != 0 || a != 0 {
			t.Fatalf("dropped event made %d incidents, %d alerts", n, a)
		}
		evs := e.events()
		if len(evs) != 1 || evs[0].Outcome != hypercare.OutcomeDropped || !slices.Equal(evs[0].Rules, []string{"drop-debug"}) ||
			evs[0].AlertID != "" || evs[0].IncidentID != "" || !strings.Contains(string(evs[0].Payload), "debug: heartbeat") {
			t.Fatalf("event log %+v", evs)
		}
	})
}

func TestRuleRouteLandsOnTheOtherService(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		withRules(t, e)
		e.send(event("Index lagging", "critical", "search-index", ""))
		incs := e.incidents("")
		if len(incs) != 1 || incs[0].ServiceID != "search" {
			t.Fatalf("incidents %+v, want one on search", incs)
		}
		if evs := e.events(); len(evs) != 1 || evs[0].ServiceID != "search" || evs[0].IntegrationID != "checkout-v2" {
			t.Fatalf("event log %+v", evs)
		}
	})
}

func TestRuleSetsUrgencyPriorityDedupSummaryAndLinks(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		withRules(t, e)
		ev := event("disk 91%", "warning", "disk", "")
		ev["payload"].(map[string]any)["source"] = "db-1"
		if out := e.send(ev); out.DedupKey != "disk-db-1" {
			t.Fatalf("answer dedup_key %q, want the rule's", out.DedupKey)
		}
		incs := e.incidents("")
		// Priority comes from the service rule, which runs after the
		// global one because that one says continue: true.
		if len(incs) != 1 || incs[0].Urgency != hypercare.UrgencyLow || incs[0].Priority != "P2" ||
			incs[0].Title != "Disk filling up on db-1" {
			t.Fatalf("incidents %+v", incs)
		}
		a := e.alerts("")
		if len(a) != 1 || a[0].DedupKey != "disk-db-1" || len(a[0].Links) != 1 || a[0].Links[0].Href != "https://wiki.example.com/disk" {
			t.Fatalf("alerts %+v", a)
		}
		if evs := e.events(); !slices.Equal(evs[0].Rules, []string{"disk-low", "checkout-p2"}) {
			t.Fatalf("event rules %v", evs[0].Rules)
		}
		var got hypercare.Incident
		if code := e.do("GET", "/api/v1/incidents/1", e.viewer, nil, &struct {
			Incident *hypercare.Incident `json:"incident"`
		}{&got}); code != 200 || got.Priority != "P2" {
			t.Fatalf("get incident: %d %+v", code, got)
		}
		// A critical event is high urgency by default; the rule makes it low.
		e.send(event("nightly export failed", "critical", "etl", "batch"))
		if incs := e.incidents(""); len(incs) != 2 || incs[0].Urgency != hypercare.UrgencyLow || incs[0].Priority != "" {
			t.Fatalf("incidents %+v", incs)
		}
	})
}

// TestRuleRuntimeErrorIsCountedAndSkipped checks that a rule failing on an
// event neither fails nor changes the event, and that /metrics counts it.
func TestRuleRuntimeErrorIsCountedAndSkipped(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		withRules(t, e)
		e.send(event("Checkout 5xx", "critical", "web", "")) // no details: "broken" fails
		incs := e.incidents("")
		if len(incs) != 1 || incs[0].Urgency != hypercare.UrgencyHigh {
			t.Fatalf("incidents %+v", incs)
		}
		e.send(event("noise: x", "error", "", ""))
		code, _, body := e.raw("GET", "/metrics", "")
		if code != http.StatusOK {
			t.Fatalf("metrics: %d", code)
		}
		for _, want := range []string{
			`hypercare_rule_errors_total{rule="broken"} 1`,
			`hypercare_rule_hits_total{rule="quiet"} 1`,
			`hypercare_rule_hits_total{rule="drop-debug"} 0`,
		} {
			if !strings.Contains(string(body), want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})
}

// TestRuleDelaysTheFirstPage checks delay_minutes: the escalation starts
// N minutes after the incident opens.
func TestRuleDelaysTheFirstPage(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newPager(t, eng)
		withRules(t, p.env)
		p.send(event("Checkout slow", "critical", "web", "slow"))
		p.after(0)
		p.after(2*time.Minute + 59*time.Second)
		p.after(time.Second, "alice level 1 incident #1")
		// An incident acknowledged inside the delay never pages.
		p.send(event("Search slow", "critical", "web", "slow"))
		if code := p.do("POST", "/api/v1/incidents/2/acknowledge", p.responder, nil, nil); code != 200 {
			t.Fatalf("ack: %d", code)
		}
		p.after(time.Hour, "bob level 2 incident #1")
	})
}
