package config

import (
	"testing"
	"time"
)

func TestLowUrgencyQuietHours(t *testing.T) {
	var none *Config
	if q := none.QuietHours(); q == nil || q.Span() != "22:00-07:00" || q.Zone != time.UTC {
		t.Errorf("default quiet hours = %+v", q)
	}
	cfg, err := parse("hypercare.yaml", []byte(y("notify:",
		`  low_urgency: {quiet_hours: "21:30-08:00", time_zone: Europe/London}`)), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if q := cfg.QuietHours(); q == nil || q.Span() != "21:30-08:00" || q.Zone.String() != "Europe/London" {
		t.Errorf("quiet hours = %+v", q)
	}
	cfg, err = parse("hypercare.yaml", []byte(y("notify:", `  low_urgency: {quiet_hours: "off"}`)), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if q := cfg.QuietHours(); q != nil {
		t.Errorf("quiet hours off = %+v", q)
	}
}

func TestLowUrgencyProblems(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"bad low urgency", y("notify:",
			`  low_urgency: {quiet_hours: "10pm-7am", time_zone: Mars/Olympus, quiet: x}`), []string{
			`hypercare.yaml:2:30: notify.low_urgency.quiet_hours: must be a local time span "HH:MM-HH:MM" such as "22:00-07:00", not "10pm-7am" (or "off")`,
			`hypercare.yaml:2:53: notify.low_urgency.time_zone: must be an IANA time zone name such as Europe/London, not "Mars/Olympus"`,
			`hypercare.yaml:2:67: notify.low_urgency.quiet: unknown field "quiet" (allowed: quiet_hours, time_zone)`,
		}},
	}, noEnv)
}
