package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
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
	"github.com/hypercare/hypercare/oncall"
	"github.com/hypercare/hypercare/report"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// maintPager is a noise pager (checkout and search page alice, then bob)
// with maintenance windows, whose store can be opened a second time (a
// restarted server, another node).
type maintPager struct {
	*pager
	opts store.Options
	dir  *escalate.Directory
	log  *slog.Logger
}

func newMaintPager(t *testing.T, eng storetest.Engine, windows []correlate.Maintenance) *maintPager {
	return newMaintPagerWith(t, eng, windows, nil)
}

// newMaintPagerWith is newMaintPager with extra server options (a
// readiness catalog for window summaries).
func newMaintPagerWith(t *testing.T, eng storetest.Engine, windows []correlate.Maintenance, extra func(*api.Options)) *maintPager {
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
	m := &maintPager{opts: eng.Options(t), log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	m.dir = escalate.NewDirectory([]hypercare.User{person("alice"), person("bob")}, nil, []hypercare.EscalationPolicy{policy},
		[]hypercare.Service{{ID: "checkout", EscalationPolicy: "noise"}, {ID: "search", EscalationPolicy: "noise"}}, nil)
	st := storetest.OpenStore(t, m.opts)
	m.pager = &pager{rec: rec}
	m.env = newEnvWith(t, st, 0, func(in *intake.Intake, clk *clocktest.Clock, opts *api.Options) {
		m.esc, m.delivery = m.engines(st, clk)
		in.SetPolicies(m.dir.PoliciesByService(), nil)
		in.SetFirstStep(m.esc.StepOpened, nil) // as serve wires it
		in.SetMaintenance(windows)
		opts.Escalation = m.esc
		opts.Maintenance = windows
		if extra != nil {
			extra(opts)
		}
	})
	return m
}

func (m *maintPager) engines(st *store.Store, clk *clocktest.Clock) (*escalate.Engine, *notify.Engine) {
	esc := escalate.New(st, clk, m.dir, m.log)
	channels := notify.NewRegistry()
	channels.Register(hypercare.ContactWebhook, webhook.New(notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true})))
	return esc, notify.NewEngine(st, clk, channels, func() notify.Directory { return esc.Directory() }, m.log)
}

// restart replaces the engines with new ones on a second connection to
// the same database, as a restarted server has; the old ones are
// returned, to play a second node.
func (m *maintPager) restart(t *testing.T) (*escalate.Engine, *notify.Engine) {
	st := storetest.OpenStore(t, m.opts)
	storetest.StartRun(t, st)
	oldEsc, oldDelivery := m.esc, m.delivery
	m.esc, m.delivery = m.engines(st, m.clock)
	return oldEsc, oldDelivery
}

// deploys is a maintenance window on checkout, 08:00–10:00 London (UTC in
// November) on t0's day.
func deploys() []correlate.Maintenance {
	london, _ := oncall.LoadZone("Europe/London")
	return []correlate.Maintenance{{ID: "deploys", Zone: london, Services: []string{"checkout"},
		Start: oncall.LocalDateTime{Year: 2026, Month: 11, Day: 27, Hour: 8},
		End:   oncall.LocalDateTime{Year: 2026, Month: 11, Day: 27, Hour: 10}}}
}

func (p *pager) notificationCount(ref string) int {
	p.t.Helper()
	var out struct {
		Notifications []hypercare.Notification `json:"notifications"`
	}
	if code := p.do("GET", "/api/v1/incidents/"+ref+"/notifications", p.viewer, nil, &out); code != 200 {
		p.t.Fatalf("notifications of %s: %d", ref, code)
	}
	return len(out.Notifications)
}

// Inside a window alerts are recorded but page nobody; one resolved
// inside never pages; one still open at the end pages then, once; an
// alert out of scope pages at once.
func TestScenarioMaintenanceHoldsPagesUntilItEnds(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newMaintPager(t, eng, deploys())
		p.clock.Advance(time.Minute)
		p.send(trigger(keyCheckout, "firing", "Checkout 5xx during deploy"))
		p.send(trigger(keyCheckout, "blip", "Checkout restart"))
		p.after(0)
		for _, inc := range p.incidents("") {
			if inc.SuppressedBy != "maintenance:deploys" || inc.SuppressedUntil == nil ||
				!inc.SuppressedUntil.Equal(t0.Add(2*time.Hour)) || inc.Status != hypercare.StatusTriggered {
				t.Fatalf("incident %+v, want triggered and suppressed by maintenance:deploys until 10:00", inc)
			}
		}
		var events struct {
			Events []hypercare.EventRecord `json:"events"`
		}
		var alerts struct {
			Alerts []hypercare.Alert `json:"alerts"`
		}
		if p.do("GET", "/api/v1/events", p.viewer, nil, &events) != 200 || len(events.Events) != 2 ||
			p.do("GET", "/api/v1/alerts?service=checkout", p.viewer, nil, &alerts) != 200 || len(alerts.Alerts) != 2 {
			t.Fatalf("events %+v, alerts %+v: want both recorded", events, alerts)
		}
		tl := p.timeline("1")
		if !hasEntry(tl, hypercare.TimelineSuppressed) || !strings.Contains(tl[len(tl)-1].Message,
			"Suppressed by maintenance deploys until 10:00 Europe/London") {
			t.Fatalf("timeline %+v, want the suppression entry", tl)
		}
		p.send(trigger(keySearch, "search", "Search down"))
		p.after(0, "alice level 1 incident #3")
		p.send(action(keySearch, "resolve", "search"))
		p.after(30 * time.Minute)
		p.send(action(keyCheckout, "resolve", "blip"))
		p.after(88*time.Minute + 59*time.Second)
		p.after(time.Second, "alice level 1 incident #1")
		p.after(time.Minute)
		if tl := p.timeline("1"); !slices.ContainsFunc(tl, func(e hypercare.TimelineEntry) bool {
			return strings.Contains(e.Message, "Held by maintenance:deploys until 2026-11-27 10:00 UTC; still open: paging now")
		}) {
			t.Errorf("timeline %+v, want the entry saying the hold ended", tl)
		}
		if n := p.notificationCount("2"); n != 0 {
			t.Errorf("incident #2, resolved inside the window, has %d notifications", n)
		}
		if n := p.notificationCount("1"); n != 1 {
			t.Errorf("incident #1 has %d notifications, want 1", n)
		}
		// The noise report counts the two incidents the window held, not
		// as suppressed (that is event rules) but as held.
		var rep report.NoiseReport
		if code := p.do("GET", "/api/v1/noise?from=2026-11-27T00:00:00Z", p.viewer, nil, &rep); code != 200 {
			t.Fatalf("noise: %d", code)
		}
		for _, s := range rep.Services {
			if want := map[string]int64{"checkout": 2}[s.Service]; s.Held != want || s.Suppressed != 0 {
				t.Errorf("noise report line %+v: want held %d, suppressed 0", s, want)
			}
		}
		if rep.Totals.Held != 2 || rep.Totals.Incidents != 3 {
			t.Errorf("noise totals %+v: want 3 incidents, 2 held", rep.Totals)
		}
	})
}

// The hold is a durable escalation row: a server restarted across the
// window's end pages once, and the old engines (another node) add nothing.
func TestScenarioMaintenanceEndPagesOnceAcrossRestart(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newMaintPager(t, eng, deploys())
		p.send(trigger(keyCheckout, "firing", "Checkout 5xx during deploy"))
		p.after(time.Hour)
		oldEsc, oldDelivery := p.restart(t)
		p.after(time.Hour, "alice level 1 incident #1")
		ctx := context.Background()
		if _, err := oldEsc.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := oldDelivery.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		p.after(time.Minute)
		if n := p.notificationCount("1"); n != 1 {
			t.Errorf("incident #1 has %d notifications, want 1", n)
		}
	})
}

// Silences: bad input is refused naming the field; viewers cannot create;
// a silence holds only what its matchers match; expiring it early pages
// the held incident at once, once.
func TestSilencesAPI(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newMaintPager(t, eng, nil)
		ends := t0.Add(2 * time.Hour).Format(time.RFC3339)
		for _, c := range []struct {
			name  string
			body  string
			field string
		}{
			{"no scope", `{"ends_at":"` + ends + `","comment":"x"}`, "matchers"},
			{"bad regex", `{"matchers":["a=~\"(\""],"ends_at":"` + ends + `","comment":"x"}`, "matchers[0]"},
			{"unquoted", `{"matchers":["a=b"],"ends_at":"` + ends + `","comment":"x"}`, "matchers[0]"},
			{"unknown service", `{"services":["nope"],"ends_at":"` + ends + `","comment":"x"}`, "services[0]"},
			{"no end", `{"services":["checkout"],"comment":"x"}`, "ends_at"},
			{"end in the past", `{"services":["checkout"],"ends_at":"2020-01-01T00:00:00Z","comment":"x"}`, "ends_at"},
			{"bad start", `{"services":["checkout"],"starts_at":"tomorrow","ends_at":"` + ends + `","comment":"x"}`, "starts_at"},
			{"no comment", `{"services":["checkout"],"ends_at":"` + ends + `"}`, "comment"},
			{"unknown field", `{"services":["checkout"],"ends_at":"` + ends + `","comment":"x","matcher":[]}`, "matcher"},
		} {
			var out hypercare.ErrorBody
			code := p.do("POST", "/api/v1/silences", p.responder, c.body, &out)
			if code != http.StatusBadRequest || !slices.ContainsFunc(out.Error.Details, func(f hypercare.FieldError) bool { return f.Field == c.field }) {
				t.Errorf("%s: %d %+v, want 400 naming %s", c.name, code, out, c.field)
			}
		}
		good := map[string]any{"matchers": []string{`cluster="eu-1"`}, "services": []string{"checkout"},
			"ends_at": ends, "comment": "failover drill"}
		if code := p.do("POST", "/api/v1/silences", p.viewer, good, nil); code != http.StatusForbidden {
			t.Errorf("viewer created a silence: %d", code)
		}
		var created struct {
			Silence api.SilenceView `json:"silence"`
		}
		if code := p.do("POST", "/api/v1/silences", p.responder, good, &created); code != http.StatusCreated ||
			created.Silence.State != "active" || created.Silence.CreatedBy == "" {
			t.Fatalf("create: %d %+v", code, created)
		}
		p.send(alertEvent(keyCheckout, "eu", "Replica lag", "db-1", "postgres", "eu-1"))
		p.send(alertEvent(keyCheckout, "us", "Replica lag", "db-2", "postgres", "us-2"))
		p.after(0, "alice level 1 incident #2")
		if inc := p.incidents("?limit=2")[1]; inc.SuppressedBy != "silence:"+created.Silence.ID {
			t.Fatalf("incident #1 %+v, want suppressed by the silence", inc)
		}
		var expired struct {
			Silence  api.SilenceView `json:"silence"`
			Released int             `json:"released_incidents"`
		}
		path := "/api/v1/silences/" + created.Silence.ID
		if code := p.do("DELETE", path, p.viewer, nil, nil); code != http.StatusForbidden {
			t.Errorf("viewer expired a silence: %d", code)
		}
		p.clock.Advance(10 * time.Minute)
		if code := p.do("DELETE", path, p.responder, nil, &expired); code != 200 || expired.Released != 1 ||
			expired.Silence.State != "expired" || expired.Silence.ExpiredAt == nil {
			t.Fatalf("expire: %d %+v", code, expired)
		}
		p.after(0, "alice level 1 incident #1")
		if code := p.do("DELETE", path, p.responder, nil, &expired); code != 200 || expired.Released != 0 {
			t.Fatalf("expire again: %d %+v", code, expired)
		}
		p.after(2*time.Hour, "bob level 2 incident #1", "bob level 2 incident #2")
		var list struct {
			Silences []api.SilenceView `json:"silences"`
		}
		if code := p.do("GET", "/api/v1/silences?state=expired", p.viewer, nil, &list); code != 200 || len(list.Silences) != 1 {
			t.Fatalf("list: %d %+v", code, list)
		}
		if code := p.do("GET", "/api/v1/silences?state=gone", p.viewer, nil, nil); code != http.StatusBadRequest {
			t.Errorf("bad state: %d", code)
		}
		if code := p.do("GET", "/api/v1/silences/nope", p.viewer, nil, nil); code != http.StatusNotFound {
			t.Errorf("unknown silence: %d", code)
		}
		if code := p.do("DELETE", "/api/v1/silences/nope", p.responder, nil, nil); code != http.StatusNotFound {
			t.Errorf("expire unknown silence: %d", code)
		}
	})
}

// GET /api/v1/maintenance shows each window's active flag and occurrence.
func TestListMaintenance(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newMaintPager(t, eng, deploys())
		var out struct {
			Maintenance []api.MaintenanceView `json:"maintenance"`
		}
		if code := p.do("GET", "/api/v1/maintenance", p.viewer, nil, &out); code != 200 || len(out.Maintenance) != 1 ||
			!out.Maintenance[0].Active || out.Maintenance[0].Next == nil || !out.Maintenance[0].Next.End.Equal(t0.Add(2*time.Hour)) {
			t.Fatalf("maintenance: %d %+v", code, out)
		}
		p.clock.Advance(3 * time.Hour)
		out.Maintenance = nil
		if code := p.do("GET", "/api/v1/maintenance", p.viewer, nil, &out); code != 200 || out.Maintenance[0].Active ||
			out.Maintenance[0].Next != nil {
			t.Fatalf("after the window: %d %+v", code, out)
		}
	})
}

// Expiring a silence early while a maintenance window still covers an
// incident it held keeps the incident held until the window ends: the
// answer and the timeline say so, nobody is paged before the window's end,
// and the page then goes out once.
func TestSilenceExpiredInsideWindowStaysHeld(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newMaintPager(t, eng, deploys()) // checkout, 08:00–10:00
		var created struct {
			Silence api.SilenceView `json:"silence"`
		}
		body := map[string]any{"services": []string{"checkout"}, "ends_at": t0.Add(3 * time.Hour).Format(time.RFC3339),
			"comment": "migration runs past the window"}
		if code := p.do("POST", "/api/v1/silences", p.responder, body, &created); code != http.StatusCreated {
			t.Fatalf("create: %d", code)
		}
		p.send(trigger(keyCheckout, "checkout-5xx", "Checkout 5xx above 5%"))
		p.after(0)
		if inc := p.incidents("?limit=1")[0]; inc.SuppressedBy != "silence:"+created.Silence.ID {
			t.Fatalf("incident %+v, want held by the silence (chained to the window's end)", inc)
		}
		p.clock.Advance(10 * time.Minute)
		var expired struct {
			Released  int `json:"released_incidents"`
			StillHeld int `json:"still_held_incidents"`
		}
		if code := p.do("DELETE", "/api/v1/silences/"+created.Silence.ID, p.responder, nil, &expired); code != 200 ||
			expired.Released != 0 || expired.StillHeld != 1 {
			t.Fatalf("expire: %d %+v, want 0 released and 1 still held", code, expired)
		}
		inc := p.incidents("?limit=1")[0]
		if inc.SuppressedBy != "maintenance:deploys" || inc.SuppressedUntil == nil || !inc.SuppressedUntil.Equal(t0.Add(2*time.Hour)) {
			t.Fatalf("incident %+v, want held by maintenance:deploys until 10:00", inc)
		}
		var msgs []string
		for _, e := range p.timeline("1") {
			msgs = append(msgs, e.Message)
		}
		joined := strings.Join(msgs, "\n")
		if strings.Contains(joined, "paging now") || !strings.Contains(joined, "still held by maintenance deploys") ||
			!strings.Contains(joined, "Suppressed by maintenance deploys until 10:00") {
			t.Errorf("timeline:\n%s", joined)
		}
		p.after(time.Hour + 49*time.Minute) // 09:59
		p.after(time.Minute, "alice level 1 incident #1")
		p.after(10 * time.Minute)
	})
}

// TestActiveSilenceListedWhateverExpiredSince: the list reads at most the
// newest 1,000 silences. ?state=active used to filter those, so an active
// silence created before 1,000 newer ones that have ended (a drill that
// silences and expires in a loop) dropped out of the list.
func TestActiveSilenceListedWhateverExpiredSince(t *testing.T) {
	e := newEnv(t, storetestEngines(t)[0].Open(t), 0)
	now := e.clock.Now()
	err := e.st.Write(context.Background(), "silences", func(tx hypercare.Tx) error {
		long := &hypercare.Silence{ID: "sil-long", Services: []string{"checkout"}, StartsAt: now.Add(-time.Hour),
			EndsAt: now.Add(24 * time.Hour), Comment: "migration week", CreatedBy: "alice", CreatedAt: now.Add(-time.Hour)}
		if err := tx.InsertSilence(context.Background(), long); err != nil {
			return err
		}
		for i := range 1000 {
			s := &hypercare.Silence{ID: fmt.Sprintf("sil-%04d", i), Services: []string{"checkout"},
				StartsAt: now.Add(-30 * time.Minute), EndsAt: now.Add(-time.Minute), Comment: "drill",
				CreatedBy: "bob", CreatedAt: now.Add(-30*time.Minute + time.Duration(i)*time.Millisecond)}
			if err := tx.InsertSilence(context.Background(), s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Silences []api.SilenceView `json:"silences"`
	}
	if code := e.do("GET", "/api/v1/silences?state=active", e.viewer, nil, &out); code != http.StatusOK {
		t.Fatalf("list: %d", code)
	}
	if len(out.Silences) != 1 || out.Silences[0].ID != "sil-long" {
		t.Fatalf("active silences: %d listed, want sil-long alone", len(out.Silences))
	}
}
