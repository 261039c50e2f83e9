package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/readiness"
	"github.com/hypercare/hypercare/report"
	"github.com/hypercare/hypercare/storetest"
)

// TestWindowSummaryHeldIncidents: a silence on checkout from 08:00 to
// 09:00 holds #1 (opened 08:00, resolved by its monitor at 08:10: nobody
// was ever paged) and #2 (opened 08:20, paged alice at 09:00 when the
// silence ended, acknowledged at 09:05, resolved at 09:30). #1 has no time
// to acknowledge or resolve, and #2's run from its page, not through the
// hold: MTTA 5 min and MTTR 30 min. They used to be MTTA 10 and 45 min,
// MTTR 10 and 70 min.
func TestWindowSummaryHeldIncidents(t *testing.T) {
	cfg, err := config.Parse("w.yaml", []byte(summaryConfig))
	if err != nil {
		t.Fatal(err)
	}
	catalog := readiness.FromConfig(cfg, []hypercare.ContactType{hypercare.ContactWebhook})
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newMaintPagerWith(t, eng, nil, func(o *api.Options) { o.Readiness = catalog })
		body := map[string]any{"services": []string{"checkout"}, "starts_at": t0.Format(time.RFC3339),
			"ends_at": t0.Add(time.Hour).Format(time.RFC3339), "comment": "db migration"}
		if code := p.do("POST", "/api/v1/silences", p.responder, body, nil); code != http.StatusCreated {
			t.Fatalf("create silence: %d", code)
		}
		p.send(trigger(keyCheckout, "k1", "checkout 5xx"))
		p.after(10 * time.Minute)
		p.send(action(keyCheckout, "resolve", "k1"))
		p.after(10 * time.Minute)
		p.send(trigger(keyCheckout, "k2", "checkout latency"))
		p.after(40*time.Minute, "alice level 1 incident #2")
		p.clock.Advance(5 * time.Minute)
		if code := p.do("POST", "/api/v1/incidents/2/acknowledge", p.responder, map[string]any{}, nil); code != 200 {
			t.Fatalf("acknowledge: %d", code)
		}
		p.clock.Advance(25 * time.Minute)
		if code := p.do("POST", "/api/v1/incidents/2/resolve", p.responder, map[string]any{}, nil); code != 200 {
			t.Fatalf("resolve: %d", code)
		}
		var s report.WindowSummary
		if code := p.do("GET", "/api/v1/windows/bf/summary", p.viewer, nil, &s); code != 200 || len(s.Services) != 1 {
			t.Fatalf("summary: %d %+v", code, s)
		}
		c := s.Services[0]
		if c.Incidents != 2 || c.Pages != 1 || c.MTTA.Count != 1 || *c.MTTA.MeanSeconds != 300 ||
			c.MTTR.Count != 1 || *c.MTTR.MeanSeconds != 1800 {
			t.Errorf("checkout = %+v mtta %+v mttr %+v; want 2 incidents, #2 alone in MTTA (300 s) and MTTR (1800 s)",
				c, durations(c.MTTA), durations(c.MTTR))
		}
	})
}

func durations(d report.Durations) []any {
	v := func(p *int64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	return []any{d.Count, v(d.MeanSeconds), v(d.MedianSeconds), v(d.P90Seconds)}
}

// TestWindowSummaryDelayedIncidentResolvedBeforeItsPage: an event rule
// delays checkout's first page by 3 minutes (rulesConfig's slow-page);
// #1's monitor resolves it after a minute, so nobody was paged: it is
// transient, as a blip inside the service's pause is (its badge and the
// noise report's transient count agree), and not timed. #2 is
// acknowledged by a person inside the delay: someone answered, so it is
// timed. #1 used to count an MTTA and MTTR of 60 s, and was not transient.
func TestWindowSummaryDelayedIncidentResolvedBeforeItsPage(t *testing.T) {
	cfg, err := config.Parse("w.yaml", []byte(summaryConfig))
	if err != nil {
		t.Fatal(err)
	}
	catalog := readiness.FromConfig(cfg, []hypercare.ContactType{hypercare.ContactWebhook})
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newMaintPagerWith(t, eng, nil, func(o *api.Options) { o.Readiness = catalog })
		withRules(t, p.env)
		slow := event("Checkout slow", "critical", "web", "slow")
		slow["dedup_key"] = "slow-1"
		p.send(slow)
		p.after(time.Minute)
		p.send(action(keyCheckout, "resolve", "slow-1"))
		p.after(10 * time.Minute)
		p.send(event("Checkout slower", "critical", "web", "slow"))
		p.clock.Advance(2 * time.Minute)
		if code := p.do("POST", "/api/v1/incidents/2/acknowledge", p.responder, map[string]any{}, nil); code != 200 {
			t.Fatalf("acknowledge: %d", code)
		}
		p.after(time.Hour)
		var s report.WindowSummary
		if code := p.do("GET", "/api/v1/windows/bf/summary", p.viewer, nil, &s); code != 200 || len(s.Services) != 1 {
			t.Fatalf("summary: %d %+v", code, s)
		}
		if c := s.Services[0]; c.Incidents != 2 || c.Pages != 0 || c.MTTA.Count != 1 || *c.MTTA.MeanSeconds != 120 || c.MTTR.Count != 0 {
			t.Errorf("checkout = %+v mtta %v mttr %v; want 2 incidents, #2 alone in MTTA (120 s), no MTTR",
				c, durations(c.MTTA), durations(c.MTTR))
		}
		var one struct {
			Incident hypercare.Incident `json:"incident"`
		}
		if code := p.do("GET", "/api/v1/incidents/1", p.viewer, nil, &one); code != 200 || !one.Incident.Transient {
			t.Errorf("incident #1: %d transient %v; want transient", code, one.Incident.Transient)
		}
		var rep report.NoiseReport
		if code := p.do("GET", "/api/v1/noise?service=checkout&from=2026-11-27T00:00:00Z", p.viewer, nil, &rep); code != 200 ||
			len(rep.Services) != 1 || rep.Services[0].Incidents != 2 || rep.Services[0].Transient != 1 {
			t.Errorf("noise: %d %+v; want checkout's 2 incidents, 1 transient", code, rep.Services)
		}
	})
}

// TestWindowSummaryDelayedIncidentTimedFromItsPage: an event rule delays
// checkout's first page by 3 minutes (slow-page); alice is paged at 3
// minutes, acknowledges 2 minutes later and resolves 10 minutes after
// that. Like a held incident, it is timed from its page, as the delay was
// nobody's time to answer: MTTA 120 s and MTTR 720 s. They used to be
// 300 s and 900 s, from its opening.
func TestWindowSummaryDelayedIncidentTimedFromItsPage(t *testing.T) {
	cfg, err := config.Parse("w.yaml", []byte(summaryConfig))
	if err != nil {
		t.Fatal(err)
	}
	catalog := readiness.FromConfig(cfg, []hypercare.ContactType{hypercare.ContactWebhook})
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newMaintPagerWith(t, eng, nil, func(o *api.Options) { o.Readiness = catalog })
		withRules(t, p.env)
		p.send(event("Checkout slow", "critical", "web", "slow"))
		p.after(3*time.Minute, "alice level 1 incident #1")
		p.clock.Advance(2 * time.Minute)
		if code := p.do("POST", "/api/v1/incidents/1/acknowledge", p.responder, map[string]any{}, nil); code != 200 {
			t.Fatalf("acknowledge: %d", code)
		}
		p.clock.Advance(10 * time.Minute)
		if code := p.do("POST", "/api/v1/incidents/1/resolve", p.responder, map[string]any{}, nil); code != 200 {
			t.Fatalf("resolve: %d", code)
		}
		var s report.WindowSummary
		if code := p.do("GET", "/api/v1/windows/bf/summary", p.viewer, nil, &s); code != 200 || len(s.Services) != 1 {
			t.Fatalf("summary: %d %+v", code, s)
		}
		if c := s.Services[0]; c.Incidents != 1 || c.Pages != 1 || c.MTTA.Count != 1 || *c.MTTA.MeanSeconds != 120 ||
			c.MTTR.Count != 1 || *c.MTTR.MeanSeconds != 720 {
			t.Errorf("checkout = %+v mtta %v mttr %v; want 1 incident, MTTA 120 s, MTTR 720 s",
				c, durations(c.MTTA), durations(c.MTTR))
		}
	})
}
