package api_test

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/readiness"
	"github.com/hypercare/hypercare/report"
	"github.com/hypercare/hypercare/storetest"
)

// TestWindowSummarySplitResolvedSource: #1 holds checkout's cpu and disk
// alerts (disk's #2 merged into it) and pages alice at 08:00; she
// acknowledges at 08:05; cpu resolves at 08:20; at 09:00 she splits disk
// off into #3, which takes #1's last open alert, so the split resolves
// #1. #3 pages, is acknowledged at 09:05 and disk resolves at 09:30.
// The split resolved #1 as a merge resolves its source: it was no time to
// resolve (nobody fixed anything at 09:00), and disk's actual resolution
// is #3's, timed there. So MTTR is #3's 30 min alone; #1 still counts as
// an incident with its 5 min to acknowledge. #1 used to add 60 min to
// MTTR, to the split (mean 45 min over two incidents).
func TestWindowSummarySplitResolvedSource(t *testing.T) {
	cfg, err := config.Parse("w.yaml", []byte(summaryConfig))
	if err != nil {
		t.Fatal(err)
	}
	catalog := readiness.FromConfig(cfg, []hypercare.ContactType{hypercare.ContactWebhook})
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newMaintPagerWith(t, eng, nil, func(o *api.Options) { o.Readiness = catalog })
		post := func(path string, body any, want int) {
			t.Helper()
			if code := p.do("POST", "/api/v1/incidents/"+path, p.responder, body, nil); code != want {
				t.Fatalf("POST %s: %d, want %d", path, code, want)
			}
		}
		p.send(trigger(keyCheckout, "cpu", "checkout cpu"))
		p.send(trigger(keyCheckout, "disk", "checkout disk"))
		p.after(0, "alice level 1 incident #1", "alice level 1 incident #2")
		post("1/merge", map[string]any{"incidents": []string{"2"}}, 200)
		p.clock.Advance(5 * time.Minute)
		post("1/acknowledge", map[string]any{}, 200)
		p.clock.Advance(15 * time.Minute)
		p.send(action(keyCheckout, "resolve", "cpu"))
		p.clock.Advance(40 * time.Minute)
		var disk string
		for _, a := range p.alerts("?dedup_key=disk") {
			disk = a.ID
		}
		post("1/split", map[string]any{"alerts": []string{disk}}, 201)
		if inc := p.incidents("?status=resolved&service=checkout"); len(inc) != 2 || inc[0].Number != 2 && inc[1].Number != 2 {
			t.Fatalf("resolved incidents after the split: %+v, want #1 (split) and #2 (merged)", inc)
		}
		p.after(0, "alice level 1 incident #3")
		p.clock.Advance(5 * time.Minute)
		post("3/acknowledge", map[string]any{}, 200)
		p.clock.Advance(25 * time.Minute)
		p.send(action(keyCheckout, "resolve", "disk"))

		var s report.WindowSummary
		if code := p.do("GET", "/api/v1/windows/bf/summary", p.viewer, nil, &s); code != 200 || len(s.Services) != 1 {
			t.Fatalf("summary: %d %+v", code, s)
		}
		c := s.Services[0]
		if c.Incidents != 2 || c.MTTA.Count != 2 || *c.MTTA.MeanSeconds != 300 || c.MTTR.Count != 1 || *c.MTTR.MeanSeconds != 1800 {
			t.Errorf("checkout = %+v mtta %v mttr %v; want 2 incidents (#1, #3), MTTA 300 s over both, MTTR #3's 1800 s alone",
				c, durations(c.MTTA), durations(c.MTTR))
		}
	})
}
