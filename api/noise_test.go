package api_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/webhook"
	"github.com/hypercare/hypercare/storetest"
)

// newNoisePager is a pager where checkout and search both page alice
// through policy "noise" (one level, then bob), with the noise settings.
func newNoisePager(t *testing.T, eng storetest.Engine, noise map[string]correlate.Noise) *pager {
	rec := &recorder{ids: map[string]int{}}
	hooks := httptest.NewServer(rec)
	t.Cleanup(hooks.Close)
	person := func(id string) hypercare.User {
		return hypercare.User{ID: id, Name: id, Role: hypercare.RoleResponder,
			ContactMethods:    []hypercare.ContactMethod{{ID: id + "-hook", Type: hypercare.ContactWebhook, Address: hooks.URL + "/" + id, Verified: true}},
			NotificationRules: []hypercare.NotificationRule{{ContactMethod: id + "-hook"}}}
	}
	policy := hypercare.EscalationPolicy{ID: "noise", Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{User: "alice"}}, EscalateAfter: 30 * time.Minute},
		{Targets: []hypercare.Target{{User: "bob"}}, EscalateAfter: 30 * time.Minute},
	}}
	dir := escalate.NewDirectory([]hypercare.User{person("alice"), person("bob")}, nil, []hypercare.EscalationPolicy{policy},
		[]hypercare.Service{{ID: "checkout", EscalationPolicy: "noise"}, {ID: "search", EscalationPolicy: "noise"}}, nil)
	st := eng.Open(t)
	p := &pager{rec: rec}
	p.env = newEnvWith(t, st, 0, func(in *intake.Intake, clk *clocktest.Clock, opts *api.Options) {
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		p.esc = escalate.New(st, clk, dir, log)
		channels := notify.NewRegistry()
		channels.Register(hypercare.ContactWebhook, webhook.New(notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true})))
		p.delivery = notify.NewEngine(st, clk, channels, func() notify.Directory { return p.esc.Directory() }, log)
		in.SetPolicies(dir.PoliciesByService(), nil)
		in.SetFirstStep(p.esc.StepOpened, nil) // as serve wires it
		in.SetNoise(noise)
		opts.Escalation = p.esc
	})
	return p
}

// alertEvent is a trigger on checkout with a source, component and labels.
func alertEvent(key, dedup, summary, source, component, cluster string) map[string]any {
	ev := trigger(key, dedup, summary)
	p := ev["payload"].(map[string]any)
	p["source"], p["component"] = source, component
	p["custom_details"] = map[string]any{"labels": map[string]any{"cluster": cluster}}
	return ev
}

func grouped(g correlate.Grouping) map[string]correlate.Noise {
	return map[string]correlate.Noise{"checkout": {Grouping: g}}
}

// counts returns "#number:alert_count/open" of every incident, oldest first.
func counts(e *env) []string {
	var out []string
	list := e.incidents("")
	for i := len(list) - 1; i >= 0; i-- {
		out = append(out, fmt.Sprintf("#%d:%d/%d", list[i].Number, list[i].AlertCount, list[i].OpenAlertCount))
	}
	return out
}

func wantCounts(t *testing.T, e *env, want ...string) {
	t.Helper()
	if got := counts(e); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("incidents %v, want %v", got, want)
	}
}

func TestGroupingJoinsOpenIncidentsAndPagesOnce(t *testing.T) {
	window := 15 * time.Minute
	cases := []struct {
		name  string
		g     correlate.Grouping
		third []string // incident counts after the third, unrelated-looking alert
	}{
		{"time", correlate.Grouping{Type: correlate.GroupTime, Window: window}, []string{"#1:3/3"}},
		{"content", correlate.Grouping{Type: correlate.GroupContent, Window: window, Fields: []string{"component", "labels.cluster"}}, []string{"#1:2/2", "#2:1/1"}},
		{"intelligent", correlate.Grouping{Type: correlate.GroupIntelligent, Window: window}, []string{"#1:2/2", "#2:1/1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
				p := newNoisePager(t, eng, grouped(c.g))
				p.send(alertEvent(keyCheckout, "lat-1", "High latency on web-1: p99 1200ms", "web-1", "nginx", "eu-1"))
				p.after(0, "alice level 1 incident #1")
				p.clock.Advance(time.Minute)
				out := p.send(alertEvent(keyCheckout, "lat-2", "High latency on web-7: p99 998ms", "web-7", "nginx", "eu-1"))
				if out.Status != "success" {
					t.Fatalf("second event: %+v", out)
				}
				wantCounts(t, p.env, "#1:2/2")
				p.send(alertEvent(keyCheckout, "disk", "Disk full on /var/lib/postgresql", "db-1", "postgres", "us-2"))
				wantCounts(t, p.env, c.third...)
				if len(c.third) == 2 {
					p.after(0, "alice level 1 incident #2")
				} else {
					p.after(0)
				}
				tl := p.timeline("1")
				if tl[len(tl)-1].Type != hypercare.TimelineAlertAdded && c.name != "time" {
					t.Errorf("timeline of #1 ends with %q, want alert_added", tl[len(tl)-1].Type)
				}
				// Outside the window a similar alert opens a new incident.
				p.clock.Advance(window + time.Minute)
				p.send(alertEvent(keyCheckout, "lat-3", "High latency on web-2: p99 1500ms", "web-2", "nginx", "eu-1"))
				if n := len(p.incidents("")); n != len(c.third)+1 {
					t.Errorf("after the window: %d incidents, want %d", n, len(c.third)+1)
				}
			})
		})
	}
}

// Resolving the grouped alerts one by one resolves the incident with the
// last of them.
func TestGroupedIncidentResolvesWithItsLastAlert(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newNoisePager(t, eng, grouped(correlate.Grouping{Type: correlate.GroupIntelligent}))
		p.send(alertEvent(keyCheckout, "a", "Pod crashlooping: checkout-7f9c", "k8s", "checkout", "eu-1"))
		p.send(alertEvent(keyCheckout, "b", "Pod crashlooping: checkout-2b1d", "k8s", "checkout", "eu-1"))
		p.send(action(keyCheckout, "resolve", "a"))
		wantCounts(t, p.env, "#1:2/1")
		p.send(action(keyCheckout, "resolve", "b"))
		if inc := p.incidents("")[0]; inc.Status != hypercare.StatusResolved {
			t.Fatalf("incident %+v, want resolved", inc)
		}
	})
}

func TestDependencySymptomPagesWhenUpstreamResolves(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newNoisePager(t, eng, map[string]correlate.Noise{"search": {Upstream: []string{"checkout"}}})
		p.send(trigger(keyCheckout, "db", "Database down"))
		p.after(0, "alice level 1 incident #1")
		out := p.send(trigger(keySearch, "slow", "Search slow"))
		p.after(time.Minute) // the symptom pages nobody
		alerts := p.alerts("?service=search")
		if len(alerts) != 1 || alerts[0].SymptomOf == "" || alerts[0].IncidentID != "" {
			t.Fatalf("search alerts %+v, want one symptom", alerts)
		}
		if got := p.alerts("?incident=" + alerts[0].SymptomOf); len(got) != 2 {
			t.Errorf("incident #1 lists %d alerts, want its own and the symptom", len(got))
		}
		if out.DedupKey != "slow" || len(p.incidents("")) != 1 {
			t.Fatalf("symptom opened an incident: %+v", p.incidents(""))
		}
		if tl := p.timeline("1"); tl[len(tl)-1].Type != hypercare.TimelineSymptomAdded {
			t.Errorf("timeline of #1 ends with %q", tl[len(tl)-1].Type)
		}
		// A symptom that resolves first stays quiet.
		p.send(trigger(keySearch, "blip", "Search blip"))
		p.send(action(keySearch, "resolve", "blip"))
		// The upstream resolves while "slow" still fires: it pages on its own.
		if code := p.do("POST", "/api/v1/incidents/1/resolve", p.responder, nil, nil); code != 200 {
			t.Fatalf("resolve: %d", code)
		}
		p.after(0, "alice level 1 incident #2")
		inc := p.incidents("?status=triggered")
		if len(inc) != 1 || inc[0].ServiceID != "search" || inc[0].Number != 2 {
			t.Fatalf("open incidents %+v, want #2 on search", inc)
		}
		if a := p.alerts("?service=search&dedup_key=slow")[0]; a.SymptomOf != "" || a.IncidentID != inc[0].ID {
			t.Errorf("promoted alert %+v", a)
		}
		if !hasEntry(p.timeline("2"), hypercare.TimelineSymptomPromoted) || !hasEntry(p.timeline("1"), hypercare.TimelineSymptomPromoted) {
			t.Errorf("timelines of #1 and #2 lack symptom_promoted")
		}
	})
}

// The upstream resolving through its integration (not a person) leaves
// its incident open, recovering, while a symptom still fires: dependents
// clear minutes after their upstream does, and nobody is paged for that.
// The incident resolves with its last symptom. A new alert downstream of a
// recovering incident is not its symptom: it opens and pages its own.
func TestDependencySymptomClearsWithRecoveringUpstream(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newNoisePager(t, eng, map[string]correlate.Noise{"search": {Upstream: []string{"checkout"}}})
		p.send(trigger(keyCheckout, "db", "Database down"))
		p.send(trigger(keySearch, "slow", "Search slow"))
		p.after(0, "alice level 1 incident #1")
		p.send(action(keyCheckout, "resolve", "db"))
		p.after(time.Minute) // recovering: no promotion, no page
		if inc := p.incidents("?status=triggered"); len(inc) != 1 || inc[0].Number != 1 {
			t.Fatalf("open incidents %+v, want #1 still open while its symptom fires", inc)
		}
		p.send(trigger(keySearch, "oom", "Search pod OOMKilled"))
		p.after(0, "alice level 1 incident #2")
		if a := p.alerts("?service=search&dedup_key=oom")[0]; a.SymptomOf != "" {
			t.Errorf("a new alert attached to a recovering incident: %+v", a)
		}
		p.send(action(keySearch, "resolve", "slow"))
		p.after(time.Minute)
		if inc := p.incidents("?status=triggered"); len(inc) != 1 || inc[0].Number != 2 {
			t.Fatalf("open incidents %+v, want #1 resolved with its last symptom, #2 open", inc)
		}
	})
}

func TestTransientBlipNeverPages(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newNoisePager(t, eng, map[string]correlate.Noise{"checkout": {Pause: 2 * time.Minute}})
		p.send(trigger(keyCheckout, "blip", "Checkout 5xx spike"))
		p.after(time.Minute)
		p.send(action(keyCheckout, "resolve", "blip"))
		p.after(time.Hour)
		inc := p.incidents("")[0]
		if !inc.Transient || inc.Status != hypercare.StatusResolved {
			t.Fatalf("incident %+v, want resolved and transient", inc)
		}
		var out struct {
			Notifications []hypercare.Notification `json:"notifications"`
		}
		if code := p.do("GET", "/api/v1/incidents/1/notifications", p.viewer, nil, &out); code != 200 || len(out.Notifications) != 0 {
			t.Fatalf("notifications: %d %+v, want none", code, out.Notifications)
		}
		// One that outlives the pause pages once the pause is over.
		p.send(trigger(keyCheckout, "real", "Checkout down"))
		p.after(time.Minute + 59*time.Second)
		p.after(time.Second, "alice level 1 incident #2")
		p.send(action(keyCheckout, "resolve", "real"))
		if inc := p.incidents("?limit=1")[0]; inc.Transient {
			t.Errorf("incident #2 paged, so it is not transient")
		}
	})
}

func TestFlappingAlertIsOneIncidentAndPagesOnce(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newNoisePager(t, eng, map[string]correlate.Noise{"checkout": {Pause: 2 * time.Minute,
			Flapping: correlate.Flapping{Count: 3, Window: 30 * time.Minute}}})
		for i := range 6 {
			p.send(trigger(keyCheckout, "flappy", "Health check failing"))
			if i < 3 {
				p.after(30 * time.Second) // each blip shorter than the pause
			} else if i == 3 {
				p.after(0, "alice level 1 incident #3") // flapping now: pages at once
			} else {
				p.after(30 * time.Second)
			}
			p.send(action(keyCheckout, "resolve", "flappy"))
			p.after(time.Minute)
		}
		// The first three blips were transient; the fourth trigger made
		// the key flapping and re-opened the third incident, which took
		// every later trigger and paged once.
		list := p.incidents("")
		if len(list) != 3 || !list[0].Flapping || list[0].AlertCount != 4 || list[0].Status != hypercare.StatusResolved ||
			!list[1].Transient || !list[2].Transient || list[1].Flapping {
			t.Fatalf("incidents %+v, want two transient and one resolved flapping incident of 4 alerts", list)
		}
	})
}

func hasEntry(tl []hypercare.TimelineEntry, typ string) bool {
	for _, e := range tl {
		if e.Type == typ {
			return true
		}
	}
	return false
}

// Among open upstream incidents a symptom joins the most severe, not the
// newest: a certificate expiring upstream (warning) does not break its
// dependents, the outage opened before it does.
func TestDependencySymptomJoinsMostSevereUpstream(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newNoisePager(t, eng, map[string]correlate.Noise{"search": {Upstream: []string{"checkout"}}})
		down := trigger(keyCheckout, "db", "Database down")
		down["payload"].(map[string]any)["severity"] = "critical"
		cert := trigger(keyCheckout, "cert", "TLS certificate expires in 5 days")
		cert["payload"].(map[string]any)["severity"] = "warning"
		p.send(down)
		p.send(cert)
		p.send(trigger(keySearch, "slow", "Search slow"))
		p.after(0, "alice level 1 incident #1", "alice level 1 incident #2")
		a := p.alerts("?service=search&dedup_key=slow")
		if inc := p.incidents("?status=triggered"); len(a) != 1 || len(inc) != 2 || a[0].SymptomOf != inc[1].ID || inc[1].Number != 1 {
			t.Fatalf("symptom %+v of incidents %+v, want a symptom of #1 (critical)", a, inc)
		}
	})
}
