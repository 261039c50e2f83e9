// Package api is Hypercare's HTTP surface: the ingest endpoints that speak
// the monitoring tools' wire formats, the JSON REST API under /api/v1 with
// bearer-token auth and roles, the OpenAPI document, and the operational
// endpoints (/healthz, /readyz, /metrics). Errors are mapped to HTTP in one
// place (respond.go).
package api

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/actlink"
	"github.com/hypercare/hypercare/readiness"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// DefaultMaxBodyBytes is the largest accepted request body (PagerDuty's
// limit): 512 KB.
const DefaultMaxBodyBytes = 512 << 10

// DefaultMaxBatchBodyBytes is the largest accepted native webhook body
// (config.DefaultMaxBatchBodyBytes): 8 MB.
const DefaultMaxBatchBodyBytes = 8 << 20

// Options configures a Server.
type Options struct {
	Store  hypercare.Store
	Clock  hypercare.Clock
	Intake *intake.Intake
	// Escalation is the escalation engine, which also holds the directory
	// of users, schedules and policies.
	Escalation *escalate.Engine
	Logger     *slog.Logger
	// RateLimitPerMinute is the per-routing-key event rate; 0 is unlimited.
	RateLimitPerMinute int
	// MaxBodyBytes caps request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxBatchBodyBytes caps native webhook bodies (/integrations/{key}),
	// which carry a whole alert group; 0 means DefaultMaxBatchBodyBytes.
	MaxBatchBodyBytes int64
	// Registry receives the server's metrics; nil makes a new one.
	Registry *prometheus.Registry
	// PublicURL is the base URL users reach the server at (behind a proxy,
	// say), used in links the server hands out (calendar feeds).
	PublicURL string
	// ListenAddr is the address the server's listener is bound to. Without
	// PublicURL, links are built from it when it is one specific address
	// (http://127.0.0.1:8080); on a wildcard address (0.0.0.0, ::) the
	// server cannot know how users reach it and refuses to mint links. The
	// request's Host header is never used: it is the client's to choose, so
	// a link built from it could point anywhere.
	ListenAddr string
	// Readiness holds the hypercare windows and what their readiness
	// reads (config and delivered channels); nil serves no windows.
	Readiness *readiness.Catalog
	// SlackSigningSecret (notify.slack.signing_secret) checks that Slack
	// button presses come from Slack; empty refuses every press.
	SlackSigningSecret string
	// Outbound is the guarded HTTP client for calls the API makes out
	// (answers to Slack); nil gets one with the guard fully on.
	Outbound *http.Client
	// TwilioAuthToken (notify.twilio.auth_token) checks that SMS replies
	// and call keypresses come from Twilio; empty refuses them all.
	TwilioAuthToken string
	// Actions verifies one-click action links (GET and POST /act/{token});
	// nil answers them 404, as a server that never sends them.
	Actions *actlink.Signer
	// UI, when set, serves the paths outside the API (the web pages);
	// /api/ paths and the API's own routes keep their JSON answers.
	UI http.Handler
	// Session, when set, makes a web session cookie a principal for GET
	// requests (the pages' live stream), with the user's role from the
	// config. Writes keep needing a bearer token: the cookie is sent by
	// the browser on its own, so it must not authorize changes here.
	Session func(*http.Request) (hypercare.Principal, bool)
	// StreamRetention is how long live-stream events stay resumable
	// (default DefaultStreamRetention); StreamKeep caps how many are kept
	// (default DefaultStreamKeep).
	StreamRetention time.Duration
	StreamKeep      int
	// Channels sends test pages and verification codes to contact
	// methods: the same registry the delivery engine pages through. nil
	// answers those endpoints 503.
	Channels notify.Sender
	// Maintenance are the config's maintenance windows, listed by
	// GET /api/v1/maintenance.
	Maintenance []correlate.Maintenance
	// Reload re-reads the config file for POST /-/reload; nil answers it
	// 409.
	Reload Reloader
	// Config, if set, returns the config in force at each request,
	// replacing Readiness and Maintenance, so a reload shows at once.
	Config func() ConfigView
}

// Server serves the HTTP API. Build it with New and use Handler.
type Server struct {
	store      hypercare.Store
	clock      hypercare.Clock
	intake     *intake.Intake
	escalation *escalate.Engine
	incidents  *incident.Service
	log        *slog.Logger
	auth       *authenticator
	limiter    *limiter
	maxBody    int64
	largeBody  largeBodies
	linkBase   string
	readiness  *readiness.Catalog
	actions    *actlink.Signer
	metrics    *metrics
	registry   *prometheus.Registry
	mux        *http.ServeMux
	// paths matches a request's path against every route regardless of
	// method, so a wrong method is answered 405 with Allow, not 404.
	paths *http.ServeMux
	// allow lists the methods of each route pattern, for the Allow header.
	allow map[string][]string
	// slackSecret checks Slack interactions; outbound answers them.
	slackSecret []byte
	outbound    *http.Client
	// broker fans the live stream out (nil when the store has no stream);
	// it runs in Run.
	broker          *broker
	streamStore     streamStore
	streamRetention time.Duration
	streamKeep      int
	// twilioToken checks Twilio callbacks.
	twilioToken string
	// channels sends test pages and verification codes.
	channels notify.Sender
	// maintenance are the config's maintenance windows.
	maintenance []correlate.Maintenance
	// reload serves POST /-/reload; config is Options.Config.
	reload Reloader
	config func() ConfigView
}

// New returns a Server for opts.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MaxBatchBodyBytes <= 0 {
		opts.MaxBatchBodyBytes = DefaultMaxBatchBodyBytes
	}
	if opts.Escalation == nil {
		opts.Escalation = escalate.New(opts.Store, opts.Clock, escalate.NewDirectory(nil, nil, nil, nil, nil), opts.Logger)
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	if opts.Outbound == nil {
		opts.Outbound = notify.NewHTTPClient(notify.NetOptions{})
	}
	s := &Server{
		store:      opts.Store,
		clock:      opts.Clock,
		intake:     opts.Intake,
		escalation: opts.Escalation,
		incidents:  &incident.Service{Store: opts.Store, Clock: opts.Clock, Policies: opts.Intake.Policy, Groupings: opts.Intake.Grouping},
		log:        opts.Logger,
		auth:       &authenticator{store: opts.Store, clock: opts.Clock, touched: map[string]time.Time{}, session: opts.Session},
		limiter:    newLimiter(opts.RateLimitPerMinute),
		maxBody:    opts.MaxBodyBytes,
		largeBody:  largeBodies{limit: max(opts.MaxBatchBodyBytes, opts.MaxBodyBytes), turns: make(chan struct{}, largeBodyTurns)},
		linkBase:   linkBase(opts.PublicURL, opts.ListenAddr),
		readiness:  opts.Readiness,
		actions:    opts.Actions,
		metrics:    newMetrics(opts.Registry, opts.Store, opts.Intake),
		registry:   opts.Registry,
		mux:        http.NewServeMux(),
		paths:      http.NewServeMux(),
		allow:      map[string][]string{},
	}
	s.slackSecret, s.outbound = []byte(opts.SlackSigningSecret), opts.Outbound
	if ss, ok := opts.Store.(streamStore); ok {
		s.streamStore = ss
		s.broker = newBroker(ss, opts.Clock, opts.Logger, streamBuffer)
		opts.Registry.MustRegister(s.broker)
		s.streamRetention, s.streamKeep = opts.StreamRetention, opts.StreamKeep
		if s.streamRetention <= 0 {
			s.streamRetention = DefaultStreamRetention
		}
		if s.streamKeep <= 0 {
			s.streamKeep = DefaultStreamKeep
		}
	}
	s.twilioToken, s.channels, s.maintenance = opts.TwilioAuthToken, opts.Channels, opts.Maintenance
	s.reload, s.config = opts.Reload, opts.Config
	for _, rt := range s.routes() {
		h := rt.handler
		if rt.role != "" {
			h = s.require(rt.role, h)
		}
		s.mux.HandleFunc(rt.method+" "+rt.pattern, h)
		s.addAllowed(rt.method, rt.pattern)
	}
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(opts.Registry, promhttp.HandlerOpts{}))
	s.addAllowed("GET", "/metrics")
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := s.paths.Handler(r); opts.UI == nil || pattern != "" || strings.HasPrefix(r.URL.Path, "/api/") {
			s.notFound(w, r)
			return
		}
		opts.UI.ServeHTTP(w, r)
	})
	return s
}

// LinkBase is the base URL of links the server hands out (see
// Options.ListenAddr), "" when it cannot know one; the delivery engine
// builds message links from it.
func (s *Server) LinkBase() string { return s.linkBase }

// Handler returns the root HTTP handler.
func (s *Server) Handler() http.Handler { return s.mux }

// route is one endpoint: the table is the single source for the mux, the
// role checks and the OpenAPI consistency test.
type route struct {
	method, pattern string
	// role is the least role allowed; "" means no token (ingest, ops).
	role    hypercare.Role
	handler http.HandlerFunc
}

func (s *Server) routes() []route {
	viewer, responder, admin := hypercare.RoleViewer, hypercare.RoleResponder, hypercare.RoleAdmin
	return []route{
		{"GET", "/healthz", "", s.healthz},
		{"GET", "/readyz", "", s.readyz},
		{"POST", "/v2/enqueue", "", s.enqueueV2},
		{"POST", "/v2/change/enqueue", "", s.changeV2},
		{"POST", "/generic/2010-04-15/create_event.json", "", s.enqueueV1},
		{"POST", "/integrations/{key}", "", s.integration},
		// A Grafana webhook contact point may be set to send with PUT.
		{"PUT", "/integrations/{key}", "", s.integration},
		{"POST", "/hooks/slack/interactions", "", s.slackInteractions},
		{"POST", "/hooks/twilio/sms", "", s.twilioSMS},
		{"POST", "/hooks/twilio/voice", "", s.twilioVoice},
		{"GET", "/api/v1/openapi.json", "", s.openAPI},
		{"GET", "/api/v1/incidents", viewer, s.listIncidents},
		{"GET", "/api/v1/incidents/{id}", viewer, s.getIncident},
		{"GET", "/api/v1/incidents/{id}/alerts", viewer, s.incidentAlerts},
		{"GET", "/api/v1/incidents/{id}/timeline", viewer, s.incidentTimeline},
		{"POST", "/api/v1/incidents/{id}/acknowledge", responder, s.acknowledge},
		{"POST", "/api/v1/incidents/{id}/resolve", responder, s.resolve},
		{"POST", "/api/v1/incidents/{id}/notes", responder, s.addNote},
		{"POST", "/api/v1/incidents/{id}/merge", responder, s.mergeIncidents},
		{"POST", "/api/v1/incidents/{id}/split", responder, s.splitIncident},
		{"POST", "/api/v1/incidents/{id}/feedback", responder, s.incidentFeedback},
		{"POST", "/api/v1/incidents/{id}/escalate", responder, s.escalateIncident},
		{"POST", "/api/v1/incidents/{id}/reassign", responder, s.reassign},
		{"GET", "/api/v1/incidents/{id}/notifications", viewer, s.incidentNotifications},
		{"GET", "/api/v1/stream", viewer, s.stream},
		{"GET", "/api/v1/alerts", viewer, s.listAlerts},
		{"GET", "/api/v1/services", viewer, s.listServices},
		{"GET", "/api/v1/services/{id}", viewer, s.getService},
		{"GET", "/api/v1/teams", viewer, s.listTeams},
		{"GET", "/api/v1/change_events", viewer, s.listChanges},
		{"GET", "/api/v1/events", viewer, s.listEvents},
		{"GET", "/api/v1/oncall", viewer, s.onCall},
		{"GET", "/api/v1/schedules", viewer, s.listSchedules},
		{"GET", "/api/v1/schedules/{id}/shifts", viewer, s.shifts},
		{"GET", "/api/v1/escalation_policies", viewer, s.listPolicies},
		{"GET", "/api/v1/users", viewer, s.listUsers},
		{"GET", "/api/v1/simulate", viewer, s.simulate},
		{"GET", "/api/v1/windows", viewer, s.listWindows},
		{"GET", "/api/v1/windows/{id}/readiness", viewer, s.windowReadiness},
		{"GET", "/api/v1/windows/{id}/summary", viewer, s.windowSummary},
		{"GET", "/api/v1/noise", viewer, s.noiseReport},
		{"GET", "/api/v1/maintenance", viewer, s.listMaintenance},
		{"GET", "/api/v1/silences", viewer, s.listSilences},
		{"POST", "/api/v1/silences", responder, s.createSilence},
		{"GET", "/api/v1/silences/{id}", viewer, s.getSilence},
		{"DELETE", "/api/v1/silences/{id}", responder, s.expireSilence},
		{"POST", "/api/v1/schedules/{id}/calendar", responder, s.createCalendarFeed("schedules")},
		{"POST", "/api/v1/users/{id}/calendar", admin, s.createCalendarFeed("users")},
		{"POST", "/api/v1/users/{id}/contact_methods/{cm}/test", admin, s.testContactMethod},
		{"POST", "/api/v1/users/{id}/contact_methods/{cm}/verification", admin, s.startVerification},
		{"POST", "/api/v1/users/{id}/contact_methods/{cm}/verification/confirm", admin, s.confirmVerification},
		{"GET", "/api/v1/calendar_feeds", responder, s.listCalendarFeeds},
		{"DELETE", "/api/v1/calendar_feeds/{id}", responder, s.revokeCalendarFeed},
		{"GET", "/calendar/{kind}/{file}", "", s.calendarFeed},
		{"GET", "/act/{token}", "", s.actConfirm},
		{"POST", "/act/{token}", "", s.act},
		{"GET", "/api/v1/tokens", admin, s.listTokens},
		{"POST", "/api/v1/tokens", admin, s.createToken},
		{"DELETE", "/api/v1/tokens/{id}", admin, s.revokeToken},
		{"POST", "/-/reload", admin, s.reloadConfig},
	}
}

// addAllowed records that pattern serves method (GET also serves HEAD, as
// the mux does).
func (s *Server) addAllowed(method, pattern string) {
	if _, seen := s.allow[pattern]; !seen {
		s.paths.Handle(pattern, http.NotFoundHandler())
	}
	s.allow[pattern] = append(s.allow[pattern], method)
	if method == http.MethodGet {
		s.allow[pattern] = append(s.allow[pattern], http.MethodHead)
	}
}

// notFound answers what no route took: 405 with Allow when the path is
// served with other methods, else 404.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.paths.Handler(r); pattern != "" {
		w.Header().Set("Allow", strings.Join(s.allow[pattern], ", "))
		s.writeError(w, r, hypercare.Errorf(hypercare.CodeMethodNotAllowed,
			"%s is not allowed on %s; allowed: %s", r.Method, pattern, strings.Join(s.allow[pattern], ", ")))
		return
	}
	s.writeError(w, r, hypercare.Errorf(hypercare.CodeNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	s.writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if err := s.store.Ping(r.Context()); err != nil {
		s.log.Warn("store not reachable", slog.Any("error", err))
		s.writeError(w, r, &hypercare.Error{Code: hypercare.CodeUnavailable, Message: "store not reachable", Err: err})
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
