package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// Routing keys of the test catalog.
const (
	keyCheckout     = "0123456789abcdef0123456789abcdef"
	keySearch       = "fedcba9876543210fedcba9876543210"
	keyAlertmanager = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	keyGeneric      = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	keyGrafana      = "cccccccccccccccccccccccccccccccc"
	grafanaSecret   = "s3cret"
)

var t0 = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

// env is a real server (real store, real HTTP) with a fake clock.
type env struct {
	t                        *testing.T
	st                       *store.Store
	clock                    *clocktest.Clock
	url                      string
	admin, responder, viewer string
	// in is the server's intake, for tests that set event rules.
	in *intake.Intake
	// stopStream ends the server's Run (the live stream), as a shutdown
	// does.
	stopStream context.CancelFunc
}

// forEachStore runs fn as a subtest on SQLite and PostgreSQL.
func forEachStore(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) { fn(t, newEnv(t, eng.Open(t), 0)) })
	}
}

func newEnv(t *testing.T, st *store.Store, ratePerMinute int) *env {
	return newEnvWith(t, st, ratePerMinute, nil)
}

// newEnvWith is newEnv with a hook to add to the intake and server options
// before the server starts (escalation, say).
func newEnvWith(t *testing.T, st *store.Store, ratePerMinute int, extend func(*intake.Intake, *clocktest.Clock, *api.Options)) *env {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	clk := clocktest.New(t0)
	teams := []hypercare.Team{{ID: "web", Name: "Web"}}
	services := []hypercare.Service{
		{ID: "checkout", Name: "Checkout", TeamID: "web", Active: true},
		{ID: "search", Name: "Search", TeamID: "web", Active: true},
	}
	integrations := []hypercare.Integration{
		{ID: "checkout-v2", ServiceID: "checkout", Type: hypercare.IntegrationEventsV2, Key: keyCheckout, Name: "Datadog"},
		{ID: "search-v2", ServiceID: "search", Type: hypercare.IntegrationEventsV2, Key: keySearch},
		{ID: "checkout-am", ServiceID: "checkout", Type: hypercare.IntegrationAlertmanager, Key: keyAlertmanager, Name: "Prometheus"},
		{ID: "checkout-gen", ServiceID: "checkout", Type: hypercare.IntegrationGeneric, Key: keyGeneric},
		{ID: "checkout-graf", ServiceID: "checkout", Type: hypercare.IntegrationGrafana, Key: keyGrafana, Secret: grafanaSecret},
	}
	err := st.Write(ctx, "catalog", func(tx hypercare.Tx) error {
		return tx.ApplyCatalog(ctx, teams, services, integrations)
	})
	if err != nil {
		t.Fatalf("apply catalog: %v", err)
	}
	in := intake.New(st, clk)
	in.SetIntegrations(integrations)
	hs := httptest.NewUnstartedServer(nil)
	opts := api.Options{
		Store: st, Clock: clk, Intake: in, RateLimitPerMinute: ratePerMinute,
		Logger:     slog.New(slog.NewJSONHandler(io.Discard, nil)),
		ListenAddr: hs.Listener.Addr().String(),
	}
	if extend != nil {
		extend(in, clk, &opts)
	}
	srv := api.New(opts)
	hs.Config.Handler = srv.Handler()
	hs.Start()
	streamCtx, stopStream := context.WithCancel(context.Background())
	streamDone := make(chan error, 1)
	go func() { streamDone <- srv.Run(streamCtx) }()
	t.Cleanup(func() { stopStream(); <-streamDone; hs.Close() })
	e := &env{t: t, st: st, clock: clk, url: hs.URL, in: in, stopStream: stopStream}
	e.admin = e.token("admin", hypercare.RoleAdmin)
	e.responder = e.token("alice", hypercare.RoleResponder)
	e.viewer = e.token("viewer", hypercare.RoleViewer)
	return e
}

func (e *env) token(name string, role hypercare.Role) string {
	_, secret, err := api.CreateToken(context.Background(), e.st, e.clock, name, role)
	if err != nil {
		e.t.Fatalf("create token: %v", err)
	}
	return secret
}

// do sends a request and decodes the JSON answer into out (if non-nil),
// returning the status code.
func (e *env) do(method, path, token string, body any, out any) int {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: %d: decode %q: %v", method, path, resp.StatusCode, raw, err)
		}
	}
	return resp.StatusCode
}

// pd is a PagerDuty Events v2 response.
type pd struct {
	Status   string   `json:"status"`
	Message  string   `json:"message"`
	DedupKey string   `json:"dedup_key"`
	Errors   []string `json:"errors"`
}

func trigger(key, dedup, summary string) map[string]any {
	ev := map[string]any{
		"routing_key": key, "event_action": "trigger",
		"payload": map[string]any{"summary": summary, "source": "web-01", "severity": "critical"},
	}
	if dedup != "" {
		ev["dedup_key"] = dedup
	}
	return ev
}

func action(key, act, dedup string) map[string]any {
	return map[string]any{"routing_key": key, "event_action": act, "dedup_key": dedup}
}

// send posts a v2 event and fails unless it is answered 202.
func (e *env) send(ev map[string]any) pd {
	e.t.Helper()
	var out pd
	if code := e.do("POST", "/v2/enqueue", "", ev, &out); code != http.StatusAccepted {
		e.t.Fatalf("enqueue: %d %+v", code, out)
	}
	return out
}

type incidentList struct {
	Incidents  []hypercare.Incident `json:"incidents"`
	NextCursor string               `json:"next_cursor"`
}

func (e *env) incidents(query string) []hypercare.Incident {
	e.t.Helper()
	var out incidentList
	if code := e.do("GET", "/api/v1/incidents"+query, e.viewer, nil, &out); code != 200 {
		e.t.Fatalf("list incidents: %d", code)
	}
	return out.Incidents
}

func (e *env) alerts(query string) []hypercare.Alert {
	e.t.Helper()
	var out struct {
		Alerts []hypercare.Alert `json:"alerts"`
	}
	if code := e.do("GET", "/api/v1/alerts"+query, e.viewer, nil, &out); code != 200 {
		e.t.Fatalf("list alerts: %d", code)
	}
	return out.Alerts
}

func (e *env) timeline(ref string) []hypercare.TimelineEntry {
	e.t.Helper()
	var out struct {
		Timeline []hypercare.TimelineEntry `json:"timeline"`
	}
	if code := e.do("GET", "/api/v1/incidents/"+ref+"/timeline?limit=100", e.viewer, nil, &out); code != 200 {
		e.t.Fatalf("timeline: %d", code)
	}
	return out.Timeline
}

// storetestEngines is storetest.Engines, for tests that build their own env.
func storetestEngines(t *testing.T) []storetest.Engine { return storetest.Engines(t) }
