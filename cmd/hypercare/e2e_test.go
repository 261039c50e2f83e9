//go:build unix

package main

// This file is the harness for tests that run the real hypercare binary as
// a user would: built once per test run, started with `serve` on a free
// port with a config file, driven over HTTP, stopped with SIGTERM (and the
// exit status checked, so a graceful shutdown that fails is a test failure)
// or killed with SIGKILL on purpose. In-process tests cannot show what a
// crash does to acknowledged writes or whether the wire format survives a
// real client library; a separate process can.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hypercare/hypercare/storetest"
)

// The service and integration keys of e2eConfig.
const (
	e2eService         = "shop"
	e2eEventsKey       = "3f6c2a9e8b1d4c7fa0e5b2d9c8f1a6e4"
	e2eAlertmanagerKey = "b7e1d0c4a9f2e8d3c6b5a4f1e0d9c8b7"
)

// e2eConfig has one service with an events-v2 and an alertmanager
// integration. The rate limit is off: the durability test sends as fast as
// it can, and a 429 would hide what it wants to see.
const e2eConfig = `teams:
  - {id: ops, name: Operations}
services:
  - id: ` + e2eService + `
    name: Shop
    team: ops
    integrations:
      - {type: events-v2, name: PagerDuty clients, key: ` + e2eEventsKey + `}
      - {type: alertmanager, name: Prometheus, key: ` + e2eAlertmanagerKey + `}
ingest:
  rate_limit_per_minute: 0
`

// Generous limits: the machine may be busy compiling or running the race
// detector. They bound waits that poll; nothing sleeps a fixed time.
const (
	startTimeout = 60 * time.Second
	stopTimeout  = 45 * time.Second // above serve's 30 s shutdown grace
)

// hcBinary is the hypercare binary built for this test run.
var hcBinary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// TestMain removes the binary's directory after the run: the directory
// outlives any one test, so t.TempDir cannot own it.
func TestMain(m *testing.M) {
	code := m.Run()
	if hcBinary.dir != "" {
		_ = os.RemoveAll(hcBinary.dir)
	}
	os.Exit(code)
}

// binary builds the hypercare binary on first use, so unit tests run with
// -run do not pay for it. It is built without -race even under
// `go test -race`: the server is the system under test, not the race
// detector's subject here, and an uninstrumented build is several times
// faster to build and to run.
func binary(t testing.TB) string {
	t.Helper()
	hcBinary.once.Do(func() {
		dir, err := os.MkdirTemp("", "hypercare-e2e-")
		if err != nil {
			hcBinary.err = err
			return
		}
		hcBinary.dir = dir
		hcBinary.path = filepath.Join(dir, "hypercare")
		// The test runs in the package directory, so "." is this command.
		cmd := exec.Command("go", "build", "-o", hcBinary.path, ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			hcBinary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if hcBinary.err != nil {
		t.Fatalf("build hypercare: %v", hcBinary.err)
	}
	return hcBinary.path
}

// childEnv is the environment for the binary: ours minus HYPERCARE_*
// variables, so a HYPERCARE_DATABASE_URL in the developer's shell cannot
// turn a SQLite test into a PostgreSQL one (or point it at a real server).
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HYPERCARE_") {
			env = append(env, kv)
		}
	}
	return env
}

// forEachEngine runs test as a subtest on SQLite and on PostgreSQL, giving
// it the store flags (--data-dir or --database-url) of a fresh, empty
// database that stays the same across restarts within the subtest. The
// PostgreSQL subtest skips without HYPERCARE_TEST_DATABASE_URL, and fails
// with CI=true (storetest decides).
func forEachEngine(t *testing.T, test func(t *testing.T, storeArgs []string)) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		opts := e.Options(t)
		switch {
		case opts.DatabaseURL != "":
			test(t, []string{"--database-url", opts.DatabaseURL})
		case opts.DataDir != "":
			test(t, []string{"--data-dir", opts.DataDir})
		default:
			t.Fatalf("engine %s names no database", e.Name)
		}
	})
}

// server is one running `hypercare serve` process.
type server struct {
	URL string // http://127.0.0.1:PORT

	cmd     *exec.Cmd
	log     *serverLog
	exited  chan struct{} // closed when the process has exited
	err     error         // cmd.Wait's result, set before exited closes
	killed  bool          // SIGKILLed on purpose: no exit status to check
	stopped bool          // stop has checked the exit already
}

// startServer starts `hypercare serve` with e2eConfig on a free port on
// the store named by storeArgs, and returns once /readyz answers 200. When
// the test ends the server is stopped with SIGTERM and must exit 0 (unless
// the test killed it), and its log is printed if the test failed.
func startServer(t *testing.T, storeArgs []string) *server {
	t.Helper()
	return startServerWithConfig(t, e2eConfig, storeArgs)
}

// waitReady polls /readyz until it answers 200: "listening" is logged
// before the first request is served, and readiness is what a load
// balancer would wait for.
func (s *server) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	var last string
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			t.Fatalf("hypercare serve exited while starting: %v", s.err)
		default:
		}
		resp, err := probeClient.Get(s.URL + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(20 * time.Millisecond) // poll interval, bounded by the deadline
	}
	t.Fatalf("/readyz not 200 within %v: last %s", startTimeout, last)
}

// stop sends SIGTERM and requires a graceful shutdown: exit status 0 and
// the "stopped" log line, within stopTimeout. It is idempotent.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if s.stopped {
		return
	}
	s.stopped = true
	select {
	case <-s.exited:
	default:
		if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Errorf("SIGTERM: %v", err)
		}
		select {
		case <-s.exited:
		case <-time.After(stopTimeout):
			_ = s.cmd.Process.Kill()
			<-s.exited
			t.Errorf("hypercare serve did not stop within %v of SIGTERM; killed", stopTimeout)
			return
		}
	}
	if s.err != nil {
		t.Errorf("hypercare serve after SIGTERM: %v (want exit status 0)", s.err)
	} else if !s.log.contains(`"msg":"stopped"`) {
		t.Errorf("hypercare serve exited 0 without logging \"stopped\"")
	}
}

// kill sends SIGKILL, a crash the process cannot react to, and waits until
// it is gone.
func (s *server) kill(t *testing.T) {
	t.Helper()
	s.killed = true
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("SIGKILL: %v", err)
	}
	select {
	case <-s.exited:
	case <-time.After(stopTimeout):
		t.Fatalf("hypercare serve still running %v after SIGKILL", stopTimeout)
	}
	var ee *exec.ExitError
	if !errors.As(s.err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Errorf("hypercare serve after SIGKILL: %v (want killed by SIGKILL)", s.err)
	}
}

// serverLog collects the server's output (JSON lines on stderr) for
// failure messages and finds the "listening" line's address.
type serverLog struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	scanned   int // bytes of buf already looked at for the listening line
	addr      string
	listening chan struct{} // closed once addr is set
}

func newServerLog() *serverLog { return &serverLog{listening: make(chan struct{})} }

func (l *serverLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	for l.addr == "" {
		rest := l.buf.Bytes()[l.scanned:]
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		l.scanned += i + 1
		var line struct{ Msg, Addr string }
		if json.Unmarshal(rest[:i], &line) == nil && line.Msg == "listening" && line.Addr != "" {
			l.addr = line.Addr
			close(l.listening)
		}
	}
	return len(p), nil
}

func (l *serverLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *serverLog) contains(s string) bool { return strings.Contains(l.String(), s) }

// createToken runs `hypercare token create` on the store, as an operator
// would, and returns the admin token it prints.
func createToken(t *testing.T, storeArgs []string) string {
	t.Helper()
	args := append([]string{"token", "create", "--name", "e2e-" + t.Name(), "--role", "admin"}, storeArgs...)
	cmd := exec.Command(binary(t), args...)
	cmd.Env = childEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("hypercare token create: %v\n%s", err, stderr.String())
	}
	tok := strings.TrimSpace(stdout.String())
	if tok == "" || strings.ContainsAny(tok, " \n") {
		t.Fatalf("hypercare token create printed %q, want one token", stdout.String())
	}
	return tok
}

// apiClient is for the REST API and one-off ingest calls; the load in the
// durability test has its own transport.
var apiClient = &http.Client{Timeout: 30 * time.Second}

// probeClient polls /readyz. Its short timeout turns a readiness check that
// hangs (as it once did on SQLite) into a clear failure instead of a long
// wait per attempt.
var probeClient = &http.Client{Timeout: 5 * time.Second}

// post sends a JSON body and returns the status and the response body.
func (s *server) post(t *testing.T, path string, body any) (int, []byte) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := apiClient.Post(s.URL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST %s: read body: %v", path, err)
	}
	return resp.StatusCode, out
}

// get calls the REST API with token ("" for none) and returns the status
// and body.
func (s *server) get(t *testing.T, token, path string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := apiClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", path, err)
	}
	return resp.StatusCode, body
}

// getJSON calls the REST API, requires 200 and decodes the body into out.
func (s *server) getJSON(t *testing.T, token, path string, out any) {
	t.Helper()
	status, body := s.get(t, token, path)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, body)
	}
}

// apiAlert and apiIncident are the public REST fields the tests read,
// declared here rather than borrowed from package hypercare so a renamed
// JSON field breaks these tests as it would break API users.
type apiAlert struct {
	ID         string `json:"id"`
	ServiceID  string `json:"service_id"`
	IncidentID string `json:"incident_id"`
	DedupKey   string `json:"dedup_key"`
	Status     string `json:"status"`
	Summary    string `json:"summary"`
	Severity   string `json:"severity"`
	Source     string `json:"source"`
	EventCount int64  `json:"event_count"`
}

type apiIncident struct {
	ID         string `json:"id"`
	Number     int64  `json:"number"`
	Title      string `json:"title"`
	Status     string `json:"status"`
	ServiceID  string `json:"service_id"`
	AlertCount int64  `json:"alert_count"`
}

// maxPages stops a cursor walk that never ends (a cursor bug) from hanging
// the test: no test here stores more than this many pages of 100.
const maxPages = 10_000

// allAlerts walks GET /api/v1/alerts?QUERY page by page (limit=100).
func (s *server) allAlerts(t *testing.T, token string, query url.Values) []apiAlert {
	t.Helper()
	var all []apiAlert
	walkPages(t, func(cursor string) string {
		q := url.Values{"limit": {"100"}}
		for k, v := range query {
			q[k] = v
		}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Alerts     []apiAlert `json:"alerts"`
			NextCursor string     `json:"next_cursor"`
		}
		s.getJSON(t, token, "/api/v1/alerts?"+q.Encode(), &page)
		all = append(all, page.Alerts...)
		return page.NextCursor
	})
	return all
}

// allIncidents walks GET /api/v1/incidents page by page (limit=100).
func (s *server) allIncidents(t *testing.T, token string) []apiIncident {
	t.Helper()
	var all []apiIncident
	walkPages(t, func(cursor string) string {
		q := url.Values{"limit": {"100"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Incidents  []apiIncident `json:"incidents"`
			NextCursor string        `json:"next_cursor"`
		}
		s.getJSON(t, token, "/api/v1/incidents?"+q.Encode(), &page)
		all = append(all, page.Incidents...)
		return page.NextCursor
	})
	return all
}

// walkPages calls page with "" and then each returned cursor until one is
// empty, failing on a repeated cursor (which would loop forever).
func walkPages(t *testing.T, page func(cursor string) (next string)) {
	t.Helper()
	seen := map[string]bool{}
	cursor := ""
	for range maxPages {
		cursor = page(cursor)
		if cursor == "" {
			return
		}
		if seen[cursor] {
			t.Fatalf("cursor %q returned twice", cursor)
		}
		seen[cursor] = true
	}
	t.Fatalf("more than %d pages", maxPages)
}

// alertByKey returns the only alert with dedupKey, failing unless there is
// exactly one.
func (s *server) alertByKey(t *testing.T, token, dedupKey string) apiAlert {
	t.Helper()
	alerts := s.allAlerts(t, token, url.Values{"dedup_key": {dedupKey}})
	if len(alerts) != 1 {
		t.Fatalf("alerts with dedup_key %q: %d, want 1: %+v", dedupKey, len(alerts), alerts)
	}
	return alerts[0]
}

// incident returns GET /api/v1/incidents/{id}.
func (s *server) incident(t *testing.T, token, id string) apiIncident {
	t.Helper()
	var out struct {
		Incident apiIncident `json:"incident"`
	}
	s.getJSON(t, token, "/api/v1/incidents/"+url.PathEscape(id), &out)
	return out.Incident
}

// pdAnswer is the PagerDuty Events API response envelope.
type pdAnswer struct {
	Status   string   `json:"status"`
	Message  string   `json:"message"`
	DedupKey string   `json:"dedup_key"`
	Errors   []string `json:"errors"`
}

// TestServeEndToEnd is the harness's own smoke test on each store: an event
// sent over HTTP becomes an alert and an incident visible in the REST API
// with a token made by `token create` while the server runs; SIGTERM stops
// the server with exit status 0; after a restart the data and the token are
// still there.
func TestServeEndToEnd(t *testing.T) {
	forEachEngine(t, func(t *testing.T, storeArgs []string) {
		srv := startServer(t, storeArgs)

		status, body := srv.post(t, "/v2/enqueue", map[string]any{
			"routing_key": e2eEventsKey, "event_action": "trigger", "dedup_key": "e2e-disk-full",
			"payload": map[string]any{"summary": "Disk full on db-1", "source": "db-1", "severity": "critical"},
		})
		var ans pdAnswer
		if err := json.Unmarshal(body, &ans); err != nil || status != http.StatusAccepted ||
			ans.Status != "success" || ans.DedupKey != "e2e-disk-full" {
			t.Fatalf("POST /v2/enqueue: %d %s", status, body)
		}

		token := createToken(t, storeArgs)
		if status, body := srv.get(t, "", "/api/v1/incidents"); status != http.StatusUnauthorized {
			t.Errorf("GET /api/v1/incidents without a token: %d %s, want 401", status, body)
		}
		check := func(when string) {
			t.Helper()
			a := srv.alertByKey(t, token, "e2e-disk-full")
			inc := srv.incident(t, token, a.IncidentID)
			if a.Status != "triggered" || a.Summary != "Disk full on db-1" || a.Severity != "critical" ||
				a.ServiceID != e2eService || inc.Status != "triggered" || inc.Number < 1 || inc.ServiceID != e2eService {
				t.Errorf("%s: alert %+v, incident %+v", when, a, inc)
			}
		}
		check("while running")

		srv.stop(t)
		srv = startServer(t, storeArgs)
		check("after a graceful restart")
	})
}
