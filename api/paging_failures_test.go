package api_test

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/webhook"
	"github.com/hypercare/hypercare/storetest"
)

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// newFailingPager is a server whose one policy level pages four users who
// cannot be reached: alice's hook answers 404, bob's refuses connections,
// carol has only an SMS number (no SMS channel yet), dave has no rules.
func newFailingPager(t *testing.T, eng storetest.Engine) (*pager, string, string) {
	gone := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(gone.Close)
	refused := closedAddr(t)
	hook := func(id, url string) hypercare.User {
		return hypercare.User{ID: id, Name: strings.ToUpper(id[:1]) + id[1:], Role: hypercare.RoleResponder,
			ContactMethods:    []hypercare.ContactMethod{{ID: id + "-hook", Type: hypercare.ContactWebhook, Address: url}},
			NotificationRules: []hypercare.NotificationRule{{ContactMethod: id + "-hook"}}}
	}
	carol := hypercare.User{ID: "carol", Name: "Carol", ContactMethods: []hypercare.ContactMethod{
		{ID: "carol-sms", Type: hypercare.ContactSMS, Address: "+447700900001"}},
		NotificationRules: []hypercare.NotificationRule{{ContactMethod: "carol-sms"}}}
	dave := hypercare.User{ID: "dave", Name: "Dave"}
	policy := hypercare.EscalationPolicy{ID: "web", Levels: []hypercare.EscalationLevel{{Targets: []hypercare.Target{
		{User: "alice"}, {User: "bob"}, {User: "carol"}, {User: "dave"}}, EscalateAfter: time.Hour}}}
	dir := escalate.NewDirectory([]hypercare.User{hook("alice", gone.URL+"/alice"), hook("bob", "http://"+refused+"/bob"), carol, dave},
		nil, []hypercare.EscalationPolicy{policy}, []hypercare.Service{{ID: "checkout", EscalationPolicy: "web"}}, nil)
	st := eng.Open(t)
	p := &pager{rec: &recorder{ids: map[string]int{}}}
	p.env = newEnvWith(t, st, 0, func(in *intake.Intake, clk *clocktest.Clock, opts *api.Options) {
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		p.esc = escalate.New(st, clk, dir, log)
		channels := notify.NewRegistry()
		channels.Register(hypercare.ContactWebhook, webhook.New(notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true})))
		p.esc.SetDeliveryCheck(channels.Check)
		p.delivery = notify.NewEngine(st, clk, channels, func() notify.Directory { return p.esc.Directory() }, log)
		in.SetPolicies(dir.PoliciesByService(), nil)
		opts.Escalation = p.esc
	})
	return p, strings.TrimPrefix(gone.URL, "http://"), refused
}

// Failed pages reach the timeline (the escalation entry no longer claims
// success), and their host:port detail is shown to admins only.
func TestFailedPagesOnTimelineDetailForAdminsOnly(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p, goneHost, refusedHost := newFailingPager(t, eng)
		p.send(trigger(keyCheckout, "checkout-5xx", "Checkout 5xx above 5%"))
		for i := 0; i < notify.MaxAttempts; i++ { // bob's refused connection is retried until given up
			p.after(6 * time.Minute)
		}
		var tl struct {
			Timeline []hypercare.TimelineEntry `json:"timeline"`
		}
		byRole := map[string]string{"admin": p.admin, "responder": p.responder, "viewer": p.viewer}
		for role, tok := range byRole {
			if code := p.do("GET", "/api/v1/incidents/1/timeline?limit=100", tok, nil, &tl); code != 200 {
				t.Fatalf("%s timeline: %d", role, code)
			}
			var all []string
			for _, e := range tl.Timeline {
				all = append(all, e.Message+" "+string(e.Details))
			}
			text := strings.Join(all, "\n")
			for _, want := range []string{
				"Paging Alice via alice-hook (webhook); Bob via bob-hook (webhook); Carol via carol-sms (sms)",
				"Dave (dave) has no notification rule for high-urgency incidents",
				"Page to Alice via alice-hook (webhook) failed after 1 attempt(s): HTTP 404 Not Found",
				"Page to Bob via bob-hook (webhook) failed after 8 attempt(s): connection refused",
				"Page to Carol via carol-sms (sms) failed after 1 attempt(s): no channel for this contact type",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("%s timeline lacks %q:\n%s", role, want, text)
				}
			}
			if strings.Contains(text, "Paged ") {
				t.Errorf("%s timeline claims a page succeeded:\n%s", role, text)
			}
			hasHosts := strings.Contains(text, goneHost) && strings.Contains(text, refusedHost)
			if hasHosts != (role == "admin") {
				t.Errorf("%s timeline shows receiver hosts: %v, want %v:\n%s", role, hasHosts, role == "admin", text)
			}

			var notes struct {
				Notifications []hypercare.Notification `json:"notifications"`
			}
			if code := p.do("GET", "/api/v1/incidents/1/notifications", tok, nil, &notes); code != 200 || len(notes.Notifications) != 3 {
				t.Fatalf("%s notifications: %d %+v", role, code, notes.Notifications)
			}
			for _, n := range notes.Notifications {
				if n.Status != hypercare.NotificationFailed || n.LastError == "" ||
					strings.Contains(n.LastError, "127.0.0.1") {
					t.Errorf("%s: notification %s: status %s, last_error %q", role, n.ContactMethod, n.Status, n.LastError)
				}
				if n.Type == hypercare.ContactWebhook && (strings.Contains(n.ErrorDetail, "127.0.0.1:") != (role == "admin")) {
					t.Errorf("%s: notification %s error_detail %q", role, n.ContactMethod, n.ErrorDetail)
				}
			}
		}
	})
}

// The dry run says which pages cannot be delivered, and who is reached by
// nobody.
func TestSimulateFlagsUndeliverablePages(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p, _, _ := newFailingPager(t, eng)
		var sim struct {
			Simulation escalate.Simulation `json:"simulation"`
		}
		if code := p.do("GET", "/api/v1/simulate?service=checkout", p.viewer, nil, &sim); code != 200 {
			t.Fatalf("simulate: %d", code)
		}
		got := map[string]string{}
		for _, pg := range sim.Simulation.Pages {
			got[pg.ContactMethod] = pg.Undeliverable
		}
		if got["alice-hook"] != "" || got["bob-hook"] != "" || !strings.Contains(got["carol-sms"], `no channel for contact type "sms"`) {
			t.Errorf("undeliverable: %q", got)
		}
		gaps := strings.Join(sim.Simulation.Gaps, "\n")
		for _, want := range []string{"Dave (dave) has no notification rule", "none of the pages to Carol (carol) can be delivered"} {
			if !strings.Contains(gaps, want) {
				t.Errorf("gaps lack %q: %s", want, gaps)
			}
		}
	})
}
