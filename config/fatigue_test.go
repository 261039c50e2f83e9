package config

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

func TestParseFatigueRules(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"a complete fatigue block", with(windowBase,
			"hypercare_windows:",
			`  - id: bfcm`,
			"    name: Black Friday",
			"    time_zone: America/New_York",
			`    start: "2026-11-26T18:00"`,
			`    end: "2026-12-01T09:00"`,
			`    fatigue: {max_pages: 8, per_hours: 4, max_night_pages: 2, night: "22:00-07:00"}`), nil},
		{"bad values", with(windowBase,
			"hypercare_windows:",
			`  - id: bfcm`,
			"    name: Black Friday",
			"    time_zone: America/New_York",
			`    start: "2026-11-26T18:00"`,
			`    end: "2026-12-01T09:00"`,
			"    fatigue:",
			"      max_pages: 0",
			"      per_hours: 169",
			"      max_night_pages: -1",
			`      night: "22:00"`,
			"      page_everyone: true"), []string{
			"hypercare.yaml:11:18: hypercare_windows[0].fatigue.max_pages: must be between 1 and 1000",
			"hypercare.yaml:12:18: hypercare_windows[0].fatigue.per_hours: must be between 1 and 168 (a week)",
			"hypercare.yaml:13:24: hypercare_windows[0].fatigue.max_night_pages: must be between 1 and 1000",
			`hypercare.yaml:14:14: hypercare_windows[0].fatigue.night: must be a local time span "HH:MM-HH:MM" such as "22:00-07:00", not "22:00"`,
			`hypercare.yaml:15:7: hypercare_windows[0].fatigue.page_everyone: unknown field "page_everyone" (allowed: max_pages, per_hours, max_night_pages, night)`,
		}},
		{"empty night", with(windowBase,
			"hypercare_windows:",
			`  - {id: w, name: W, time_zone: UTC, start: "2026-11-26T18:00", end: "2026-11-27T18:00", fatigue: {night: "07:00-07:00"}}`), []string{
			`hypercare.yaml:5:107: hypercare_windows[0].fatigue.night: must not start and end at the same time ("07:00-07:00")`,
		}},
	}, noEnv)
}

// TestFatigueDefaults: `fatigue: {}` is the whole guardrail with its
// defaults; a window without the key has none.
func TestFatigueDefaults(t *testing.T) {
	cfg := mustParse(t, with(windowBase,
		"hypercare_windows:",
		`  - {id: a, name: A, time_zone: UTC, start: "2026-11-26T18:00", end: "2026-11-27T18:00", fatigue: {}}`,
		`  - {id: b, name: B, time_zone: UTC, start: "2026-11-26T18:00", end: "2026-11-27T18:00", fatigue: {max_pages: 3, night: "23:30-06:15"}}`,
		`  - {id: c, name: C, time_zone: UTC, start: "2026-11-26T18:00", end: "2026-11-27T18:00"}`))
	ws := cfg.Windows()
	want := hypercare.Fatigue{MaxPages: 8, Per: 4 * time.Hour, MaxNightPages: 2, NightStart: 22 * time.Hour, NightEnd: 7 * time.Hour}
	if ws[0].Fatigue == nil || *ws[0].Fatigue != want {
		t.Errorf("defaults = %+v, want %+v", ws[0].Fatigue, want)
	}
	want.MaxPages, want.NightStart, want.NightEnd = 3, 23*time.Hour+30*time.Minute, 6*time.Hour+15*time.Minute
	if ws[1].Fatigue == nil || *ws[1].Fatigue != want {
		t.Errorf("partial = %+v, want %+v", ws[1].Fatigue, want)
	}
	if ws[2].Fatigue != nil {
		t.Errorf("no fatigue key: %+v, want none", ws[2].Fatigue)
	}
}

func TestExampleWindowFatigue(t *testing.T) {
	cfg, err := Load(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	if f := cfg.Windows()[0].Fatigue; f == nil || f.MaxPages != 8 || f.MaxNightPages != 2 || f.NightSpan() != "22:00-07:00" {
		t.Errorf("example window's fatigue guardrail = %+v", f)
	}
}
