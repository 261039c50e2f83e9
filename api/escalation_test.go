package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/webhook"
	"github.com/hypercare/hypercare/oncall"
	"github.com/hypercare/hypercare/storetest"
)

// recorder is a webhook receiver that records every page it gets.
type recorder struct {
	mu    sync.Mutex
	pages []string // "user level N incident #K"
	ids   map[string]int
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var p struct {
		ID       string `json:"id"`
		Level    int    `json:"level"`
		Incident struct {
			Number int64 `json:"number"`
		} `json:"incident"`
	}
	body, _ := io.ReadAll(req.Body)
	if err := json.Unmarshal(body, &p); err != nil || req.Header.Get("Idempotency-Key") != p.ID {
		http.Error(w, "bad page", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ids[p.ID]++
	r.pages = append(r.pages, fmt.Sprintf("%s level %d incident #%d", strings.TrimPrefix(req.URL.Path, "/"), p.Level, p.Incident.Number))
	w.WriteHeader(http.StatusNoContent)
}

// take returns and forgets the pages received so far.
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.pages
	r.pages = nil
	return out
}

// pager is a real server with escalation and webhook delivery, a fake
// clock, and a recording webhook receiver.
type pager struct {
	*env
	rec      *recorder
	esc      *escalate.Engine
	delivery *notify.Engine
}

func newPager(t *testing.T, eng storetest.Engine, publicURL ...string) *pager {
	return newWindowPager(t, eng, nil, publicURL...)
}

// newWindowPager is newPager with hypercare windows, given to the
// escalation directory and intake as serve does.
func newWindowPager(t *testing.T, eng storetest.Engine, windows []hypercare.Window, publicURL ...string) *pager {
	rec := &recorder{ids: map[string]int{}}
	hooks := httptest.NewServer(rec)
	t.Cleanup(hooks.Close)
	person := func(id string) hypercare.User {
		return hypercare.User{ID: id, Name: id, Role: hypercare.RoleResponder,
			ContactMethods:    []hypercare.ContactMethod{{ID: id + "-hook", Type: hypercare.ContactWebhook, Address: hooks.URL + "/" + id, Verified: true}},
			NotificationRules: []hypercare.NotificationRule{{ContactMethod: id + "-hook"}}}
	}
	sched := &oncall.Schedule{ID: "primary", TimeZone: time.UTC, Layers: []oncall.Layer{{ID: "daily",
		Start: oncall.LocalDateTime{Year: 2026, Month: 11, Day: 26, Hour: 9}, Shift: 24 * time.Hour, Users: []string{"alice", "carol"}}}}
	policy := hypercare.EscalationPolicy{ID: "web", Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{Schedule: "primary"}}, EscalateAfter: 5 * time.Minute},
		{Targets: []hypercare.Target{{User: "bob"}}, EscalateAfter: 10 * time.Minute},
	}}
	dir := escalate.NewDirectory([]hypercare.User{person("alice"), person("bob"), person("carol")},
		[]*oncall.Schedule{sched}, []hypercare.EscalationPolicy{policy},
		[]hypercare.Service{{ID: "checkout", EscalationPolicy: "web"}}, windows)

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
		in.SetWindows(windows)
		opts.Escalation = p.esc
		if len(publicURL) > 0 {
			opts.PublicURL = publicURL[0]
		}
	})
	return p
}

// after advances the fake clock, lets the engines take what is due, and
// asserts exactly these pages arrived (in any order) and nothing else.
func (p *pager) after(d time.Duration, want ...string) {
	p.t.Helper()
	p.clock.Advance(d)
	ctx := context.Background()
	if _, err := p.esc.RunDue(ctx); err != nil {
		p.t.Fatal(err)
	}
	if _, err := p.delivery.RunDue(ctx); err != nil {
		p.t.Fatal(err)
	}
	got := p.rec.take()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		p.t.Fatalf("after +%v: pages\n got  %q\n want %q", d, got, want)
	}
}

func TestScenarioPagesClimbThePolicyOverHTTP(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newPager(t, eng)
		p.send(trigger(keyCheckout, "checkout-5xx", "Checkout 5xx above 5%"))
		p.after(0, "alice level 1 incident #1")
		p.after(4*time.Minute + 59*time.Second)
		p.after(time.Second, "bob level 2 incident #1")
		var out struct {
			Incident hypercare.Incident `json:"incident"`
		}
		if code := p.do("POST", "/api/v1/incidents/1/acknowledge", p.responder, nil, &out); code != 200 {
			t.Fatalf("ack: %d", code)
		}
		p.after(time.Hour) // acknowledged: nothing more, ever

		// A second incident after the 09:00 handoff pages carol, and a
		// responder escalates it by hand before its timeout.
		p.clock.Set(time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC))
		p.send(trigger(keyCheckout, "checkout-latency", "Checkout p99 above 2s"))
		p.after(0, "carol level 1 incident #2")
		if code := p.do("POST", "/api/v1/incidents/2/escalate", p.responder, map[string]any{}, nil); code != 200 {
			t.Fatalf("escalate: %d", code)
		}
		p.after(0, "bob level 2 incident #2")
		p.send(action(keyCheckout, "resolve", "checkout-latency"))
		p.after(time.Hour)

		var notes struct {
			Notifications []hypercare.Notification `json:"notifications"`
		}
		p.do("GET", "/api/v1/incidents/1/notifications", p.viewer, nil, &notes)
		if len(notes.Notifications) != 2 || notes.Notifications[0].Status != hypercare.NotificationSent {
			t.Fatalf("incident 1 notifications: %+v", notes.Notifications)
		}
		for id, n := range p.rec.ids {
			if n != 1 {
				t.Errorf("page %s delivered %d times", id, n)
			}
		}
	})
}

// TestSimulateUnknownService: a service that does not exist is a 404
// naming it, told apart from a service that exists without a policy.
func TestSimulateUnknownService(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newPager(t, eng)
		for _, tc := range []struct{ service, want string }{
			{"chekout", `no service "chekout"`},
			{"search", `service "search" has no escalation policy`},
		} {
			var e apiError
			if code := p.do("GET", "/api/v1/simulate?service="+tc.service, p.viewer, nil, &e); code != 404 ||
				e.Error.Code != "not_found" || e.Error.Message != tc.want {
				t.Errorf("simulate %s: %d %+v, want 404 %q", tc.service, code, e.Error, tc.want)
			}
		}
	})
}

func TestScenarioOnCallAndSimulate(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newPager(t, eng)
		var oc struct {
			OnCall []hypercare.OnCallEntry `json:"oncall"`
		}
		p.do("GET", "/api/v1/oncall?at=2026-11-27T08:59:00Z", p.viewer, nil, &oc)
		if len(oc.OnCall) != 1 || oc.OnCall[0].User != "alice" || oc.OnCall[0].Until == nil ||
			!oc.OnCall[0].Until.Equal(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)) {
			t.Fatalf("on call: %+v", oc.OnCall)
		}
		var sim struct {
			Simulation escalate.Simulation `json:"simulation"`
		}
		p.do("GET", "/api/v1/simulate?service=checkout&at=2026-11-27T08:58:00Z", p.viewer, nil, &sim)
		var got []string
		for _, pg := range sim.Simulation.Pages {
			got = append(got, pg.At.Format("15:04")+" "+pg.User)
		}
		// alice at 08:58; bob at 09:03 (level 2); nothing repeats.
		if want := []string{"08:58 alice", "09:03 bob"}; !slices.Equal(got, want) {
			t.Fatalf("simulation %v, want %v", got, want)
		}
		var bad apiError
		if code := p.do("GET", "/api/v1/schedules/primary/shifts?from=2026-11-27T00:00:00Z&to=2028-01-01T00:00:00Z", p.viewer, nil, &bad); code != 400 {
			t.Fatalf("two-year window: %d", code)
		}
		var sh struct {
			Shifts []hypercare.ShiftView `json:"shifts"`
		}
		p.do("GET", "/api/v1/schedules/primary/shifts?from=2026-11-27T00:00:00Z&to=2026-11-29T00:00:00Z", p.viewer, nil, &sh)
		if len(sh.Shifts) != 3 || sh.Shifts[1].User != "carol" {
			t.Fatalf("shifts: %+v", sh.Shifts)
		}
		var feed struct {
			Path string `json:"path"`
		}
		if code := p.do("POST", "/api/v1/schedules/primary/calendar", p.viewer, nil, nil); code != 403 {
			t.Fatalf("viewer creates a feed: %d", code)
		}
		if code := p.do("POST", "/api/v1/schedules/primary/calendar", p.responder, nil, &feed); code != 201 {
			t.Fatalf("create feed: %d", code)
		}
		resp, err := http.Get(p.url + feed.Path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), "BEGIN:VEVENT") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
			t.Fatalf("calendar feed: %d %s", resp.StatusCode, body)
		}
		for _, bad := range []string{
			strings.Replace(feed.Path, "token=", "token=x", 1),                          // wrong token
			strings.Replace(feed.Path, "/schedules/primary.ics", "/users/alice.ics", 1), // another feed's URL
		} {
			resp, _ = http.Get(p.url + bad)
			resp.Body.Close()
			if resp.StatusCode != 404 {
				t.Fatalf("%s: %d", bad, resp.StatusCode)
			}
		}
		// The store keeps the token's hash, never the token.
		token := feed.Path[strings.Index(feed.Path, "token=")+len("token="):]
		if _, _, err := p.st.CalendarFeed(context.Background(), token); !hypercare.IsNotFound(err) {
			t.Fatalf("feed found by its plain token: %v", err)
		}
		if kind, id, err := p.st.CalendarFeed(context.Background(), api.HashToken(token)); err != nil || kind != "schedules" || id != "primary" {
			t.Fatalf("feed by hash: %s %s %v", kind, id, err)
		}
	})
}

// Behind a proxy, feed links use the configured public URL.
func TestCalendarFeedLinkUsesPublicURL(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newPager(t, eng, "https://hypercare.example.com/")
		var feed struct {
			URL string `json:"url"`
		}
		if code := p.do("POST", "/api/v1/users/alice/calendar", p.admin, nil, &feed); code != 201 ||
			!strings.HasPrefix(feed.URL, "https://hypercare.example.com/calendar/users/alice.ics?token=") {
			t.Fatalf("feed link: %d %q", code, feed.URL)
		}
	})
}
