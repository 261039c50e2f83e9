package config

import (
	"slices"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// windowBase declares one service for windows and runbooks to refer to.
var windowBase = []string{
	"services:",
	"  - id: checkout",
	"    name: Checkout",
}

func TestParseWindowRules(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"a complete window and runbook", with(windowBase,
			"hypercare_windows:",
			"  - id: bfcm",
			"    name: Black Friday",
			"    time_zone: America/New_York",
			`    start: "2026-11-26T18:00"`,
			`    end: "2026-12-01T09:00"`,
			"    services: [checkout]",
			"    change_freeze: true",
			"    max_escalate_after_minutes: 5",
			"    urgency: high",
			"    max_shift_hours: 12",
			"    silent_integration_days: 3",
			"runbooks:",
			`  - {id: rb, title: Checkout, url: "https://wiki.example.com/rb", services: [checkout]}`), nil},
		{"missing fields", with(windowBase, "hypercare_windows:", "  - services: [checkout]"), []string{
			"hypercare.yaml:5:5: hypercare_windows[0].id: is required",
			"hypercare.yaml:5:5: hypercare_windows[0].name: is required",
			"hypercare.yaml:5:5: hypercare_windows[0].time_zone: is required (an IANA name such as America/New_York)",
			"hypercare.yaml:5:5: hypercare_windows[0].start: is required",
			"hypercare.yaml:5:5: hypercare_windows[0].end: is required",
		}},
		{"bad values", with(windowBase,
			"hypercare_windows:",
			"  - id: Bad ID",
			"    name: W",
			"    time_zone: Mars/Olympus",
			`    start: "2026-11-26 18:00"`,
			`    end: "2026-12-01T09:00"`,
			"    services: [checkout, cart, checkout]",
			"    max_escalate_after_minutes: 0",
			"    urgency: critical",
			"    max_shift_hours: 200",
			"    silent_integration_days: 0",
			"    announce: true"), []string{
			"hypercare.yaml:5:9: hypercare_windows[0].id: must be 1 to 64 lowercase letters, digits, '-' or '_'",
			`hypercare.yaml:7:16: hypercare_windows[0].time_zone: must be an IANA time zone name such as America/New_York, not "Mars/Olympus"`,
			`hypercare.yaml:8:12: hypercare_windows[0].start: must be a local date and time "YYYY-MM-DDTHH:MM" in the window's time zone, not "2026-11-26 18:00"`,
			`hypercare.yaml:10:26: hypercare_windows[0].services[1]: service "cart" is not declared under services`,
			`hypercare.yaml:10:32: hypercare_windows[0].services[2]: service "checkout" is listed twice`,
			"hypercare.yaml:11:33: hypercare_windows[0].max_escalate_after_minutes: must be between 1 and 10080 (a week)",
			"hypercare.yaml:12:14: hypercare_windows[0].urgency: must be high or low",
			"hypercare.yaml:13:22: hypercare_windows[0].max_shift_hours: must be between 1 and 168 (a week)",
			"hypercare.yaml:14:30: hypercare_windows[0].silent_integration_days: must be between 1 and 366",
			`hypercare.yaml:15:5: hypercare_windows[0].announce: unknown field "announce" (allowed: id, name, time_zone, start, end, services, change_freeze, max_escalate_after_minutes, urgency, max_shift_hours, silent_integration_days, fatigue, announce_to)`,
		}},
		{"end before start, empty scope, duplicate id", with(windowBase,
			"hypercare_windows:",
			`  - {id: w, name: W, time_zone: UTC, start: "2026-11-26T18:00", end: "2026-11-26T18:00", services: []}`,
			`  - {id: w, name: W, time_zone: UTC, start: "2026-01-01T00:00", end: "2026-06-01T00:00"}`), []string{
			`hypercare.yaml:5:70: hypercare_windows[0].end: must be after start (2026-11-26T18:00)`,
			"hypercare.yaml:5:100: hypercare_windows[0].services: list at least one service, or leave services out for all of them",
			`hypercare.yaml:6:10: hypercare_windows[1].id: duplicate hypercare window ID "w", already used by hypercare_windows[0] at line 5`,
			"hypercare.yaml:6:70: hypercare_windows[1].end: the window may last at most 92 days",
		}},
		{"runbook rules", with(windowBase,
			"runbooks:",
			`  - {id: rb, title: " ", url: "ftp://wiki.example.com/rb", services: [cart]}`,
			`  - {id: rb, title: T, url: "https://wiki.example.com/rb"}`,
			`  - {id: rb2, title: T, services: [checkout], owner: web}`), []string{
			"hypercare.yaml:5:21: runbooks[0].title: is required",
			"hypercare.yaml:5:31: runbooks[0].url: must be an absolute http or https URL",
			`hypercare.yaml:5:71: runbooks[0].services[0]: service "cart" is not declared under services`,
			"hypercare.yaml:6:5: runbooks[1].services: at least one service is required",
			`hypercare.yaml:6:10: runbooks[1].id: duplicate runbook ID "rb", already used by runbooks[0] at line 5`,
			"hypercare.yaml:7:5: runbooks[2].url: is required",
			`hypercare.yaml:7:47: runbooks[2].owner: unknown field "owner" (allowed: id, title, url, services)`,
		}},
	}, noEnv)
}

// TestWindowsDST: start and end are wall-clock readings in the window's
// zone, resolved exactly across DST changes (as schedule times are), and
// the defaults apply.
func TestWindowsDST(t *testing.T) {
	cfg := mustParse(t, with(windowBase,
		"hypercare_windows:",
		// 02:30 on 2026-03-08 does not exist in New York: it is 03:00 EDT.
		`  - {id: spring, name: S, time_zone: America/New_York, start: "2026-03-08T02:30", end: "2026-03-08T12:00"}`,
		// 01:30 on 2026-11-01 happens twice: the first (EDT) is meant.
		`  - {id: fall, name: F, time_zone: America/New_York, start: "2026-11-01T01:30", end: "2026-11-01T03:00", services: [checkout], max_shift_hours: 12, silent_integration_days: 2, max_escalate_after_minutes: 5}`))
	ws := cfg.Windows()
	if len(ws) != 2 {
		t.Fatalf("windows = %+v", ws)
	}
	spring, fall := ws[0], ws[1]
	if want := time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC); !spring.Start.Equal(want) {
		t.Errorf("spring start = %v, want %v (03:00 EDT)", spring.Start, want)
	}
	if want := time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC); !fall.Start.Equal(want) {
		t.Errorf("fall start = %v, want %v (01:30 EDT)", fall.Start, want)
	}
	if got := fall.End.Sub(fall.Start); got != 150*time.Minute {
		t.Errorf("fall window lasts %v, want 2h30m (the repeated hour counts)", got)
	}
	if spring.Services != nil || !spring.InScope("anything") || spring.MaxShift != 0 || spring.SilentAfter != 7*24*time.Hour {
		t.Errorf("spring defaults = %+v", spring)
	}
	if !slices.Equal(fall.Services, []string{"checkout"}) || fall.InScope("cart") || fall.MaxShift != 12*time.Hour ||
		fall.SilentAfter != 48*time.Hour || fall.MaxEscalateAfter != 5*time.Minute {
		t.Errorf("fall = %+v", fall)
	}
	if !fall.Active(fall.Start) || fall.Active(fall.End) {
		t.Error("Active must hold on [Start, End)")
	}
}

func TestExampleWindow(t *testing.T) {
	cfg, err := Load(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	ws := cfg.Windows()
	if len(ws) != 1 || ws[0].ID != "bfcm-2026" || ws[0].TimeZone.String() != "America/New_York" ||
		!ws[0].ChangeFreeze || ws[0].Urgency != hypercare.UrgencyHigh || ws[0].MaxShift != 12*time.Hour {
		t.Fatalf("example windows = %+v", ws)
	}
	covered := map[string]bool{}
	for _, rb := range cfg.Runbooks() {
		for _, s := range rb.Services {
			covered[s] = true
		}
	}
	for _, s := range ws[0].Services {
		if !covered[s] {
			t.Errorf("example window service %s has no runbook", s)
		}
	}
}
