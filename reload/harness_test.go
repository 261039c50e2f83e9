package reload_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/webhook"
	"github.com/hypercare/hypercare/reload"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
	"github.com/prometheus/client_golang/prometheus"
)

var t0 = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

const (
	keyShop   = "0123456789abcdef0123456789abcdef"
	keySearch = "fedcba9876543210fedcba9876543210"
)

// rig is a server's pipeline as serve wires it (real store, intake,
// escalation and delivery engines, the API over real HTTP) on a fake
// clock, with its config in a file the test rewrites and reloads.
type rig struct {
	t     *testing.T
	st    *store.Store
	clk   *clocktest.Clock
	path  string
	rl    *reload.Reloader
	in    *intake.Intake
	esc   *escalate.Engine
	del   *notify.Engine
	reg   *prometheus.Registry
	hooks *receiver
	url   string
	admin string
}

// receiver is the webhook endpoint every user is paged at: it counts
// each notification ID it receives.
type receiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got map[string]int // notification ID → deliveries
	by  map[string][]string
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{got: map[string]int{}, by: map[string][]string{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var p webhook.Payload
		if err := json.NewDecoder(req.Body).Decode(&p); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.got[p.ID]++
		r.by[p.Incident.ID] = append(r.by[p.Incident.ID], strings.TrimPrefix(req.URL.Path, "/"))
		r.mu.Unlock()
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func newRig(t *testing.T, eng storetest.Engine, yaml string) *rig {
	t.Helper()
	st := eng.Open(t)
	storetest.StartRun(t, st)
	r := &rig{t: t, st: st, clk: clocktest.New(t0), reg: prometheus.NewRegistry(), hooks: newReceiver(t)}
	r.path = filepath.Join(t.TempDir(), "hypercare.yaml")
	r.write(yaml)
	cfg, err := config.Load(r.path)
	if err != nil {
		t.Fatalf("first config: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	channels := notify.NewRegistry()
	channels.Register(hypercare.ContactWebhook,
		webhook.New(notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true})))
	r.in = intake.New(st, r.clk)
	r.esc = escalate.New(st, r.clk, escalate.NewDirectory(nil, nil, nil, nil, nil), log)
	r.del = notify.NewEngine(st, r.clk, channels, func() notify.Directory { return r.esc.Directory() }, log)
	r.esc.OnPaged(r.del.Wake)
	r.in.OnOpened(r.esc.Wake)
	r.rl = reload.New(reload.Options{Path: r.path, Store: st, Clock: r.clk, Log: log,
		Channels: channels.Types(), Registry: r.reg})
	if _, err := r.rl.Apply(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	r.rl.Attach(r.in, r.esc, r.del)
	srv := api.New(api.Options{Store: st, Clock: r.clk, Intake: r.in, Escalation: r.esc, Logger: log,
		Reload: func(ctx context.Context) (any, error) { return r.rl.Reload(ctx) },
		Config: func() api.ConfigView {
			s := r.rl.Current()
			return api.ConfigView{Readiness: s.Readiness, Maintenance: s.Maintenance}
		}})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	r.url = hs.URL
	_, r.admin, err = api.CreateToken(context.Background(), st, r.clk, "admin", hypercare.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// write replaces the config file's content.
func (r *rig) write(yaml string) {
	r.t.Helper()
	if err := os.WriteFile(r.path, []byte(strings.ReplaceAll(yaml, "HOOK", r.hooks.srv.URL)), 0o600); err != nil {
		r.t.Fatal(err)
	}
}

// reloadFile writes yaml and reloads it, failing the test on an error.
func (r *rig) reloadFile(yaml string) *reload.Result {
	r.t.Helper()
	r.write(yaml)
	res, err := r.rl.Reload(context.Background())
	if err != nil {
		r.t.Fatalf("reload: %v", err)
	}
	return res
}

// post sends an authenticated JSON request and returns the status and
// the body.
func (r *rig) post(path, token, body string) (int, []byte) {
	r.t.Helper()
	req, err := http.NewRequest(http.MethodPost, r.url+path, strings.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// get sends an authenticated GET and returns the status and the body.
func (r *rig) get(path, token string) (int, []byte) {
	r.t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.url+path, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// trigger opens an incident on shop through intake and returns its ID.
func (r *rig) trigger(key string) string {
	r.t.Helper()
	it, ok := r.in.Lookup(keyShop)
	if !ok {
		r.t.Fatal("shop's routing key is not routed")
	}
	res, err := r.in.Process(context.Background(), it, []hypercare.Event{{Action: hypercare.ActionTrigger,
		DedupKey: key, Summary: "Checkout is down", Severity: hypercare.SeverityCritical}})
	if err != nil {
		r.t.Fatal(err)
	}
	return res[0].IncidentID
}

// runDue takes the escalation steps due at the clock's time.
func (r *rig) runDue() {
	r.t.Helper()
	if _, err := r.esc.RunDue(context.Background()); err != nil {
		r.t.Fatal(err)
	}
}

// paged lists who an incident's pages went to, in order.
func (r *rig) paged(incidentID string) []string {
	r.t.Helper()
	list, err := r.st.ListNotifications(context.Background(), incidentID)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, n := range list {
		out = append(out, n.UserID)
	}
	return out
}

// timeline returns the incident's timeline messages joined by newlines.
func (r *rig) timeline(incidentID string) string {
	r.t.Helper()
	entries, _, err := r.st.ListTimeline(context.Background(), incidentID, hypercare.Page{Limit: 500})
	if err != nil {
		r.t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		b.WriteString(e.Message + "\n")
	}
	return b.String()
}

// counter returns a metric's value from the rig's registry.
func (r *rig) metric(name, label string) float64 {
	r.t.Helper()
	mfs, err := r.reg.Gather()
	if err != nil {
		r.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if label != "" && (len(m.GetLabel()) == 0 || m.GetLabel()[0].GetValue() != label) {
				continue
			}
			if m.Counter != nil {
				return m.GetCounter().GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	r.t.Fatalf("no metric %s{%s}", name, label)
	return 0
}

// user is one config user paged by webhook at the test receiver.
func user(id string) string {
	return fmt.Sprintf(`  - id: %[1]s
    name: %[1]s
    contact_methods: [{id: %[1]s-hook, type: webhook, address: "HOOK/%[1]s"}]
`, id)
}

// configFile is a config: users alice to erin, the policies given (YAML
// list items under escalation_policies) and shop using policy shopPolicy
// ("" for none), with extra appended verbatim.
func configFile(policies, shopPolicy, extra string) string {
	var b strings.Builder
	b.WriteString("teams: [{id: web, name: Web}]\nusers:\n")
	for _, u := range []string{"alice", "bob", "carol", "dave", "erin"} {
		b.WriteString(user(u))
	}
	if policies != "" {
		b.WriteString("escalation_policies:\n" + policies)
	}
	b.WriteString("services:\n  - id: shop\n    name: Shop\n    team: web\n")
	if shopPolicy != "" {
		b.WriteString("    escalation_policy: " + shopPolicy + "\n")
	}
	b.WriteString("    integrations: [{type: events-v2, name: Datadog, key: " + keyShop + "}]\n")
	b.WriteString(extra)
	return b.String()
}

// policy is one escalation policy with a level per user, 5 minutes each.
func policy(id string, users ...string) string {
	s := fmt.Sprintf("  - id: %s\n    name: %s\n    levels:\n", id, id)
	for _, u := range users {
		s += fmt.Sprintf("      - {targets: [{user: %s}], escalate_after_minutes: 5}\n", u)
	}
	return s
}

// apiToken creates a token with role.
func apiToken(r *rig, role hypercare.Role) (*hypercare.Token, string, error) {
	return api.CreateToken(context.Background(), r.st, r.clk, string(role), role)
}
