package api_test

import (
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

// TestReportsLeaveMergedIncidentsOut: two checkout alerts open #1 and #2;
// a responder merges #2 into #1 two minutes later, which resolves #2. The
// noise report and the window summary count one incident with both
// alerts, and #2's merge is no time to acknowledge or resolve (it used to
// count two incidents and an MTTR of two minutes).
func TestReportsLeaveMergedIncidentsOut(t *testing.T) {
	cfg, err := config.Parse("w.yaml", []byte(summaryConfig))
	if err != nil {
		t.Fatal(err)
	}
	catalog := readiness.FromConfig(cfg, []hypercare.ContactType{hypercare.ContactWebhook})
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		e := newEnvWith(t, eng.Open(t), 0, func(in *intake.Intake, _ *clocktest.Clock, o *api.Options) {
			o.Readiness, o.Escalation = catalog, nil
			in.SetWindows(cfg.Windows())
		})
		e.send(trigger(keyCheckout, "k1", "checkout 5xx"))
		e.clock.Advance(time.Minute)
		e.send(trigger(keyCheckout, "k2", "checkout latency"))
		e.clock.Advance(2 * time.Minute)
		if code := e.do("POST", "/api/v1/incidents/1/merge", e.responder, map[string]any{"incidents": []string{"2"}}, nil); code != 200 {
			t.Fatalf("merge: %d", code)
		}
		e.clock.Advance(2 * time.Minute)
		e.do("POST", "/api/v1/incidents/1/acknowledge", e.responder, map[string]any{}, nil)
		e.clock.Advance(time.Hour)

		var rep report.NoiseReport
		if code := e.do("GET", "/api/v1/noise?service=checkout&from=2026-11-27T00:00:00Z", e.viewer, nil, &rep); code != 200 || len(rep.Services) != 1 {
			t.Fatalf("noise: %d %+v", code, rep)
		}
		if c := rep.Services[0]; c.Alerts != 2 || c.Incidents != 1 || c.Feedback.Unmarked != 1 || *c.IncidentReduction != 0.5 {
			t.Errorf("noise checkout = %+v, want 2 alerts in 1 incident", c)
		}
		var s report.WindowSummary
		if code := e.do("GET", "/api/v1/windows/bf/summary", e.viewer, nil, &s); code != 200 || len(s.Services) != 1 {
			t.Fatalf("summary: %d %+v", code, s)
		}
		if c := s.Services[0]; c.Incidents != 1 || c.MTTA.Count != 1 || *c.MTTA.MeanSeconds != 300 || c.MTTR.Count != 0 {
			t.Errorf("summary checkout = %+v mtta %+v mttr %+v; want #1 alone: MTTA 300 s, no MTTR", c, c.MTTA, c.MTTR)
		}
		if s.Totals.Incidents != 1 {
			t.Errorf("summary totals = %+v, want 1 incident", s.Totals)
		}
	})
}
