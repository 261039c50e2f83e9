// Package web is Hypercare's server-rendered UI: the pages responders use
// during an incident (incidents, an incident's room, who is on call,
// services, policies, users), served by the same binary as the API. It
// calls the same services the API does (incident.Service, the escalation
// engine and its directory, the store's readers), never the API over HTTP,
// so the two cannot disagree. Pages are html/template with embedded assets
// and no inline script or style, so a strict Content-Security-Policy holds
// and alert text from monitoring tools is always shown as text.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/readiness"
)

//go:embed templates static
var assets embed.FS

// Sessions is the login state the UI keeps in the store: password hashes
// of config users and browser sessions by token hash (*store.Store).
type Sessions interface {
	PasswordHash(ctx context.Context, userID string) (string, error)
	CreateSession(ctx context.Context, tokenHash, userID string, created, expires time.Time) error
	SessionUser(ctx context.Context, tokenHash string, now time.Time) (string, error)
	DeleteSession(ctx context.Context, tokenHash string) error
}

// Options configures the UI.
type Options struct {
	Store    hypercare.Store
	Sessions Sessions
	Clock    hypercare.Clock
	// Escalation is the engine whose directory names users, schedules and
	// policies, and which escalates and reassigns.
	Escalation *escalate.Engine
	// Integrations are the config's integrations; only their ID, type and
	// name are shown (keys are secrets the store keeps only as hashes).
	Integrations []hypercare.Integration
	// Runbooks are linked from the incidents of their services.
	Runbooks []hypercare.Runbook
	// Readiness is the catalog the API's readiness reports read (windows,
	// services, directory); the UI shows the same reports from it. Nil
	// shows no windows.
	Readiness *readiness.Catalog
	// Config, if set, returns the config in force at each request,
	// replacing Integrations, Runbooks and Readiness, so a config reload
	// shows at once.
	Config func() Config
	// PublicURL is the base URL users reach the server at; an https one
	// makes cookies Secure even behind a TLS-terminating proxy.
	PublicURL string
	// TrustedProxies are the reverse proxies (server.trusted_proxies)
	// whose X-Forwarded-For is believed: behind them the client is the
	// rightmost address of the header not theirs, else every user would
	// share the proxy's address in the sign-in throttle and the logs.
	// Empty: the header is ignored (a client could forge it).
	TrustedProxies []netip.Prefix
	// PasswordCost is the bcrypt work factor of the hash a sign-in as an
	// unknown user (or one without a password) is checked against, so it
	// takes as long as one with a stored password: the cost those were
	// hashed with. 0 means HashPassword's (11). Tests whose users' hashes
	// are bcrypt.MinCost set that: under the race detector a cost-11 hash
	// takes ~2 s.
	PasswordCost int
	Logger       *slog.Logger
}

// UI serves the web pages. Build it with New.
type UI struct {
	opts      Options
	incidents *incident.Service
	throttle  *throttle
	pages     map[string]*template.Template
	mux       *http.ServeMux
	secure    bool
	// zones are the users' time zones the directory did not load.
	zones zoneCache
	// dummy is compared against when the user is unknown or has no
	// password, so a wrong username takes as long as a wrong password.
	// It is made at the first such sign-in: a bcrypt hash costs as much
	// as a sign-in, which a server that nobody signs in to need not pay.
	dummy struct {
		once sync.Once
		hash []byte
	}
}

// sessionLifetime is how long a login lasts: a long on-call night, not a
// week on a shared screen.
const sessionLifetime = 12 * time.Hour

// New returns the UI for opts, with its templates parsed.
func New(opts Options) (*UI, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	u := &UI{
		opts:      opts,
		incidents: &incident.Service{Store: opts.Store, Clock: opts.Clock, Policies: policies(opts.Escalation), Groupings: groupings(opts.Escalation)},
		throttle:  newThrottle(opts.Clock),
		pages:     map[string]*template.Template{},
		mux:       http.NewServeMux(),
		secure:    strings.HasPrefix(strings.ToLower(opts.PublicURL), "https://"),
	}
	if err := u.parse(); err != nil {
		return nil, err
	}
	u.routes()
	return u, nil
}

// policies finds a service's escalation policy in the directory in force
// at each call (a config reload replaces it), so incidents the UI's
// actions open (a split-off incident, symptoms promoted by a resolve)
// page as the API's do.
func policies(esc *escalate.Engine) incident.Policies {
	if esc == nil {
		return nil
	}
	return func(serviceID string) (hypercare.EscalationPolicy, bool) { return esc.Directory().Policy(serviceID) }
}

// groupings finds a service's alert_grouping in the directory in force
// at each call, so symptoms a resolve from the UI promotes group as the
// API's do.
func groupings(esc *escalate.Engine) incident.Groupings {
	if esc == nil {
		return nil
	}
	return func(serviceID string) correlate.Grouping { return esc.Directory().Grouping(serviceID) }
}

func (u *UI) parse() error {
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return fmt.Errorf("web templates: %w", err)
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || base == "parts" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/parts.html", n)
		if err != nil {
			return fmt.Errorf("web template %s: %w", n, err)
		}
		u.pages[base] = t
	}
	return nil
}

func (u *UI) routes() {
	viewer, responder := hypercare.RoleViewer, hypercare.RoleResponder
	static, _ := fs.Sub(assets, "static")
	u.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	u.mux.HandleFunc("GET /login", u.loginPage)
	u.mux.HandleFunc("POST /login", u.login)
	u.mux.HandleFunc("POST /logout", u.logout)
	u.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/incidents", http.StatusSeeOther)
	})
	u.mux.HandleFunc("GET /incidents", u.page(viewer, u.incidentList))
	u.mux.HandleFunc("GET /incidents/rows", u.page(viewer, u.incidentRows))
	u.mux.HandleFunc("GET /incidents/{number}", u.page(viewer, u.incidentPage))
	u.mux.HandleFunc("GET /incidents/{number}/timeline", u.page(viewer, u.timelinePart))
	for _, a := range []string{"acknowledge", "resolve", "escalate", "reassign", "notes"} {
		u.mux.HandleFunc("POST /incidents/{number}/"+a, u.page(responder, u.action(a)))
	}
	for _, a := range []string{"merge", "split"} {
		u.mux.HandleFunc("POST /incidents/{number}/"+a, u.page(responder, u.regroup(a)))
	}
	u.mux.HandleFunc("GET /oncall", u.page(viewer, u.onCallPage))
	u.mux.HandleFunc("GET /services", u.page(viewer, u.servicesPage))
	u.mux.HandleFunc("GET /policies", u.page(viewer, u.policiesPage))
	u.mux.HandleFunc("GET /users", u.page(viewer, u.usersPage))
	u.mux.HandleFunc("GET /windows", u.page(viewer, u.windowsPage))
	u.mux.HandleFunc("GET /windows/{id}", u.page(viewer, u.windowPage))
}

// Handler returns the UI with its security headers on every answer.
func (u *UI) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	inner := cop.Handler(u.mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "+
			"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := readForm(w, r); err != nil {
				u.fail(w, r, &view{}, err)
				return
			}
		}
		inner.ServeHTTP(w, r)
	})
}

// maxFormBytes bounds a form body: the largest form, a 10,000-character
// note of 4-byte characters, is ~120 KB percent-encoded.
const maxFormBytes = 256 << 10

// readForm reads a request's form, at most maxFormBytes of it, before any
// handler runs: /login needs no session, and the standard library would
// otherwise hold up to 10 MB of an urlencoded body in memory and spool a
// multipart one of any size to temporary files. A larger body is
// refused (payload_too_large) without being read whole.
func readForm(w http.ResponseWriter, r *http.Request) error {
	tooLarge := hypercare.Errorf(hypercare.CodeTooLarge, "the form is larger than %d KB", maxFormBytes>>10)
	if r.ContentLength > maxFormBytes {
		return tooLarge
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	var err error
	if ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); strings.EqualFold(strings.TrimSpace(ct), "multipart/form-data") {
		err = r.ParseMultipartForm(maxFormBytes)
	} else {
		err = r.ParseForm()
	}
	// Other failures (a body cut short, a malformed query) leave the form
	// partly read, as the handlers' own PostFormValue would: a form
	// without its CSRF token is refused there.
	if big := (*http.MaxBytesError)(nil); errors.As(err, &big) {
		return tooLarge
	}
	return nil
}

// render writes page with data, or a plain 500 when rendering fails.
func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	t, ok := u.pages[page]
	if !ok {
		http.Error(w, "no such page", http.StatusInternalServerError)
		return
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout", data); err != nil {
		u.opts.Logger.Error("render page", slog.String("page", page), slog.Any("error", err))
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// part writes one named template of page alone (a fragment the live
// script swaps in).
func (u *UI) part(w http.ResponseWriter, page, name string, data any) {
	var b strings.Builder
	if err := u.pages[page].ExecuteTemplate(&b, name, data); err != nil {
		u.opts.Logger.Error("render part", slog.String("part", name), slog.Any("error", err))
		http.Error(w, "the fragment could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

// fail shows an error page whose status follows the error's code.
func (u *UI) fail(w http.ResponseWriter, r *http.Request, v *view, err error) {
	status, msg := u.describe(r, err)
	v.Title, v.Error = http.StatusText(status), msg
	u.render(w, r, status, "error", v)
}

// describe returns err's status and the message a page shows for it: the
// error's own words and the fields it names, or (for a server error,
// which it logs) a line pointing at the log.
func (u *UI) describe(r *http.Request, err error) (int, string) {
	var he *hypercare.Error
	msg := hypercare.ErrorMessage(err)
	if errors.As(err, &he) {
		for _, f := range he.Details {
			msg += "; " + f.Field + " " + f.Message
		}
	}
	status := statusOf(hypercare.ErrorCode(err))
	if status >= 500 {
		u.opts.Logger.Error("web request failed", slog.String("path", r.URL.Path), slog.Any("error", err))
		msg = "Something went wrong; the server log has the details."
	}
	return status, msg
}

// statusOf maps an error code to its HTTP status, as the API does.
func statusOf(code hypercare.Code) int {
	switch code {
	case hypercare.CodeInvalid:
		return http.StatusBadRequest
	case hypercare.CodeUnauthenticated:
		return http.StatusUnauthorized
	case hypercare.CodePermissionDenied:
		return http.StatusForbidden
	case hypercare.CodeNotFound:
		return http.StatusNotFound
	case hypercare.CodeConflict:
		return http.StatusConflict
	case hypercare.CodeRateLimited:
		return http.StatusTooManyRequests
	case hypercare.CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}
