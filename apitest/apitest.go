// Package apitest starts a real Hypercare server inside a test, for tests
// of other packages that talk to the API (the Go client, the CLI). It is
// the same wiring as `hypercare serve` (a real store, intake and api.Server
// behind real HTTP) with two test seams: a fake clock, so timestamps and
// relative times are reproducible, and a fixed catalog. A fake of the API
// would be easier to write, but every test run against it only proves the
// client agrees with the fake; this way a client test fails when the
// server's contract changes.
//
// Typical use, on both store engines:
//
//	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
//		srv := apitest.New(t, e.Open(t))
//		srv.Trigger(apitest.KeyCheckout, "p99", "Checkout latency above SLO", hypercare.SeverityCritical)
//		c := client.New(srv.URL, srv.Token(hypercare.RoleResponder))
//		…
//	})
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/readiness"
	"github.com/hypercare/hypercare/store"
)

// Start is where a new server's clock starts. It is fixed so that output
// showing absolute times can be compared with golden files; tests move the
// clock forward (Clock.Advance, Clock.Set) to place events in time.
var Start = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// The default catalog: team Team with services ServiceCheckout and
// ServiceSearch, each with one PagerDuty Events v2 integration whose
// routing key is KeyCheckout or KeySearch. The checkout integration is
// named IntegrationCheckoutName, which timeline messages quote ("Triggered
// via Datadog: …"); the search one has no name, so the server's fallback
// name shows too.
const (
	Team                    = "web"
	ServiceCheckout         = "checkout"
	ServiceSearch           = "search"
	KeyCheckout             = "0123456789abcdef0123456789abcdef"
	KeySearch               = "fedcba9876543210fedcba9876543210"
	IntegrationCheckoutName = "Datadog"
)

// Catalog is the teams, services and integrations a server is configured
// with, as `hypercare serve` takes them from its config file.
type Catalog struct {
	Teams        []hypercare.Team
	Services     []hypercare.Service
	Integrations []hypercare.Integration
}

// DefaultCatalog returns a new copy of the default catalog described at
// Team.
func DefaultCatalog() Catalog {
	return Catalog{
		Teams: []hypercare.Team{{ID: Team, Name: "Web"}},
		Services: []hypercare.Service{
			{ID: ServiceCheckout, Name: "Checkout", TeamID: Team, Active: true},
			{ID: ServiceSearch, Name: "Search", TeamID: Team, Active: true},
		},
		Integrations: []hypercare.Integration{
			{ID: "checkout-v2", ServiceID: ServiceCheckout, Type: hypercare.IntegrationEventsV2, Key: KeyCheckout,
				Name: IntegrationCheckoutName},
			{ID: "search-v2", ServiceID: ServiceSearch, Type: hypercare.IntegrationEventsV2, Key: KeySearch},
		},
	}
}

// Option changes how New configures the server.
type Option func(*options)

type options struct {
	catalog   Catalog
	dir       *escalate.Directory
	readiness *readiness.Catalog
	channels  notify.Sender
}

// WithChannels gives the server the channels test pages and verification
// codes are sent through (a notify.Registry, as `hypercare serve` has).
func WithChannels(c notify.Sender) Option { return func(o *options) { o.channels = c } }

// WithDirectory gives the server users, schedules and escalation policies
// (as a config file would), for tests of on-call endpoints and calendar
// feeds. Without it the directory is empty.
func WithDirectory(d *escalate.Directory) Option { return func(o *options) { o.dir = d } }

// WithReadiness serves the hypercare windows of c (GET /api/v1/windows…).
func WithReadiness(c *readiness.Catalog) Option { return func(o *options) { o.readiness = c } }

// WithCatalog configures the server with c instead of DefaultCatalog, for
// tests that need other services or integration types.
func WithCatalog(c Catalog) Option { return func(o *options) { o.catalog = c } }

// Server is a running in-process Hypercare server. Its methods that can
// fail end the test with t.Fatal, so call them from the test's goroutine.
type Server struct {
	// URL is the server's base URL, such as http://127.0.0.1:PORT, with no
	// trailing slash.
	URL string
	// Clock is the server's only clock: every timestamp it writes is
	// Clock.Now() at the time of the request.
	Clock *clocktest.Clock
	// Store is the store the server serves, for tests that check or seed
	// state beneath the API.
	Store *store.Store

	t    testing.TB
	http *http.Client
}

// New starts a server on st, which must be a fresh, migrated store (such as
// storetest's Engine.Open gives), with the catalog applied. New runs st's
// writers (st.Run) until the test ends, so the caller must not. When the
// test ends the HTTP server closes, waiting for requests in flight, then
// the writers stop; if the test failed, the server's log is printed.
func New(t testing.TB, st *store.Store, opts ...Option) *Server {
	t.Helper()
	o := options{catalog: DefaultCatalog()}
	for _, opt := range opts {
		opt(&o)
	}

	// Cleanups run last-registered first: the HTTP server closes, then
	// the log is printed, then the writers stop, and the store (whose
	// Close the caller registered before calling New) closes last.
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- st.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-runErr; err != nil {
			t.Errorf("apitest: store writers: %v", err)
		}
	})
	logs := &syncBuffer{}
	t.Cleanup(func() {
		if t.Failed() && logs.Len() > 0 {
			t.Logf("apitest server log:\n%s", logs.String())
		}
	})

	clk := clocktest.New(Start)
	c := o.catalog
	err := st.Write(ctx, "catalog", func(tx hypercare.Tx) error {
		return tx.ApplyCatalog(ctx, c.Teams, c.Services, c.Integrations)
	})
	if err != nil {
		t.Fatalf("apitest: apply catalog: %v", err)
	}
	in := intake.New(st, clk)
	in.SetIntegrations(c.Integrations)
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var esc *escalate.Engine
	if o.dir != nil {
		esc = escalate.New(st, clk, o.dir, log)
	}
	// The listener exists before the server, so links the server hands out
	// use its address, as `hypercare serve` does.
	hs := httptest.NewUnstartedServer(nil)
	srv := api.New(api.Options{Store: st, Clock: clk, Intake: in, Escalation: esc, Logger: log, Readiness: o.readiness,
		ListenAddr: hs.Listener.Addr().String(), Channels: o.channels})
	hs.Config.Handler = srv.Handler()
	hs.Start()
	streamCtx, stopStream := context.WithCancel(context.Background())
	streamDone := make(chan error, 1)
	go func() { streamDone <- srv.Run(streamCtx) }()
	t.Cleanup(func() { stopStream(); <-streamDone; hs.Close() })
	return &Server{URL: hs.URL, Clock: clk, Store: st, t: t, http: hs.Client()}
}

// Token creates an API token with role, named after the role ("admin",
// "responder" or "viewer", which is the actor name timeline entries show
// for actions taken with it), and returns its secret. Each call creates a
// new token.
func (s *Server) Token(role hypercare.Role) string {
	s.t.Helper()
	_, secret, err := api.CreateToken(context.Background(), s.Store, s.Clock, string(role), role)
	if err != nil {
		s.t.Fatalf("apitest: create %s token: %v", role, err)
	}
	return secret
}

// Event is a PagerDuty Events API v2 event, the body of POST /v2/enqueue.
// It is declared here, field by field, so that a renamed wire field breaks
// the tests that send it.
type Event struct {
	RoutingKey string `json:"routing_key"`
	// Action is trigger, acknowledge or resolve.
	Action   string   `json:"event_action"`
	DedupKey string   `json:"dedup_key,omitempty"`
	Payload  *Payload `json:"payload,omitempty"`
}

// Payload is a trigger event's payload.
type Payload struct {
	Summary       string         `json:"summary"`
	Source        string         `json:"source"`
	Severity      string         `json:"severity"`
	Component     string         `json:"component,omitempty"`
	Group         string         `json:"group,omitempty"`
	Class         string         `json:"class,omitempty"`
	CustomDetails map[string]any `json:"custom_details,omitempty"`
}

// EventResponse is the answer to an event.
type EventResponse struct {
	Status   string   `json:"status"`
	Message  string   `json:"message"`
	DedupKey string   `json:"dedup_key"`
	Errors   []string `json:"errors"`
}

// Send posts ev to /v2/enqueue and fails the test unless the server
// accepts it (202): an event a test meant to seed data with but which was
// refused would otherwise surface later as a puzzling assertion.
func (s *Server) Send(ev Event) EventResponse {
	s.t.Helper()
	body, err := json.Marshal(ev)
	if err != nil {
		s.t.Fatalf("apitest: encode event: %v", err)
	}
	resp, err := s.http.Post(s.URL+"/v2/enqueue", "application/json", bytes.NewReader(body))
	if err != nil {
		s.t.Fatalf("apitest: POST /v2/enqueue: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("apitest: POST /v2/enqueue: read answer: %v", err)
	}
	var out EventResponse
	if resp.StatusCode != http.StatusAccepted || json.Unmarshal(raw, &out) != nil {
		s.t.Fatalf("apitest: POST /v2/enqueue %s %q: %s %s", ev.Action, ev.DedupKey, resp.Status, raw)
	}
	return out
}

// Trigger sends a trigger event for dedupKey ("" lets the server generate
// one, returned in the answer) with source "apitest". A new dedup key opens
// an alert and an incident titled summary; a repeated one updates the open
// alert.
func (s *Server) Trigger(routingKey, dedupKey, summary string, sev hypercare.Severity) EventResponse {
	s.t.Helper()
	return s.Send(Event{RoutingKey: routingKey, Action: "trigger", DedupKey: dedupKey,
		Payload: &Payload{Summary: summary, Source: "apitest", Severity: string(sev)}})
}

// syncBuffer is a bytes.Buffer the server's handlers can log to
// concurrently.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
