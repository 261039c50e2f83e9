package api_test

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/storetest"
)

// bfcm is a hypercare window on checkout from t0+10m to t0+40m.
func bfcm() hypercare.Window {
	return hypercare.Window{ID: "bfcm-2026", Name: "BFCM", TimeZone: time.UTC,
		Start: t0.Add(10 * time.Minute), End: t0.Add(40 * time.Minute), Services: []string{"checkout"},
		MaxEscalateAfter: 2 * time.Minute, Urgency: hypercare.UrgencyHigh, ChangeFreeze: true}
}

// While the window is open the second level is paged after the window's
// 2 minutes instead of the policy's 5; before and after it, after 5.
func TestScenarioEscalationFasterInsideWindow(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newWindowPager(t, eng, []hypercare.Window{bfcm()})
		climb := func(dedup string, n int, wait time.Duration) {
			t.Helper()
			p.send(trigger(keyCheckout, dedup, "Checkout 5xx"))
			p.after(0, "alice level 1 incident #"+strconv.Itoa(n))
			p.after(wait - time.Second)
			p.after(time.Second, "bob level 2 incident #"+strconv.Itoa(n))
			p.send(action(keyCheckout, "resolve", dedup))
		}
		climb("before", 1, 5*time.Minute) // t0 .. t0+5m
		p.after(10 * time.Minute)         // t0+15m: inside
		climb("inside", 2, 2*time.Minute)
		p.after(25 * time.Minute) // t0+42m: after the end
		climb("after", 3, 5*time.Minute)
	})
}

// warning is a trigger whose severity means low urgency.
func warning(key, dedup string) map[string]any {
	ev := trigger(key, dedup, "Checkout latency")
	ev["payload"].(map[string]any)["severity"] = "warning"
	return ev
}

// A low-urgency incident opened on an in-scope service while the window is
// open starts at high urgency, and its timeline says which window raised
// it; before and after the window, and out of scope, it stays low.
func TestScenarioUrgencyFloorInsideWindowOnly(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newWindowPager(t, eng, []hypercare.Window{bfcm()})
		open := func(key, dedup string, want hypercare.Urgency) hypercare.Incident {
			t.Helper()
			p.send(warning(key, dedup))
			inc := p.incidents("?limit=1")[0]
			if inc.Urgency != want {
				t.Fatalf("%s: incident #%d urgency %s, want %s", dedup, inc.Number, inc.Urgency, want)
			}
			return inc
		}
		raised := func(inc hypercare.Incident) bool {
			for _, e := range p.timeline(strconv.FormatInt(inc.Number, 10)) {
				if e.Type == hypercare.TimelineUrgencyRaised {
					if !strings.Contains(e.Message, "Urgency raised to high by hypercare window bfcm-2026") {
						t.Errorf("urgency entry %q does not name the window", e.Message)
					}
					return true
				}
			}
			return false
		}
		if inc := open(keyCheckout, "before", hypercare.UrgencyLow); raised(inc) {
			t.Error("raised before the window")
		}
		p.clock.Advance(15 * time.Minute)
		if inc := open(keyCheckout, "inside", hypercare.UrgencyHigh); !raised(inc) {
			t.Error("no urgency_raised entry inside the window")
		}
		if inc := open(keySearch, "out-of-scope", hypercare.UrgencyLow); raised(inc) {
			t.Error("raised out of scope")
		}
		p.clock.Advance(25 * time.Minute) // t0+40m: the end
		if inc := open(keyCheckout, "after", hypercare.UrgencyLow); raised(inc) {
			t.Error("raised after the window")
		}
	})
}

// sendChange posts a PagerDuty change event with summary on key's service.
func (p *pager) sendChange(key, summary string) {
	p.t.Helper()
	body := map[string]any{"routing_key": key, "payload": map[string]any{"summary": summary, "source": "ci"}}
	if code := p.do("POST", "/v2/change/enqueue", "", body, nil); code != http.StatusAccepted {
		p.t.Fatalf("change %q: %d", summary, code)
	}
}

// A change on an in-scope service while a freeze is open is flagged with
// the window in GET /api/v1/change_events, and the incident it may have
// caused says so on its timeline; changes before and after the window and
// out of scope are not flagged.
func TestScenarioChangeFreezeFlaggedInsideOnly(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newWindowPager(t, eng, []hypercare.Window{bfcm()})
		p.sendChange(keyCheckout, "deploy before")
		p.clock.Advance(15 * time.Minute)
		p.sendChange(keyCheckout, "deploy inside")
		p.sendChange(keySearch, "search deploy inside")
		p.clock.Advance(time.Minute)
		p.send(trigger(keyCheckout, "5xx", "Checkout 5xx"))
		p.clock.Advance(24 * time.Minute) // t0+40m: the end
		p.sendChange(keyCheckout, "deploy after")

		var out struct {
			Changes []map[string]any `json:"change_events"`
		}
		if code := p.do("GET", "/api/v1/change_events?limit=100", p.viewer, nil, &out); code != http.StatusOK {
			t.Fatalf("list change events: %d", code)
		}
		got := map[string]string{}
		for _, c := range out.Changes {
			got[c["summary"].(string)] = fmt.Sprint(c["freeze_violation"], " ", c["freeze_window"])
		}
		want := map[string]string{"deploy before": "false <nil>", "deploy inside": "true bfcm-2026",
			"search deploy inside": "false <nil>", "deploy after": "false <nil>"}
		if !maps.Equal(got, want) {
			t.Errorf("freeze flags\n got  %v\n want %v", got, want)
		}
		var msg string
		for _, e := range p.timeline("1") {
			if e.Type == hypercare.TimelineRecentChanges {
				msg = e.Message
			}
		}
		if !strings.Contains(msg, "1 of them during the change freeze of hypercare window bfcm-2026 (latest: deploy inside)") {
			t.Errorf("recent changes entry %q does not say the change shipped during the freeze", msg)
		}
	})
}

// The dry run over HTTP (what "hypercare simulate --at" asks) shows the
// window's faster climb inside the window and the policy's outside.
func TestSimulateAtInsideWindowClimbsFaster(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newWindowPager(t, eng, []hypercare.Window{bfcm()})
		for at, want := range map[string][]string{
			"2026-11-27T08:15:00Z": {"08:15 alice", "08:17 bob"}, // inside
			"2026-11-27T08:45:00Z": {"08:45 alice", "08:50 bob"}, // after the end
		} {
			var sim struct {
				Simulation escalate.Simulation `json:"simulation"`
			}
			if code := p.do("GET", "/api/v1/simulate?service=checkout&at="+at, p.viewer, nil, &sim); code != http.StatusOK {
				t.Fatalf("simulate at %s: %d", at, code)
			}
			var got []string
			for _, pg := range sim.Simulation.Pages {
				got = append(got, pg.At.Format("15:04")+" "+pg.User)
			}
			if !slices.Equal(got, want) {
				t.Errorf("simulate at %s: %v, want %v", at, got, want)
			}
		}
	})
}
