package config

import (
	"reflect"
	"testing"
	"time"

	"github.com/hypercare/hypercare/correlate"
)

// noiseServices is a config of three services (checkout, payments, db),
// each with the extra lines given for it.
func noiseServices(checkout, payments, db []string) string {
	lines := []string{"services:", "  - id: checkout", "    name: Checkout"}
	lines = append(lines, checkout...)
	lines = append(lines, "  - id: payments", "    name: Payments")
	lines = append(lines, payments...)
	lines = append(lines, "  - id: db", "    name: DB")
	lines = append(lines, db...)
	return y(lines...)
}

// TestParseNoise covers the noise keys of DESIGN.md §5.1: cycles in
// depends_on, unknown services and bad grouping settings are file:line
// problems.
func TestParseNoise(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"valid", noiseServices([]string{
			"    depends_on: [payments]",
			"    alert_grouping: {type: intelligent, window_minutes: 15}",
			"    pause_notifications_minutes: 2",
		}, []string{
			"    depends_on: [db]",
			"    alert_grouping: {type: content, fields: [source, component, labels.cluster]}",
			"    flapping: {count: 5, window_minutes: 60}",
		}, nil), nil},
		{"cycle", noiseServices([]string{"    depends_on: [payments]"}, []string{"    depends_on: [db]"}, []string{"    depends_on: [checkout]"}), []string{
			`hypercare.yaml:10:18: services[2].depends_on[0]: depends_on forms a cycle: checkout → payments → db → checkout`,
		}},
		{"self and unknown", noiseServices([]string{"    depends_on: [checkout, search]"}, nil, nil), []string{
			`hypercare.yaml:4:18: services[0].depends_on[0]: a service cannot depend on itself`,
			`hypercare.yaml:4:28: services[0].depends_on[1]: service "search" is not declared under services`,
		}},
		{"bad grouping and pause", noiseServices([]string{
			"    alert_grouping: {type: smart, window_minutes: 2000}",
			"    pause_notifications_minutes: -1",
		}, []string{
			"    alert_grouping: {type: content}",
		}, []string{
			"    alert_grouping: {type: time, fields: [source]}",
			"    flapping: {count: 3}",
		}), []string{
			`hypercare.yaml:4:28: services[0].alert_grouping.type: must be one of none, time, content, intelligent, not "smart"`,
			`hypercare.yaml:4:51: services[0].alert_grouping.window_minutes: must be between 0 and 1440 minutes`,
			`hypercare.yaml:5:34: services[0].pause_notifications_minutes: must be between 0 and 1440 minutes`,
			`hypercare.yaml:8:21: services[1].alert_grouping.fields: is required for content grouping (e.g. [source, component, labels.cluster])`,
			`hypercare.yaml:11:42: services[2].alert_grouping.fields: is only used by content grouping`,
			`hypercare.yaml:12:15: services[2].flapping.window_minutes: is required when count is set`,
		}},
		// Leaving count out does not keep the default 3: it would be 0,
		// which turns flap detection off, so it is asked for.
		{"flapping without count", noiseServices([]string{"    flapping: {window_minutes: 60}"}, []string{"    flapping: {}"}, nil), []string{
			`hypercare.yaml:4:15: services[0].flapping.count: is required (trigger and resolve cycles within window_minutes that make an alert flapping, such as 3; 0 turns flap detection off)`,
			`hypercare.yaml:7:15: services[1].flapping.count: is required (trigger and resolve cycles within window_minutes that make an alert flapping, such as 3; 0 turns flap detection off)`,
		}},
		{"bad symptom grace", noiseServices(nil, []string{"    symptom_grace_minutes: 1441"}, []string{"    symptom_grace_minutes: -5"}), []string{
			`hypercare.yaml:6:28: services[1].symptom_grace_minutes: must be between 0 and 1440 minutes`,
			`hypercare.yaml:9:28: services[2].symptom_grace_minutes: must be between 0 and 1440 minutes`,
		}},
		{"bad content field", noiseServices([]string{"    alert_grouping: {type: content, fields: [source, labels., host]}"}, nil, nil), []string{
			`hypercare.yaml:4:54: services[0].alert_grouping.fields[1]: "labels." is not a field; use one of summary, source, component, group, class, severity, labels.NAME`,
			`hypercare.yaml:4:63: services[0].alert_grouping.fields[2]: "host" is not a field; use one of summary, source, component, group, class, severity, labels.NAME`,
		}},
	}, noEnv)
}

// TestNoiseEffective checks what Parse hands intake: defaults applied,
// minutes converted, dependencies made transitive (nearest first),
// symptom grace defaulted to 10 minutes, 0 kept.
func TestNoiseEffective(t *testing.T) {
	cfg, err := Parse("hypercare.yaml", []byte(noiseServices([]string{
		"    depends_on: [payments]",
		"    alert_grouping: {type: intelligent}",
		"    pause_notifications_minutes: 2",
	}, []string{
		"    depends_on: [db]",
		"    flapping: {count: 0}",
		"    symptom_grace_minutes: 0",
	}, []string{
		"    symptom_grace_minutes: 30",
	})))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]correlate.Noise{
		"checkout": {Grouping: correlate.Grouping{Type: correlate.GroupIntelligent}, Pause: 2 * time.Minute,
			Flapping: correlate.DefaultFlapping, Upstream: []string{"payments", "db"}, SymptomGrace: correlate.DefaultSymptomGrace},
		"payments": {Grouping: correlate.Grouping{Type: correlate.GroupNone}, Upstream: []string{"db"}},
		"db":       {Grouping: correlate.Grouping{Type: correlate.GroupNone}, Flapping: correlate.DefaultFlapping, SymptomGrace: 30 * time.Minute},
	}
	if got := cfg.Noise(); !reflect.DeepEqual(got, want) {
		t.Errorf("Noise() =\n %+v\nwant\n %+v", got, want)
	}
}

// TestDocsNoiseExample keeps the noise example of docs/config.md valid.
func TestDocsNoiseExample(t *testing.T) {
	cfg, err := Parse("config.md", []byte(fenced(t, "../docs/config.md", "yml")))
	if err != nil {
		t.Fatalf("docs/config.md noise example:\n%v", err)
	}
	if n := cfg.Noise()["checkout"]; n.Grouping.Type != correlate.GroupIntelligent || n.Pause != 2*time.Minute || len(n.Upstream) != 1 {
		t.Errorf("checkout noise = %+v", n)
	}
}
