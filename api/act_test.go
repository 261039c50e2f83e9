package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
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
	"github.com/hypercare/hypercare/notify/actlink"
	"github.com/hypercare/hypercare/notify/webhook"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// linkCatcher is a webhook receiver that keeps the last page's links.
type linkCatcher struct {
	mu                   sync.Mutex
	incident, ack, solve string
}

func (c *linkCatcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var p webhook.Payload
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	c.incident, c.ack, c.solve = p.IncidentURL, p.AckURL, p.ResolveURL
	c.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// actEnv is a server paging Alice by webhook, with action links on.
type actEnv struct {
	*pager
	links *linkCatcher
}

func newActEnv(t *testing.T, eng storetest.Engine) *actEnv {
	return newActEnvOn(t, eng.Open(t), nil)
}

// newActEnvOn is newActEnv on the store st, with a hook to change the
// server's options (its logger, say) before it starts.
func newActEnvOn(t *testing.T, st *store.Store, extend func(*api.Options)) *actEnv {
	c := &linkCatcher{}
	hooks := httptest.NewServer(c)
	t.Cleanup(hooks.Close)
	alice := hypercare.User{ID: "alice", Name: "Alice", Role: hypercare.RoleResponder,
		ContactMethods:    []hypercare.ContactMethod{{ID: "alice-hook", Type: hypercare.ContactWebhook, Address: hooks.URL}},
		NotificationRules: []hypercare.NotificationRule{{ContactMethod: "alice-hook"}}}
	policy := hypercare.EscalationPolicy{ID: "web", Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{User: "alice"}}, EscalateAfter: time.Hour}}}
	dir := escalate.NewDirectory([]hypercare.User{alice}, nil, []hypercare.EscalationPolicy{policy},
		[]hypercare.Service{{ID: "checkout", EscalationPolicy: "web"}}, nil)
	signer, err := actlink.NewSigner([]byte("act-test-key-0123456789abcdef"), 0)
	if err != nil {
		t.Fatal(err)
	}
	p := &pager{}
	p.env = newEnvWith(t, st, 0, func(in *intake.Intake, clk *clocktest.Clock, opts *api.Options) {
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		p.esc = escalate.New(st, clk, dir, log)
		channels := notify.NewRegistry()
		channels.Register(hypercare.ContactWebhook, webhook.New(notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true})))
		p.delivery = notify.NewEngine(st, clk, channels, func() notify.Directory { return p.esc.Directory() }, log)
		in.SetPolicies(dir.PoliciesByService(), nil)
		opts.Escalation, opts.Actions = p.esc, signer
		if extend != nil {
			extend(opts)
		}
	})
	p.delivery.SetLinks(actlink.Links{Base: p.url, Signer: signer})
	return &actEnv{pager: p, links: c}
}

// page triggers an incident and delivers its page; it returns the links.
func (a *actEnv) page() (incident, ack, resolve string) {
	a.t.Helper()
	a.send(trigger(keyCheckout, "checkout-5xx", "Checkout <b>5xx</b> above 5%"))
	ctx := a.t.Context()
	if _, err := a.esc.RunDue(ctx); err != nil {
		a.t.Fatal(err)
	}
	if _, err := a.delivery.RunDue(ctx); err != nil {
		a.t.Fatal(err)
	}
	a.links.mu.Lock()
	defer a.links.mu.Unlock()
	if a.links.ack == "" || a.links.solve == "" {
		a.t.Fatalf("page carried no action links: %+v", a.links)
	}
	return a.links.incident, a.links.ack, a.links.solve
}

// open requests a link and returns status, body and headers.
func (a *actEnv) open(method, link string) (int, string, http.Header) {
	a.t.Helper()
	req, err := http.NewRequest(method, link, nil)
	if err != nil {
		a.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

// state returns the incident's status and timeline messages.
func (a *actEnv) state() (hypercare.Status, []hypercare.TimelineEntry) {
	a.t.Helper()
	var inc struct {
		Incident hypercare.Incident `json:"incident"`
	}
	var tl struct {
		Timeline []hypercare.TimelineEntry `json:"timeline"`
	}
	if code := a.do("GET", "/api/v1/incidents/1", a.viewer, nil, &inc); code != 200 {
		a.t.Fatalf("get incident: %d", code)
	}
	if code := a.do("GET", "/api/v1/incidents/1/timeline?limit=100", a.viewer, nil, &tl); code != 200 {
		a.t.Fatalf("timeline: %d", code)
	}
	return inc.Incident.Status, tl.Timeline
}

func TestActLinkConfirmsThenAcknowledgesAsThePagedUser(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		a := newActEnv(t, eng)
		incURL, ack, _ := a.page()
		if incURL != a.url+"/incidents/1" || !strings.HasPrefix(ack, a.url+"/act/") {
			t.Fatalf("links = %q, %q", incURL, ack)
		}
		_, before := a.state()
		for i := 0; i < 2; i++ { // a link preview and the responder
			code, body, h := a.open("GET", ack)
			if code != 200 || !strings.Contains(body, "#1 Checkout &lt;b&gt;5xx&lt;/b&gt; above 5%") ||
				!strings.Contains(body, "Checkout") || !strings.Contains(body, "high") ||
				!strings.Contains(body, `<form method="post">`) || strings.Contains(body, "<script") {
				t.Fatalf("GET = %d:\n%s", code, body)
			}
			if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") ||
				h.Get("Referrer-Policy") != "no-referrer" || h.Get("Cache-Control") != "no-store" {
				t.Errorf("headers = %v", h)
			}
		}
		if status, after := a.state(); status != hypercare.StatusTriggered || len(after) != len(before) {
			t.Fatalf("GET changed the incident: %s, %d timeline entries (was %d)", status, len(after), len(before))
		}
		code, body, _ := a.open("POST", ack)
		if code != 200 || !strings.Contains(body, "#1 acknowledged by Alice") {
			t.Fatalf("POST = %d:\n%s", code, body)
		}
		status, tl := a.state()
		last := tl[len(tl)-1]
		if status != hypercare.StatusAcknowledged || last.Type != hypercare.TimelineAcknowledged ||
			last.Actor != (hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}) {
			t.Fatalf("after POST: %s, last entry %+v", status, last)
		}
	})
}

func TestActLinkForgedOrExpiredChangesNothing(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		a := newActEnv(t, eng)
		_, ack, resolve := a.page()
		token := strings.TrimPrefix(resolve, a.url+"/act/")
		other, _ := actlink.NewSigner([]byte("another-key-0123456789abcdef"), 0)
		claims, err := actlink.Parse(token)
		if err != nil {
			t.Fatal(err)
		}
		flipped := []byte(token)
		flipped[len(flipped)-2] ^= 1
		bad := map[string]string{
			"tampered":     string(flipped),
			"another key":  other.Mint(actlink.Resolve, claims.NotificationID, claims.IncidentID, a.clock.Now()),
			"other action": strings.TrimPrefix(ack, a.url+"/act/")[:10] + token[10:],
			"garbage":      "not-a-token",
		}
		for name, tok := range bad {
			for _, m := range []string{"GET", "POST"} {
				code, body, _ := a.open(m, a.url+"/act/"+tok)
				if code != http.StatusNotFound || !strings.Contains(body, "not a valid action link") {
					t.Errorf("%s %s = %d:\n%s", m, name, code, body)
				}
			}
		}
		a.clock.Advance(actlink.DefaultTTL)
		for _, m := range []string{"GET", "POST"} {
			if code, body, _ := a.open(m, resolve); code != http.StatusForbidden || !strings.Contains(body, "expired") {
				t.Errorf("%s expired = %d:\n%s", m, code, body)
			}
		}
		req, _ := http.NewRequest("POST", resolve, nil)
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != 403 || e.Error.Code != "permission_denied" {
			t.Errorf("JSON expired = %d %+v", resp.StatusCode, e)
		}
		if status, _ := a.state(); status != hypercare.StatusTriggered {
			t.Fatalf("refused links changed the incident: %s", status)
		}
	})
}

func TestActLinksRefusedAfterResolve(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		a := newActEnv(t, eng)
		_, ack, resolve := a.page()
		if code, body, _ := a.open("POST", resolve); code != 200 || !strings.Contains(body, "#1 resolved by Alice") {
			t.Fatalf("resolve = %d:\n%s", code, body)
		}
		_, before := a.state()
		// The unused ack link is dead because the incident is resolved;
		// the resolve link because it was used.
		for link, why := range map[string]string{ack: "already resolved", resolve: "already been used"} {
			for _, m := range []string{"GET", "POST"} {
				if code, body, _ := a.open(m, link); code != http.StatusConflict || !strings.Contains(body, why) {
					t.Errorf("%s after resolve = %d:\n%s", m, code, body)
				}
			}
		}
		if status, after := a.state(); status != hypercare.StatusResolved || len(after) != len(before) {
			t.Fatalf("after refused links: %s, %d entries (was %d)", status, len(after), len(before))
		}
	})
}
