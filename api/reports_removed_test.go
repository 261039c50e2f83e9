package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/readiness"
	"github.com/hypercare/hypercare/report"
	"github.com/hypercare/hypercare/storetest"
)

// removedConfig is the config after search was removed from it: its
// window covers every service.
const removedConfig = `
users:
  - {id: ann, name: Ann, contact_methods: [{id: h, type: webhook, address: "https://h.example.com/ann"}]}
services:
  - id: checkout
    name: Checkout
    integrations:
      - {id: checkout-v2, type: events-v2, key: 0123456789abcdef0123456789abcdef}
hypercare_windows:
  - {id: all, name: Everything, time_zone: UTC, start: "2026-11-27T00:00", end: "2026-11-28T00:00"}
`

// TestWindowSummaryKeepsRemovedService: search paged ann at 08:00 UTC
// (night in no zone: day) and at 23:00 (night), then was removed from the
// config. The summary of a window over every service gives search a line
// marked removed, so the totals (2 pages) agree with pages per person;
// they used to say 0 pages beside ann's 2 (1 at night).
func TestWindowSummaryKeepsRemovedService(t *testing.T) {
	cfg, err := config.Parse("w.yaml", []byte(removedConfig))
	if err != nil {
		t.Fatal(err)
	}
	catalog := readiness.FromConfig(cfg, []hypercare.ContactType{hypercare.ContactWebhook})
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		e := newEnvWith(t, eng.Open(t), 0, func(in *intake.Intake, _ *clocktest.Clock, o *api.Options) {
			o.Readiness, o.Escalation = catalog, nil
			in.SetWindows(cfg.Windows())
		})
		e.send(trigger(keySearch, "s1", "search slow"))
		inc := e.incidents("?service=search")[0]
		night := t0.Add(15 * time.Hour)
		if err := e.st.Write(context.Background(), "t", func(tx hypercare.Tx) error {
			for i, at := range []time.Time{t0, night} {
				n := &hypercare.Notification{ID: []string{"n1", "n2"}[i], IncidentID: inc.ID, UserID: "ann", ContactMethod: "h",
					Type: hypercare.ContactWebhook, Level: 1, Step: i + 1, Reason: "level 1", Status: hypercare.NotificationSent, DueAt: at, CreatedAt: at}
				if err := tx.InsertNotification(context.Background(), n); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC))
		var s report.WindowSummary
		if code := e.do("GET", "/api/v1/windows/all/summary", e.viewer, nil, &s); code != 200 {
			t.Fatalf("summary: %d", code)
		}
		if len(s.Services) != 2 || s.Services[0].Service != "checkout" || s.Services[1].Service != "search" ||
			!s.Services[1].Removed || s.Services[1].Incidents != 1 || s.Services[1].Pages != 2 {
			t.Errorf("services = %+v, want checkout, then search marked removed with 1 incident and 2 pages", s.Services)
		}
		if len(s.Responders) != 1 || s.Responders[0].Pages != 2 || s.Responders[0].NightPages != 1 ||
			s.Totals.Pages != 2 || s.Totals.NightPages != 1 || s.Totals.Incidents != 1 {
			t.Errorf("totals %+v, responders %+v; want 2 pages (1 at night) and 1 incident both ways", s.Totals, s.Responders)
		}
	})
}
