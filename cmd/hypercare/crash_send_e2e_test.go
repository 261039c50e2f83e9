//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// crashSendQuietKey is the integration key of crashSendConfig's service
// that pages nobody: its triggers are the acknowledged writes that must
// survive the kill.
const crashSendQuietKey = "9a1b2c3d4e5f60718293a4b5c6d7e8f9"

// crashSendConfig pages alice at once for the shop service; the quiet
// service has no policy, so its incidents page nobody.
func crashSendConfig(hook string) string {
	return `teams:
  - {id: ops, name: Operations}
users:
  - id: alice
    name: Alice
    contact_methods:
      - {id: alice-hook, type: webhook, address: "` + hook + `/alice"}
escalation_policies:
  - id: ops
    levels:
      - {targets: [{user: alice}], escalate_after_minutes: 30}
services:
  - id: ` + e2eService + `
    name: Shop
    team: ops
    escalation_policy: ops
    integrations:
      - {type: events-v2, name: Monitoring, key: ` + e2eEventsKey + `}
  - id: quiet
    name: Quiet
    team: ops
    integrations:
      - {type: events-v2, name: Batch, key: ` + crashSendQuietKey + `}
ingest:
  rate_limit_per_minute: 0
notify:
  allow_private_networks: true
`
}

// holdingReceiver records every page and holds the first one unanswered
// until release is closed, as a provider that has the page but has not
// answered yet when the server dies.
type holdingReceiver struct {
	mu      sync.Mutex
	pages   []receivedPage
	arrived chan struct{} // closed when the first page is in
	release chan struct{} // closed to let the held request return
}

func (r *holdingReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var p pagePayload
	if err := json.NewDecoder(io.LimitReader(req.Body, 1<<20)).Decode(&p); err != nil || p.ID == "" {
		http.Error(w, "bad page", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.pages = append(r.pages, receivedPage{ID: p.ID, Path: req.URL.Path, User: p.User.ID, Level: p.Level,
		IncidentID: p.Incident.ID, IncidentNumber: p.Incident.Number, At: time.Now()})
	first := len(r.pages) == 1
	r.mu.Unlock()
	if first {
		close(r.arrived)
		<-r.release
	}
	w.WriteHeader(http.StatusNoContent)
}

func (r *holdingReceiver) snapshot() []receivedPage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]receivedPage(nil), r.pages...)
}

// TestPageInFlightSurvivesSIGKILL kills the server (SIGKILL) while a page
// is being sent (the receiver holds the request), restarts it on the same
// data directory and requires the page to be delivered again promptly,
// under the same notification ID (at least once; the receiver's
// Idempotency-Key dedupes the copy), recorded sent, and every write the
// server acknowledged before the kill (triggers answered 202, a note
// answered 201) to be there. SQLite only: one process owns a data
// directory, so the restart may take over the dead process's leases at
// once; nodes sharing PostgreSQL must wait for the lease (notify.Lease) to
// run out, which no fast test can.
func TestPageInFlightSurvivesSIGKILL(t *testing.T) {
	storeArgs := []string{"--data-dir", filepath.Join(t.TempDir(), "data")}
	rec := &holdingReceiver{arrived: make(chan struct{}), release: make(chan struct{})}
	hs := httptest.NewServer(rec)
	t.Cleanup(hs.Close)
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(rec.release) }) }
	t.Cleanup(release) // before hs.Close: the held handler must return

	srv := startServerWithConfig(t, crashSendConfig(hs.URL), storeArgs)
	token := createToken(t, storeArgs)
	start := time.Now()
	if err := postTrigger(srv.URL, "crash-send"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-rec.arrived:
	case <-time.After(firstPageLimit):
		t.Fatalf("no page within %v of the trigger", firstPageLimit)
	}
	held := rec.snapshot()[0]

	// Acknowledged while the page is in flight: these must survive.
	var quietKeys []string
	for i := range 20 {
		key := fmt.Sprintf("crash-quiet-%02d", i)
		if err := postEvent(srv.URL, crashSendQuietKey, key); err != nil {
			t.Fatal(err)
		}
		quietKeys = append(quietKeys, key)
	}
	note := "written while the page was in flight"
	if code := srv.postJSON(t, token, "/api/v1/incidents/"+url.PathEscape(held.IncidentID)+"/notes",
		map[string]any{"message": note}); code/100 != 2 {
		t.Fatalf("add note: %d", code)
	}

	srv.kill(t)
	killed := time.Now()
	release() // the held request answers into a dead connection
	srv = startServerWithConfig(t, crashSendConfig(hs.URL), storeArgs)
	t.Logf("killed %v after the trigger; restarted and ready in %v",
		killed.Sub(start).Round(time.Millisecond), time.Since(killed).Round(time.Millisecond))

	// The page again, from the restarted process, within seconds.
	deadline := time.Now().Add(10 * time.Second)
	for len(rec.snapshot()) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the page in flight at the kill was not sent again within 10 s of the restart: %+v", rec.snapshot())
		}
		time.Sleep(pagePoll)
	}
	time.Sleep(quietWindow) // a third copy would arrive now
	pages := rec.snapshot()
	if len(pages) != 2 || pages[1].ID != held.ID || pages[1].IncidentID != held.IncidentID {
		t.Fatalf("pages after the restart: %+v, want the held page (%s) once more, same ID", pages, held.ID)
	}
	t.Logf("the page reached the receiver twice (at-least-once; same Idempotency-Key %s): before the kill, "+
		"then %v after the restart began", held.ID, pages[1].At.Sub(killed).Round(time.Millisecond))

	notes := notificationsOf(t, srv, token, held.IncidentID)
	if n, ok := notes[held.ID]; !ok || n.Status != "sent" || len(notes) != 1 {
		t.Errorf("notifications after the restart: %+v, want %s sent and no other", notes, held.ID)
	}
	for _, key := range quietKeys {
		srv.alertByKey(t, token, key) // fails unless stored once
	}
	var tl struct {
		Timeline []struct {
			Message string `json:"message"`
		} `json:"timeline"`
	}
	srv.getJSON(t, token, "/api/v1/incidents/"+url.PathEscape(held.IncidentID)+"/timeline", &tl)
	found := false
	for _, e := range tl.Timeline {
		found = found || e.Message == note
	}
	if !found {
		t.Errorf("the note acknowledged before the kill is gone: %+v", tl.Timeline)
	}
}

// postEvent sends a trigger for key through integration routingKey and
// requires its 202.
func postEvent(baseURL, routingKey, key string) error {
	body, _ := json.Marshal(map[string]any{
		"routing_key": routingKey, "event_action": "trigger", "dedup_key": key,
		"payload": map[string]any{"summary": "crash " + key, "source": "crash-test", "severity": "warning"},
	})
	resp, err := apiClient.Post(baseURL+"/v2/enqueue", "application/json", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("trigger %s: %w", key, err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil || resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("trigger %s: %d %v", key, resp.StatusCode, err)
	}
	return nil
}

// postJSON calls the REST API with token and a JSON body and returns the
// status.
func (s *server) postJSON(t *testing.T, token, path string, body any) int {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := apiClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
