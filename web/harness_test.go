package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/oncall"
	"github.com/hypercare/hypercare/readiness"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/web"
	"golang.org/x/crypto/bcrypt"
)

// The harness is `hypercare serve`'s wiring (store, intake, escalation
// engine, api.Server with the UI mounted) behind real HTTP, with a fake
// clock and four users: one per role, and a viewer in New York.
const (
	key         = "0123456789abcdef0123456789abcdef"
	paymentsKey = "1123456789abcdef0123456789abcdef"
	password    = "correct horse battery"
)

var start = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

type harness struct {
	t     testing.TB
	URL   string
	Clock *clocktest.Clock
	Store *store.Store
	// Handler is the server's root handler, for benchmarks that time the
	// server alone.
	Handler http.Handler
}

func directory() *escalate.Directory {
	users := []hypercare.User{
		{ID: "ada", Name: "Ada Admin", Role: hypercare.RoleAdmin,
			ContactMethods:    []hypercare.ContactMethod{{ID: "ada-hook", Type: hypercare.ContactWebhook, Address: "https://hooks.example.com/ada"}},
			NotificationRules: []hypercare.NotificationRule{{ContactMethod: "ada-hook"}}},
		{ID: "rita", Name: "Rita Responder", Role: hypercare.RoleResponder},
		{ID: "vic", Name: "Vic Viewer", Role: hypercare.RoleViewer},
		// nora reads times in New York; the others have no time_zone (UTC).
		{ID: "nora", Name: "Nora New York", Role: hypercare.RoleViewer, TimeZone: "America/New_York"},
	}
	policies := []hypercare.EscalationPolicy{{ID: "web", Name: "Web", Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{User: "rita"}}, EscalateAfter: 10 * time.Minute},
		{Targets: []hypercare.Target{{User: "ada"}}, EscalateAfter: 10 * time.Minute},
	}}}
	services := []hypercare.Service{{ID: "checkout", Name: "Checkout", Active: true, EscalationPolicy: "web"}}
	start, _ := oncall.ParseLocalDateTime("2026-10-26T09:00")
	schedules := []*oncall.Schedule{{ID: "web-primary", TimeZone: time.UTC, Layers: []oncall.Layer{
		{ID: "daily", Start: start, Shift: 24 * time.Hour, Users: []string{"rita", "ada"}}}}}
	policies[0].Levels[0].Targets = append(policies[0].Levels[0].Targets, hypercare.Target{Schedule: "web-primary"})
	return escalate.NewDirectory(users, schedules, policies, services, nil)
}

func startHarness(t testing.TB, st *store.Store) *harness {
	t.Helper()
	return startHarnessWith(t, st, nil)
}

// startHarnessWith lets a test change the UI's options (say PublicURL).
func startHarnessWith(t testing.TB, st *store.Store, change func(*web.Options)) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	clk := clocktest.New(start)
	// payments has no escalation policy: the readiness page's coverage gap,
	// and the other service a merge must refuse.
	services := []hypercare.Service{{ID: "checkout", Name: "Checkout", Active: true, EscalationPolicy: "web"},
		{ID: "payments", Name: "Payments", Active: true}}
	integrations := []hypercare.Integration{{ID: "checkout-v2", ServiceID: "checkout", Type: hypercare.IntegrationEventsV2, Key: key, Name: "Datadog"},
		{ID: "payments-v2", ServiceID: "payments", Type: hypercare.IntegrationEventsV2, Key: paymentsKey, Name: "Grafana"}}
	if err := st.Write(ctx, "catalog", func(tx hypercare.Tx) error {
		return tx.ApplyCatalog(ctx, nil, services, integrations)
	}); err != nil {
		t.Fatalf("apply catalog: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	in := intake.New(st, clk)
	in.SetIntegrations(integrations)
	dir := directory()
	esc := escalate.New(st, clk, dir, log)
	in.SetPolicies(dir.PoliciesByService(), esc.Wake)
	opts := web.Options{Store: st, Sessions: st, Clock: clk, Escalation: esc, Integrations: integrations,
		Runbooks:  []hypercare.Runbook{{ID: "rb", Title: "Checkout runbook", URL: "https://wiki.example.com/checkout", Services: []string{"checkout"}}},
		Readiness: readinessCatalog(dir, services), Logger: log,
		PasswordCost: bcrypt.MinCost} // as the users' hashes (addUser)
	if change != nil {
		change(&opts)
	}
	ui, err := web.New(opts)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	hs := httptest.NewUnstartedServer(nil)
	srv := api.New(api.Options{Store: st, Clock: clk, Intake: in, Escalation: esc, Logger: log,
		ListenAddr: hs.Listener.Addr().String(), UI: ui.Handler(), Session: ui.Principal})
	hs.Config.Handler = srv.Handler()
	hs.Start()
	t.Cleanup(hs.Close) // after the streams end (cleanups run last first)
	streamCtx, stopStream := context.WithCancel(context.Background())
	streamDone := make(chan error, 1)
	go func() { streamDone <- srv.Run(streamCtx) }()
	t.Cleanup(func() { stopStream(); <-streamDone })
	h := &harness{t: t, URL: hs.URL, Clock: clk, Store: st, Handler: srv.Handler()}
	for _, u := range []string{"ada", "rita", "vic", "nora"} {
		h.setPassword(u, password)
	}
	return h
}

// setPassword stores a hash of pw for user. Tests hash at bcrypt's
// minimum cost so that a sign-in takes microseconds, not a tenth of a
// second (hundreds of times more under -race); a sign-in compares at the
// stored hash's own cost, and web.HashPassword's cost has its own test.
func (h *harness) setPassword(user, pw string) {
	h.t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		h.t.Fatalf("hash password: %v", err)
	}
	if err := h.Store.SetPassword(context.Background(), user, string(hash), h.Clock.Now()); err != nil {
		h.t.Fatalf("set password: %v", err)
	}
}

// readinessCatalog is the harness config's readiness catalog: one window
// in Europe/Berlin (its name has markup, shown as text) over both
// services, where payments has no policy and no runbook.
func readinessCatalog(dir *escalate.Directory, services []hypercare.Service) *readiness.Catalog {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return &readiness.Catalog{
		Windows: []hypercare.Window{{ID: "launch", Name: "Launch <b>week</b>", TimeZone: berlin,
			Start: time.Date(2026, 11, 2, 0, 0, 0, 0, berlin), End: time.Date(2026, 11, 5, 0, 0, 0, 0, berlin)}},
		Runbooks:  []hypercare.Runbook{{ID: "rb", Title: "Checkout runbook", URL: "https://wiki.example.com/checkout", Services: []string{"checkout"}}},
		Services:  services,
		Directory: dir,
		Channels:  []hypercare.ContactType{hypercare.ContactWebhook},
	}
}

// trigger posts a PagerDuty v2 trigger for checkout to the ingest API.
func (h *harness) trigger(dedup, summary string, links string) {
	h.t.Helper()
	h.triggerWith(key, dedup, summary, links)
}

// triggerWith posts a trigger with an integration's routing key.
func (h *harness) triggerWith(routingKey, dedup, summary string, links string) {
	h.t.Helper()
	body := `{"routing_key":"` + routingKey + `","event_action":"trigger","dedup_key":` + quote(dedup) +
		`,"payload":{"summary":` + quote(summary) + `,"source":"web-1","severity":"critical"}` + links + `}`
	resp, err := http.Post(h.URL+"/v2/enqueue", "application/json", strings.NewReader(body))
	if err != nil {
		h.t.Fatalf("post event: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		raw, _ := io.ReadAll(resp.Body)
		h.t.Fatalf("post event: %s %s", resp.Status, raw)
	}
}

func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so tests see each answer.
type browser struct {
	h *harness
	c *http.Client
}

func (h *harness) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{h: h, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) get(path string) (int, string) {
	b.h.t.Helper()
	resp, err := b.c.Get(b.h.URL + path)
	if err != nil {
		b.h.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

func (b *browser) post(path string, form url.Values) (int, string) {
	b.h.t.Helper()
	resp, err := b.c.PostForm(b.h.URL+path, form)
	if err != nil {
		b.h.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the forms on page.
func csrf(t testing.TB, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the page:\n%s", page)
	}
	return m[1]
}

// login signs in as user and returns the status of the answer to the
// form (303 on success).
func (b *browser) login(user, pw string) (int, string) {
	b.h.t.Helper()
	_, page := b.get("/login")
	return b.post("/login", url.Values{"csrf": {csrf(b.h.t, page)}, "username": {user}, "password": {pw}, "next": {"/incidents"}})
}

func (b *browser) mustLogin(user string) {
	b.h.t.Helper()
	if code, body := b.login(user, password); code != http.StatusSeeOther {
		b.h.t.Fatalf("login as %s: %d\n%s", user, code, body)
	}
}

func (h *harness) incidentStatus(number int64) hypercare.Status {
	h.t.Helper()
	inc, err := h.Store.GetIncidentByNumber(context.Background(), number)
	if err != nil {
		h.t.Fatalf("get incident %d: %v", number, err)
	}
	return inc.Status
}
