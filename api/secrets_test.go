package api_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// secrets are every integration key and secret of the test catalog: none
// may ever appear in an API answer (integration keys are routing secrets:
// whoever has one can open, acknowledge and resolve incidents).
var secrets = map[string]string{
	"checkout events-v2 key": keyCheckout,
	"search events-v2 key":   keySearch,
	"alertmanager key":       keyAlertmanager,
	"generic key":            keyGeneric,
	"grafana key":            keyGrafana,
	"grafana HMAC secret":    grafanaSecret,
}

// get fetches path with token and returns the status and raw body.
func (e *env) get(path, token string) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest("GET", e.url+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// assertNoSecret fails the test if body contains any key or secret of the
// catalog, or any of more (values a test sent, such as a signature header).
func assertNoSecret(t *testing.T, what, body string, more ...string) {
	t.Helper()
	for name, s := range secrets {
		if strings.Contains(body, s) {
			t.Errorf("%s contains the %s %q:\n%s", what, name, s, body)
		}
	}
	for _, s := range more {
		if strings.Contains(body, s) {
			t.Errorf("%s contains %q, a header value sent with an event:\n%s", what, s, body)
		}
	}
}

// sendThroughEveryEndpoint sends events through every ingest endpoint and
// integration type: v2 trigger/acknowledge/resolve, v1 trigger/resolve,
// a change event, events-v2 and the native formats at /integrations/{key}.
// It returns the Grafana signature it sent, which answers must not echo.
func sendThroughEveryEndpoint(t *testing.T, e *env) (signature string) {
	t.Helper()
	pdv2 := func(key, act, dedup string) string {
		return fmt.Sprintf(`{"routing_key":%q,"event_action":%q,"dedup_key":%q,`+
			`"payload":{"summary":"disk full","source":"web-01","severity":"critical"}}`, key, act, dedup)
	}
	v1 := func(key, act, dedup string) string {
		return fmt.Sprintf(`{"service_key":%q,"event_type":%q,"incident_key":%q,"description":"HTTP CRITICAL"}`, key, act, dedup)
	}
	grafanaBody := `{"receiver":"hypercare","status":"firing","orgId":1,"version":"1","groupKey":"{}:{}","truncatedAlerts":0,
"title":"[FIRING:1] Checkout latency","state":"alerting","message":"latency",
"alerts":[{"status":"firing","labels":{"alertname":"CheckoutLatency","severity":"critical"},
"annotations":{"summary":"p99 latency above 2s"},"startsAt":"2026-11-27T08:00:00Z","endsAt":"0001-01-01T00:00:00Z",
"generatorURL":"http://grafana/alerting/grafana/abc/view","fingerprint":"fa1afa1afa1afa1a","values":{"A":2.5},"valueString":"A=2.5"}]}`
	ts := fmt.Sprint(t0.Unix())
	mac := hmac.New(sha256.New, []byte(grafanaSecret))
	mac.Write([]byte(ts + ":" + grafanaBody))
	signature = hex.EncodeToString(mac.Sum(nil))
	grafanaHeaders := map[string]string{"X-Grafana-Alerting-Signature": signature, "X-Grafana-Alerting-Timestamp": ts}

	sends := []struct {
		name, path, body string
		header           map[string]string
		want             int
	}{
		{"v2 trigger", "/v2/enqueue", pdv2(keyCheckout, "trigger", "v2-disk"), nil, 202},
		{"v2 acknowledge", "/v2/enqueue", pdv2(keyCheckout, "acknowledge", "v2-disk"), nil, 202},
		{"v2 resolve", "/v2/enqueue", pdv2(keyCheckout, "resolve", "v2-disk"), nil, 202},
		{"v2 other service", "/v2/enqueue", pdv2(keySearch, "trigger", "v2-search"), nil, 202},
		{"v1 trigger", "/generic/2010-04-15/create_event.json", v1(keySearch, "trigger", "v1-http"), nil, 200},
		{"v1 resolve", "/generic/2010-04-15/create_event.json", v1(keySearch, "resolve", "v1-http"), nil, 200},
		{"change", "/v2/change/enqueue", fmt.Sprintf(`{"routing_key":%q,"payload":{"summary":"Deploy v2.3.1",`+
			`"source":"ci","timestamp":%q}}`, keyCheckout, t0.Format(time.RFC3339)), nil, 202},
		{"events-v2 at /integrations", "/integrations/" + keyCheckout, pdv2(keyCheckout, "trigger", "int-v2"), nil, 202},
		{"alertmanager", "/integrations/" + keyAlertmanager, amPayload("firing", "resolved"), nil, 202},
		{"generic", "/integrations/" + keyGeneric,
			`{"action":"trigger","dedup_key":"cdn-5xx","summary":"CDN edge errors","severity":"warning","source":"cdn"}`, nil, 202},
		{"grafana", "/integrations/" + keyGrafana, grafanaBody, grafanaHeaders, 202},
		// Refusals must not echo a key either.
		{"key mismatch", "/integrations/" + keyCheckout, pdv2(keySearch, "trigger", "mismatch"), nil, 400},
		{"unknown v2 key", "/v2/enqueue", pdv2(strings.Repeat("9", 32), "trigger", "nope"), nil, 400},
		{"grafana unsigned", "/integrations/" + keyGrafana, grafanaBody, nil, 401},
	}
	for _, s := range sends {
		code, raw := e.post(s.path, []byte(s.body), s.header)
		body := string(raw)
		if code != s.want {
			t.Fatalf("%s: %d, want %d: %s", s.name, code, s.want, body)
		}
		assertNoSecret(t, s.name+" answer", body, signature)
	}
	return signature
}

// TestNoIntegrationKeyInAnyAnswer: a viewer (and every other role) reads
// the event log, change events, alerts, incidents and timelines of events
// sent through every ingest endpoint, and no answer contains an integration
// key or the Grafana secret. Before the fix the event log kept each event's
// routing_key, so a viewer could read a key and then resolve incidents.
func TestNoIntegrationKeyInAnyAnswer(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		signature := sendThroughEveryEndpoint(t, e)
		var incs incidentList
		if code := e.do("GET", "/api/v1/incidents?limit=100", e.viewer, nil, &incs); code != 200 || len(incs.Incidents) < 5 {
			t.Fatalf("incidents: %d, %d incidents", code, len(incs.Incidents))
		}
		paths := []string{"/api/v1/events?limit=100", "/api/v1/change_events?limit=100", "/api/v1/alerts?limit=100",
			"/api/v1/incidents?limit=100", "/api/v1/services", "/api/v1/services/checkout", "/api/v1/services/search",
			"/api/v1/teams"}
		for _, inc := range incs.Incidents {
			for _, sub := range []string{"", "/alerts?limit=100", "/timeline?limit=100", "/notifications"} {
				paths = append(paths, "/api/v1/incidents/"+inc.ID+sub)
			}
		}
		for role, tok := range map[string]string{"viewer": e.viewer, "responder": e.responder, "admin": e.admin} {
			for _, p := range paths {
				code, body := e.get(p, tok)
				if code != 200 {
					t.Fatalf("%s GET %s: %d %s", role, p, code, body)
				}
				assertNoSecret(t, role+" GET "+p, body, signature)
			}
		}
		// The event log still says which integration each event came by.
		var events struct {
			Events []hypercare.EventRecord `json:"events"`
		}
		e.do("GET", "/api/v1/events?limit=100", e.viewer, nil, &events)
		seen := map[string]bool{}
		for _, ev := range events.Events {
			seen[ev.IntegrationID] = true
			if strings.Contains(string(ev.Payload), "routing_key") {
				t.Errorf("event %s payload still has a routing_key field: %s", ev.ID, ev.Payload)
			}
		}
		for _, id := range []string{"checkout-v2", "search-v2", "checkout-am", "checkout-gen", "checkout-graf"} {
			if !seen[id] {
				t.Errorf("no event logged for integration %s: %v", id, seen)
			}
		}
	})
}

// lockedBuffer is a log sink the server writes to from its handlers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestFailureLogNamesNoKey: when the store fails under an ingest request,
// the server logs the failure, and the log line names the route, never the
// integration key in the URL (logs are read by far more people than admins).
func TestFailureLogNamesNoKey(t *testing.T) {
	for _, eng := range storetestEngines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			opts := eng.Options(t)
			logs := &lockedBuffer{}
			e := newEnvWith(t, storetest.OpenStore(t, opts), 0, func(_ *intake.Intake, _ *clocktest.Clock, o *api.Options) {
				o.Logger = slog.New(slog.NewJSONHandler(logs, nil))
			})
			dropEventLog(t, opts)
			body := `{"action":"trigger","dedup_key":"cdn-5xx","summary":"CDN edge errors","severity":"warning","source":"cdn"}`
			code, raw := e.post("/integrations/"+keyGeneric, []byte(body), nil)
			answer := string(raw)
			if code != http.StatusInternalServerError {
				t.Fatalf("store failure answered %d, want 500: %s", code, answer)
			}
			assertNoSecret(t, "500 answer", answer)
			log := logs.String()
			if !strings.Contains(log, "request failed") || !strings.Contains(log, "/integrations/{key}") {
				t.Fatalf("failure not logged with its route:\n%s", log)
			}
			assertNoSecret(t, "server log", log)
		})
	}
}

// dropEventLog takes the events table away beneath a running store (a
// rename), so the next ingest write fails inside the store; it is back
// when the test ends, for the closing store's check of its references.
func dropEventLog(t *testing.T, opts store.Options) {
	t.Helper()
	driver, dsn := "pgx", opts.DatabaseURL
	if dsn == "" {
		driver, dsn = "sqlite", filepath.Join(opts.DataDir, "hypercare.db")
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("ALTER TABLE events RENAME TO events_gone"); err != nil {
		db.Close()
		t.Fatalf("take events away: %v", err)
	}
	t.Cleanup(func() {
		defer db.Close()
		if _, err := db.Exec("ALTER TABLE events_gone RENAME TO events"); err != nil {
			t.Errorf("put events back: %v", err)
		}
	})
}

// TestServicesShowNoKeys: integration keys are not listed with services for
// any role, admins included (the store keeps only their hash; the config
// file is where admins read them), and without a token nothing is listed.
func TestServicesShowNoKeys(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		for role, tok := range map[string]string{"viewer": e.viewer, "responder": e.responder, "admin": e.admin} {
			for _, p := range []string{"/api/v1/services", "/api/v1/services/checkout"} {
				code, body := e.get(p, tok)
				if code != http.StatusOK || !strings.Contains(body, `"checkout"`) {
					t.Fatalf("%s GET %s: %d %s", role, p, code, body)
				}
				assertNoSecret(t, role+" GET "+p, body)
			}
		}
		if code, body := e.get("/api/v1/services", "not-a-token"); code != http.StatusUnauthorized {
			t.Fatalf("services with a bad token: %d %s", code, body)
		}
	})
}
