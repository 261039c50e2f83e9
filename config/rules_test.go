package config

import (
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/rules"
)

// TestParseRules covers event rules: bad expressions are reported at the
// line and column inside the YAML value, whatever its quoting; unknown
// actions, bad values and routes to missing services are file:line
// problems too.
func TestParseRules(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"valid global and service rules", with(okService,
			"    rules:",
			`      - {id: checkout-p1, when: 'severity == "critical"', then: {priority: P1}}`,
			"rules:",
			`  - {id: disk-low, when: 'severity == "warning" && component == "disk"', then: {urgency: low}}`,
			"  - id: storage",
			"    when: |",
			`      labels.team == "storage" &&`,
			`      details.used_pct > 90`,
			"    then:",
			"      route: checkout",
			`      summary: '"Disk full on " + source'`,
			`      dedup_key: '"disk-" + source'`,
			"      links: [{href: 'https://wiki.example.com/disk', text: Runbook}]",
			"      delay_minutes: 5",
			"    continue: true",
		), nil},
		{"bad expression, single-quoted", with(okService,
			"rules:",
			`  - {id: r1, when: 'severity == "warning" && sevrity == "x"', then: {urgency: low}}`,
		), []string{
			`hypercare.yaml:8:46: rules[0].when: unknown name sevrity`,
		}},
		{"bad expression, plain and double-quoted", with(okService,
			"rules:",
			`  - id: r1`,
			`    when: severity == 1`,
			`  - id: r2`,
			`    when: "component +"`,
		), []string{
			`hypercare.yaml:9:20: rules[0].when: invalid operation: == (mismatched types string and int)`,
			`hypercare.yaml:11:22: rules[1].when: unexpected token EOF`,
		}},
		{"bad expression in a block, second line", with(okService,
			"rules:",
			"  - id: r1",
			"    when: |",
			`      component == "disk" &&`,
			`        sumary == "x"`,
		), []string{
			`hypercare.yaml:11:9: rules[0].when: unknown name sumary`,
		}},
		{"condition that is not a boolean, bad template", with(okService,
			"rules:",
			"  - id: r1",
			"    when: summary",
			"    then: {summary: '1 + 2'}",
		), []string{
			`hypercare.yaml:9:11: rules[0].when: expected bool, but got string`,
			`hypercare.yaml:10:21: rules[0].then.summary: expected string, but got int`,
		}},
		{"unknown field in then", with(okService,
			"rules:",
			"  - id: r1",
			"    when: 'true'",
			"    then: {urgncy: low}",
		), []string{
			`hypercare.yaml:10:12: rules[0].then.urgncy: unknown field "urgncy" (allowed: severity, urgency, priority, route, suppress, drop, dedup_key, summary, links, delay_minutes)`,
		}},
		{"route to a missing service, bad values", with(okService,
			"    rules:",
			"      - {id: r1, when: 'true', then: {route: payments}}",
			"rules:",
			"  - {id: r2, when: 'true', then: {severity: urgent, urgency: medium, priority: P0}}",
			"  - {id: r3, when: 'true', then: {drop: true, urgency: low}}",
			"  - {id: r4, when: 'true', then: {delay_minutes: 2000, links: [{href: 'ftp://x'}]}}",
			"  - {id: r1, when: 'true'}",
		), []string{
			`hypercare.yaml:8:14: services[0].rules[0].id: duplicate rule ID "r1", already used by rules[3] at line 13`,
			`hypercare.yaml:8:46: services[0].rules[0].then.route: service "payments" is not declared under services`,
			`hypercare.yaml:10:45: rules[0].then.severity: must be one of critical, error, warning, info`,
			`hypercare.yaml:10:62: rules[0].then.urgency: must be high or low`,
			`hypercare.yaml:10:80: rules[0].then.priority: must be one of P1, P2, P3, P4, P5`,
			`hypercare.yaml:11:41: rules[1].then.drop: a dropped event is only logged, so drop cannot be combined with other actions`,
			`hypercare.yaml:12:50: rules[2].then.delay_minutes: must be between 0 and 1440`,
			`hypercare.yaml:12:71: rules[2].then.links[0].href: must be an http or https URL`,
		}},
		{"missing when and id", with(okService,
			"rules:",
			"  - then: {urgency: low}",
		), []string{
			`hypercare.yaml:8:5: rules[0].id: is required`,
			`hypercare.yaml:8:5: rules[0].when: is required`,
		}},
		{"too expensive", with(okService,
			"rules:",
			"  - {id: r1, when: 'all(details.tags, any(details.tags, true))'}",
		), []string{
			`hypercare.yaml:8:39: rules[0].when: loops (all, any, filter, map, ...) may not be nested: a nested loop over a large payload could stall intake`,
		}},
	}, noEnv)
}

// TestRulesCompiledAtLoad checks that Parse hands out the compiled rules,
// global first, and that they act on events.
func TestRulesCompiledAtLoad(t *testing.T) {
	cfg := mustParse(t, with(okService,
		"    rules:",
		"      - {id: svc, when: 'true', then: {priority: P2}}",
		"rules:",
		`  - {id: disk-low, when: 'severity == "warning" && component == "disk"', then: {urgency: low}}`,
	))
	ev := hypercare.Event{Action: hypercare.ActionTrigger, Severity: hypercare.SeverityWarning, Component: "disk"}
	d := cfg.Rules().Apply(&ev, rules.Source{ServiceID: "checkout"})
	if len(d.Matched) != 2 || d.Matched[0] != "disk-low" || d.Urgency != hypercare.UrgencyLow || d.Priority != "P2" {
		t.Errorf("decision %+v", d)
	}
	if got := cfg.Rules().IDs(); len(got) != 2 {
		t.Errorf("IDs = %v", got)
	}
	var none *Config
	if none.Rules() != nil {
		t.Error("nil config has rules")
	}
}
