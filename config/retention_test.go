package config

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

func TestRetentionDefaultsKeepForever(t *testing.T) {
	for name, cfg := range map[string]*Config{"nil": nil, "empty": mustParse(t, y("teams: []"))} {
		p := cfg.Retention()
		if p.Enabled() || p.BatchSize != DefaultRetentionBatch || p.Interval != DefaultRetentionInterval {
			t.Errorf("%s config: retention %+v, want off with default batch and interval", name, p)
		}
		if !p.Cutoffs(time.Now()).Zero() {
			t.Errorf("%s config: cutoffs %+v, want none", name, p.Cutoffs(time.Now()))
		}
	}
}

func TestRetentionParsed(t *testing.T) {
	cfg := mustParse(t, y("retention:", "  events_days: 7", "  notifications_days: 30", "  escalations_days: 30",
		"  incidents_days: 90", "  batch_size: 200", "  interval: 30s"))
	day := 24 * time.Hour
	want := hypercare.RetentionPolicy{Events: 7 * day, Notifications: 30 * day, Escalations: 30 * day, Incidents: 90 * day,
		BatchSize: 200, Interval: 30 * time.Second}
	if got := cfg.Retention(); got != want {
		t.Errorf("Retention() = %+v, want %+v", got, want)
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	c := want.Cutoffs(now)
	if !c.Events.Equal(now.Add(-7*day)) || !c.Incidents.Equal(now.Add(-90*day)) {
		t.Errorf("Cutoffs = %+v", c)
	}
	if p := mustParse(t, y("retention: {incidents_days: 1}")).Retention(); p.Events != 0 || p.Incidents != day || !p.Enabled() {
		t.Errorf("only incidents_days: %+v", p)
	}
}

func TestRetentionProblems(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"negative days", y("retention:", "  events_days: -1"), []string{
			"hypercare.yaml:2:16: retention.events_days: must be between 0 (keep forever) and 36500 days",
		}},
		{"bad batch", y("retention:", "  incidents_days: 3", "  batch_size: 0"), []string{
			"hypercare.yaml:3:15: retention.batch_size: must be between 1 and 10000 rows",
		}},
		{"bad interval", y("retention:", "  interval: 5 minutes"), []string{
			`hypercare.yaml:2:13: retention.interval: must be a duration between 1s and 24h such as 30s or 5m, not "5 minutes"`,
		}},
		{"interval too short", y("retention:", "  interval: 10ms"), []string{
			`hypercare.yaml:2:13: retention.interval: must be a duration between 1s and 24h such as 30s or 5m, not "10ms"`,
		}},
		{"unknown key", y("retention:", "  alerts_days: 3"), []string{
			`hypercare.yaml:2:3: retention.alerts_days: unknown field "alerts_days" (allowed: events_days, notifications_days, escalations_days, incidents_days, batch_size, interval)`,
		}},
	}, noEnv)
}

// TestRetentionDocumented keeps docs/config.md's retention table in step
// with the keys the decoder accepts, and its example effective.
func TestRetentionDocumented(t *testing.T) {
	data, err := os.ReadFile("../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(data), "## `retention`\n")
	sec, _, _ = strings.Cut(sec, "\n## ")
	if !ok {
		t.Fatal("docs/config.md has no retention section")
	}
	var documented []string
	for line := range strings.SplitSeq(sec, "\n") {
		if f, ok := strings.CutPrefix(line, "| `"); ok {
			documented = append(documented, f[:strings.Index(f, "`")])
		}
	}
	var keys []string
	rt := reflect.TypeFor[Retention]()
	for i := range rt.NumField() {
		keys = append(keys, rt.Field(i).Tag.Get("yaml"))
	}
	if !slices.Equal(documented, keys) {
		t.Errorf("docs/config.md documents retention keys %v, the decoder accepts %v", documented, keys)
	}
	cfg, err := parse("config.md", []byte(fenced(t, "../docs/config.md", "yaml")), grafanaEnv)
	if err != nil {
		t.Fatal(err)
	}
	if p := cfg.Retention(); p.Incidents != 365*24*time.Hour || p.Events != 30*24*time.Hour || p.Interval != time.Minute {
		t.Errorf("docs/config.md example retention = %+v", p)
	}
}

// TestRetentionREADMEExample keeps the README's retention example valid
// and saying what its comments say.
func TestRetentionREADMEExample(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(data), "```yaml\nretention:\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("README has no ```yaml block starting with retention:")
	}
	cfg, err := Parse("README.md", []byte("retention:\n"+block))
	if err != nil {
		t.Fatalf("README retention example:\n%v", err)
	}
	day := 24 * time.Hour
	want := hypercare.RetentionPolicy{Events: 30 * day, Notifications: 90 * day, Escalations: 90 * day, Incidents: 365 * day,
		BatchSize: DefaultRetentionBatch, Interval: DefaultRetentionInterval}
	if got := cfg.Retention(); got != want {
		t.Errorf("README retention example = %+v, want %+v", got, want)
	}
}

// TestRetentionKeepsEventsReadinessReads: readiness calls an integration
// silent after a window's silent_integration_days without an event in the
// log, so the log is kept at least that long whatever events_days says; a
// longer events_days is kept as written.
func TestRetentionKeepsEventsReadinessReads(t *testing.T) {
	day := 24 * time.Hour
	window := `  - {id: w, name: W, time_zone: UTC, start: "2026-11-26T18:00", end: "2026-11-27T18:00"%s}`
	for _, c := range []struct {
		name, extra, retention string
		want                   time.Duration
	}{
		{"default 7 days over 1", "", "events_days: 1", 7 * day},
		{"window's 30 days over 7", ", silent_integration_days: 30", "events_days: 7", 30 * day},
		{"longer kept", ", silent_integration_days: 3", "events_days: 10", 10 * day},
		{"off stays off", "", "incidents_days: 1", 0},
	} {
		cfg := mustParse(t, y("hypercare_windows:", fmt.Sprintf(window, c.extra), "retention: {"+c.retention+"}"))
		if got := cfg.Retention().Events; got != c.want {
			t.Errorf("%s: events kept %v, want %v", c.name, got, c.want)
		}
	}
}
