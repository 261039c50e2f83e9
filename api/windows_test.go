package api_test

import (
	"slices"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/readiness"
	"github.com/hypercare/hypercare/storetest"
)

// windowConfig matches the harness catalog (checkout and search, the same
// integration IDs): checkout is in the window's scope, covered 08:00-20:00
// UTC by ann, with no runbook.
const windowConfig = `
users:
  - {id: ann, name: Ann, contact_methods: [{id: h, type: webhook, address: "https://h.example.com/ann"}]}
schedules:
  - {id: s, time_zone: UTC, layers: [{id: l, start: "2026-11-23T08:00", shift: 1d, users: [ann], restrictions: [{from: "08:00", to: "20:00"}]}]}
escalation_policies:
  - {id: p, levels: [{targets: [{schedule: s}], escalate_after_minutes: 5}]}
services:
  - id: checkout
    name: Checkout
    escalation_policy: p
    integrations:
      - {id: checkout-v2, type: events-v2, key: 0123456789abcdef0123456789abcdef}
      - {id: checkout-am, type: alertmanager, key: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}
  - {id: search, name: Search}
hypercare_windows:
  - {id: bf, name: Black Friday, time_zone: America/New_York, start: "2026-11-27T00:00", end: "2026-11-28T00:00", services: [checkout], max_shift_hours: 12, fatigue: {max_pages: 6}}
`

// TestWindowReadinessOverHTTP: GET /api/v1/windows lists the windows and
// GET /api/v1/windows/{id}/readiness reports on one, the silent
// integrations read from the store's event log, on both stores.
func TestWindowReadinessOverHTTP(t *testing.T) {
	cfg, err := config.Parse("w.yaml", []byte(windowConfig))
	if err != nil {
		t.Fatal(err)
	}
	catalog := readiness.FromConfig(cfg, []hypercare.ContactType{hypercare.ContactWebhook})
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		e := newEnvWith(t, eng.Open(t), 0, func(_ *intake.Intake, _ *clocktest.Clock, o *api.Options) { o.Readiness = catalog })
		e.send(trigger(keyCheckout, "k", "checkout is slow")) // checkout-v2 last sent at t0

		var list struct {
			Windows []api.WindowView `json:"windows"`
		}
		if code := e.do("GET", "/api/v1/windows", e.viewer, nil, &list); code != 200 || len(list.Windows) != 1 {
			t.Fatalf("list: %d %+v", code, list)
		}
		w := list.Windows[0]
		if w.ID != "bf" || w.TimeZone != "America/New_York" || w.Start.Format(time.RFC3339) != "2026-11-27T00:00:00-05:00" ||
			!slices.Equal(w.Services, []string{"checkout"}) || w.MaxShiftHours == nil || *w.MaxShiftHours != 12 ||
			w.MaxEscalateAfterMinutes != nil || w.SilentIntegrationDays != 7 {
			t.Errorf("window = %+v", w)
		}
		if f := w.Fatigue; f == nil || *f != (api.FatigueView{MaxPages: 6, PerHours: 4, MaxNightPages: 2, Night: "22:00-07:00"}) {
			t.Errorf("fatigue = %+v, want max_pages 6 and the defaults", f)
		}

		var rep readiness.Report
		if code := e.do("GET", "/api/v1/windows/bf/readiness?at=2026-11-26T00:00:00Z", e.viewer, nil, &rep); code != 200 {
			t.Fatalf("readiness: %d", code)
		}
		var got []string
		for _, f := range rep.Findings {
			s := string(f.Kind) + " " + f.Service
			if f.From != nil {
				s += " " + f.From.UTC().Format("01-02T15:04") + " " + f.To.UTC().Format("01-02T15:04")
			}
			got = append(got, s)
		}
		want := []string{
			"coverage_gap checkout 11-27T05:00 11-27T08:00", // midnight EST is 05:00 UTC
			"coverage_gap checkout 11-27T20:00 11-28T05:00",
			"single_responder  11-27T05:00 11-28T05:00", // level 1 is ann's alone
			"single_responder  11-27T08:00 11-27T20:00", // and ann is all the policy pages then
			"no_runbook checkout",
			"silent_integration checkout", // checkout-am never sent; checkout-v2 did at t0
		}
		if rep.Window != "bf" || rep.Ready || !slices.Equal(got, want) {
			t.Errorf("report ready=%v findings:\n%v\nwant\n%v", rep.Ready, got, want)
		}

		// Ten days after t0 checkout-v2 is silent too.
		e.do("GET", "/api/v1/windows/bf/readiness?at="+t0.Add(10*24*time.Hour).Format(time.RFC3339), e.viewer, nil, &rep)
		silent := 0
		for _, f := range rep.Findings {
			if f.Kind == readiness.SilentIntegration {
				silent++
			}
		}
		if silent != 2 {
			t.Errorf("10 days later: %d silent integrations, want 2: %+v", silent, rep.Findings)
		}

		var bad apiError
		if code := e.do("GET", "/api/v1/windows/nope/readiness", e.viewer, nil, &bad); code != 404 {
			t.Errorf("unknown window: %d", code)
		}
		if code := e.do("GET", "/api/v1/windows/bf/readiness?at=tomorrow", e.viewer, nil, &bad); code != 400 ||
			len(bad.Error.Details) != 1 || bad.Error.Details[0].Field != "at" {
			t.Errorf("bad at: %d %+v", code, bad)
		}
	})
}
