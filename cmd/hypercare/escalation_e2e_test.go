//go:build unix

package main

// Escalation timers against the real binary and the real clock: a level-2
// page must go out once, on time, even if the process that took level 1 is
// SIGKILLed in between and another process (a restart on the same data, or
// a second node on the same PostgreSQL schema) has to fire the timer. Pages
// reach a webhook receiver in the test, which records each one.
//
// The waits are inherent: the shortest escalation timeout a config accepts
// is one minute. The three scenarios (restart on SQLite, restart on
// PostgreSQL, two nodes) are parallel tests so the minutes overlap: with
// -parallel 3 or more the file takes a little over a minute. The default
// -parallel is GOMAXPROCS, so on a two-CPU machine one scenario waits for
// a slot and the file takes about two minutes.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare/storetest"
)

const (
	// escalateAfter is the level-1 timeout of escalationConfig.
	escalateAfter = time.Minute
	// maxLateness is how late after its due time a level-2 page may
	// arrive. The design's goal is under a second; the bound is generous
	// so a busy machine (the race detector, parallel packages) does not
	// fail the test, and the measured figure is logged.
	maxLateness = 10 * time.Second
	// firstPageLimit bounds the wait for level-1 pages after the trigger
	// (the design's goal: milliseconds).
	firstPageLimit = 15 * time.Second
	// killDelay is how long after the level-1 pages the process is killed:
	// well inside the escalation timeout, and long after the first pages'
	// outcomes are recorded.
	killDelay = 10 * time.Second
	// quietWindow is how long the receiver must stay quiet after the last
	// expected page: a duplicate (a re-sent page or a second step) would
	// come within it.
	quietWindow = 3 * time.Second
	// pagePoll is how often waits look at the receiver.
	pagePoll = 20 * time.Millisecond
)

// escalationConfig is a service whose policy pages alice at once and bob one
// minute later (then stops: repeat 0). Each user's webhook address is
// hookBase + "/" + user; tests give every process its own hookBase, so the
// path a page arrives on tells which process sent it. (Contact addresses
// live in the config, not the database, so processes sharing a database may
// differ in them.)
func escalationConfig(hookBase string) string {
	return `teams:
  - {id: ops, name: Operations}
users:
  - id: alice
    name: Alice
    contact_methods:
      - {id: alice-hook, type: webhook, address: "` + hookBase + `/alice"}
  - id: bob
    name: Bob
    contact_methods:
      - {id: bob-hook, type: webhook, address: "` + hookBase + `/bob"}
escalation_policies:
  - id: ops
    name: Operations
    levels:
      - {targets: [{user: alice}], escalate_after_minutes: 1}
      - {targets: [{user: bob}], escalate_after_minutes: 1}
services:
  - id: ` + e2eService + `
    name: Shop
    team: ops
    escalation_policy: ops
    integrations:
      - {type: events-v2, name: Monitoring, key: ` + e2eEventsKey + `}
ingest:
  rate_limit_per_minute: 0
notify:
  allow_private_networks: true
`
}

// TestEscalationSurvivesSIGKILL kills the server with SIGKILL between
// level 1 and level 2 of an escalation and restarts it on the same data:
// bob's level-2 page must arrive exactly once, no earlier than one minute
// after the trigger and within maxLateness of its due time, and alice must
// not be paged again.
func TestEscalationSurvivesSIGKILL(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, storeArgs []string) {
		t.Parallel()
		rec := newPageReceiver(t)
		srv := startServerWithConfig(t, escalationConfig(rec.URL+"/run1"), storeArgs)
		token := createToken(t, storeArgs)

		const key = "escalation-restart"
		triggered := time.Now()
		if err := postTrigger(srv.URL, key); err != nil {
			t.Fatal(err)
		}
		incidentID := srv.alertByKey(t, token, key).IncidentID
		inc := srv.incident(t, token, incidentID)

		pages := rec.waitFor(t, "alice's level-1 page", triggered.Add(firstPageLimit),
			func(p []receivedPage) bool { return len(p) >= 1 })
		alice := pages[0]
		if alice.Path != "/run1/alice" || alice.Level != 1 || alice.IncidentID != incidentID ||
			alice.IncidentNumber != inc.Number {
			t.Fatalf("first page %+v, want level 1 to /run1/alice for incident #%d (%s)", alice, inc.Number, incidentID)
		}
		t.Logf("level 1 paged alice %v after the trigger", alice.At.Sub(triggered).Round(time.Millisecond))

		time.Sleep(time.Until(alice.At.Add(killDelay))) // let time pass; nothing is awaited
		srv.kill(t)
		killed := time.Now()
		srv = startServerWithConfig(t, escalationConfig(rec.URL+"/run2"), storeArgs)
		t.Logf("killed %v after the trigger; restarted and ready in %v",
			killed.Sub(triggered).Round(time.Millisecond), time.Since(killed).Round(time.Millisecond))

		pages = rec.waitFor(t, "bob's level-2 page", triggered.Add(escalateAfter+maxLateness+20*time.Second),
			func(p []receivedPage) bool { return countLevel(p, 2) >= 1 })
		bob := pages[slices.IndexFunc(pages, func(p receivedPage) bool { return p.Level == 2 })]
		time.Sleep(quietWindow) // a duplicate would arrive now
		pages = rec.snapshot()
		want := []pageKey{{incidentID, 1, "alice"}, {incidentID, 2, "bob"}}
		for _, p := range checkPages(pages, want) {
			t.Error(p)
		}
		if bob.Path != "/run2/bob" {
			t.Errorf("bob's page arrived on %s, want /run2/bob (sent by the restarted process)", bob.Path)
		}

		// The due time is exact from the store: level 2 is due one timeout
		// after the step that paged level 1, whose pages carry that time.
		notes := notificationsOf(t, srv, token, incidentID)
		checkRecorded(t, notes, pages)
		if _, ok := notes[alice.ID]; !ok {
			t.FailNow() // checkRecorded reported it; there is no due time to measure from
		}
		due := notes[alice.ID].CreatedAt.Add(escalateAfter)
		late := bob.At.Sub(due)
		t.Logf("level 2: timer fired %v after its due time; page received %v after it (%v after the trigger)",
			notes[bob.ID].CreatedAt.Sub(due).Round(time.Millisecond), late.Round(time.Millisecond),
			bob.At.Sub(triggered).Round(time.Millisecond))
		if bob.At.Before(triggered.Add(escalateAfter)) || late < 0 {
			t.Errorf("bob paged %v after the trigger, %v before the due time %v: earlier than the policy's %v",
				bob.At.Sub(triggered), -late, due, escalateAfter)
		}
		if late > maxLateness {
			t.Errorf("bob paged %v after the due time, want at most %v", late, maxLateness)
		}
	})
}

// TestEscalationTwoNodesOneKilled runs two server processes on one
// PostgreSQL schema, triggers incidents on both, and SIGKILLs node A after
// the level-1 pages: node B must fire every level-2 timer, each page
// exactly once and on time, and no page may have gone out twice while both
// nodes' engines competed for the same rows.
func TestEscalationTwoNodesOneKilled(t *testing.T) {
	t.Parallel()
	storeArgs := []string{"--database-url", storetest.PostgresURL(t)}
	rec := newPageReceiver(t)
	nodeA := startServerWithConfig(t, escalationConfig(rec.URL+"/a"), storeArgs)
	nodeB := startServerWithConfig(t, escalationConfig(rec.URL+"/b"), storeArgs)
	token := createToken(t, storeArgs)

	// Trigger all incidents at once, alternating nodes, so both nodes'
	// engines run their steps and deliveries concurrently.
	const incidents = 20
	var (
		mu        sync.Mutex
		triggered = map[string]time.Time{} // by dedup key
		failures  []error
		wg        sync.WaitGroup
	)
	start := time.Now()
	for i := range incidents {
		node := nodeA
		if i%2 == 1 {
			node = nodeB
		}
		key := fmt.Sprintf("two-nodes-%02d", i)
		wg.Go(func() {
			at := time.Now()
			err := postTrigger(node.URL, key)
			mu.Lock()
			defer mu.Unlock()
			triggered[key] = at
			if err != nil {
				failures = append(failures, err)
			}
		})
	}
	wg.Wait()
	for _, err := range failures {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}

	alerts := nodeB.allAlerts(t, token, nil)
	if len(alerts) != incidents {
		t.Fatalf("%d alerts after %d triggers with distinct keys", len(alerts), incidents)
	}
	triggeredOf := map[string]time.Time{} // by incident ID
	var want1, want2 []pageKey
	for _, a := range alerts {
		if _, dup := triggeredOf[a.IncidentID]; dup {
			t.Fatalf("incident %s has two alerts; each trigger should open its own", a.IncidentID)
		}
		triggeredOf[a.IncidentID] = triggered[a.DedupKey]
		want1 = append(want1, pageKey{a.IncidentID, 1, "alice"})
		want2 = append(want2, pageKey{a.IncidentID, 2, "bob"})
	}

	level1 := rec.waitFor(t, fmt.Sprintf("%d level-1 pages", incidents), start.Add(firstPageLimit),
		func(p []receivedPage) bool { return len(p) >= incidents })
	lastLevel1 := start
	byNode := map[string]int{}
	for _, p := range level1 {
		lastLevel1 = maxTime(lastLevel1, p.At)
		byNode[nodeOf(p)]++
	}
	t.Logf("%d level-1 pages within %v of the first trigger; sent by node A: %d, node B: %d",
		len(level1), lastLevel1.Sub(start).Round(time.Millisecond), byNode["a"], byNode["b"])

	time.Sleep(time.Until(lastLevel1.Add(killDelay))) // let time pass; nothing is awaited
	level1 = rec.snapshot()
	for _, p := range checkPages(level1, want1) {
		t.Errorf("while both nodes ran: %s", p)
	}
	nodeA.kill(t)
	killed := time.Now()

	lastDue := start
	for _, at := range triggered {
		lastDue = maxTime(lastDue, at)
	}
	lastDue = lastDue.Add(escalateAfter)
	rec.waitFor(t, fmt.Sprintf("%d level-2 pages", incidents), lastDue.Add(maxLateness+20*time.Second),
		func(p []receivedPage) bool { return countLevel(p, 2) >= incidents })
	time.Sleep(quietWindow) // a duplicate would arrive now
	pages := rec.snapshot()
	for _, p := range checkPages(pages, append(want1, want2...)) {
		t.Error(p)
	}

	// Level 2 is due one timeout after the step that paged level 1; the
	// level-1 page's created_at is that step's time.
	var lateness []time.Duration
	for id, at := range triggeredOf {
		notes := notificationsOf(t, nodeB, token, id)
		var mine []receivedPage
		for _, p := range pages {
			if p.IncidentID == id {
				mine = append(mine, p)
			}
		}
		checkRecorded(t, notes, mine)
		var alice, bob *receivedPage
		for i := range mine {
			switch mine[i].Level {
			case 1:
				alice = &mine[i]
			case 2:
				bob = &mine[i]
			}
		}
		if alice == nil || bob == nil {
			continue // checkPages reported it
		}
		if _, ok := notes[alice.ID]; !ok {
			continue // checkRecorded reported it
		}
		if bob.At.Before(killed) || nodeOf(*bob) != "b" {
			t.Errorf("incident #%d: level-2 page on %s at %v, want it from node B after the kill at %v",
				bob.IncidentNumber, bob.Path, bob.At, killed)
		}
		due := notes[alice.ID].CreatedAt.Add(escalateAfter)
		late := bob.At.Sub(due)
		lateness = append(lateness, late)
		if bob.At.Before(at.Add(escalateAfter)) || late < 0 {
			t.Errorf("incident #%d: bob paged %v after the trigger, %v before the due time: earlier than the policy's %v",
				bob.IncidentNumber, bob.At.Sub(at), -late, escalateAfter)
		}
		if late > maxLateness {
			t.Errorf("incident #%d: bob paged %v after the due time, want at most %v", bob.IncidentNumber, late, maxLateness)
		}
	}
	if len(lateness) > 0 {
		slices.Sort(lateness)
		t.Logf("node A killed %v after the first trigger; %d level-2 pages from node B, "+
			"received after their due time by min %v, median %v, max %v",
			killed.Sub(start).Round(time.Millisecond), len(lateness), lateness[0].Round(time.Millisecond), lateness[len(lateness)/2].Round(time.Millisecond),
			lateness[len(lateness)-1].Round(time.Millisecond))
	}
}

// startServerWithConfig is startServer with the config text given: it
// starts `hypercare serve` on a free port on the store named by storeArgs,
// returns once /readyz answers 200, and stops it with SIGTERM (requiring
// exit status 0) when the test ends unless the test killed it.
func startServerWithConfig(t *testing.T, config string, storeArgs []string) *server {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "hypercare.yaml")
	if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"serve", "--config", cfg, "--listen", "127.0.0.1:0"}, storeArgs...)
	s := &server{log: newServerLog(), exited: make(chan struct{})}
	s.cmd = exec.Command(binary(t), args...)
	s.cmd.Env = childEnv()
	s.cmd.Stdout = s.log
	s.cmd.Stderr = s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start hypercare serve: %v", err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		if !s.killed {
			s.stop(t)
		}
		if t.Failed() {
			t.Logf("hypercare serve (pid %d) log:\n%s", s.cmd.Process.Pid, s.log)
		}
	})
	select {
	case <-s.log.listening:
	case <-s.exited:
		t.Fatalf("hypercare serve exited before listening: %v\n%s", s.err, s.log)
	case <-time.After(startTimeout):
		t.Fatalf("hypercare serve did not log \"listening\" within %v", startTimeout)
	}
	s.URL = "http://" + s.log.addr
	s.waitReady(t)
	return s
}

// postTrigger sends an Events API v2 trigger for key and requires the 202
// answer naming it. It is safe to call from any goroutine.
func postTrigger(baseURL, key string) error {
	body, err := json.Marshal(map[string]any{
		"routing_key": e2eEventsKey, "event_action": "trigger", "dedup_key": key,
		"payload": map[string]any{"summary": "escalation " + key, "source": "escalation-test", "severity": "critical"},
	})
	if err != nil {
		return err
	}
	resp, err := apiClient.Post(baseURL+"/v2/enqueue", "application/json", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("trigger %s: %w", key, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("trigger %s: read answer: %w", key, err)
	}
	var ans pdAnswer
	if resp.StatusCode != http.StatusAccepted || json.Unmarshal(answer, &ans) != nil || ans.DedupKey != key {
		return fmt.Errorf("trigger %s: %d %s", key, resp.StatusCode, answer)
	}
	return nil
}

// receivedPage is one webhook request as the receiver saw it.
type receivedPage struct {
	ID             string // notification ID (payload id and Idempotency-Key)
	Path           string // e.g. "/run2/bob": which process addressed it, to whom
	User           string
	Level          int
	IncidentID     string
	IncidentNumber int64
	At             time.Time // when the receiver got it
}

// nodeOf returns the first path segment of the page's address: the name of
// the process whose config addressed it.
func nodeOf(p receivedPage) string {
	node, _, _ := strings.Cut(strings.TrimPrefix(p.Path, "/"), "/")
	return node
}

// pagePayload is the part of the webhook body the tests read, declared here
// (not borrowed from package webhook) so a renamed field fails the test as
// it would fail a receiver.
type pagePayload struct {
	Type           string `json:"type"`
	ID             string `json:"id"`
	IdempotencyKey string `json:"idempotency_key"`
	Incident       struct {
		ID     string `json:"id"`
		Number int64  `json:"number"`
	} `json:"incident"`
	User struct {
		ID string `json:"id"`
	} `json:"user"`
	Level int `json:"level"`
}

// pageReceiver is an HTTP server recording every webhook page it gets.
// Malformed requests are answered 400 and reported by snapshot's callers
// through problems.
type pageReceiver struct {
	URL string

	mu       sync.Mutex
	pages    []receivedPage
	problems []string
}

// newPageReceiver starts a receiver closed when the test ends (after the
// servers started later, which are stopped first).
func newPageReceiver(t *testing.T) *pageReceiver {
	t.Helper()
	r := &pageReceiver{}
	hs := httptest.NewServer(r)
	t.Cleanup(hs.Close)
	r.URL = hs.URL
	t.Cleanup(func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, p := range r.problems {
			t.Errorf("webhook receiver: %s", p)
		}
	})
	return r
}

func (r *pageReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	at := time.Now()
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	var p pagePayload
	if err == nil {
		err = json.Unmarshal(body, &p)
	}
	problem := ""
	switch {
	case req.Method != http.MethodPost:
		problem = "method " + req.Method
	case err != nil:
		problem = fmt.Sprintf("body: %v", err)
	case p.Type != "incident.page" || p.ID == "" || p.IdempotencyKey != p.ID ||
		req.Header.Get("Idempotency-Key") != p.ID:
		problem = fmt.Sprintf("type %q, id %q, idempotency_key %q, Idempotency-Key header %q",
			p.Type, p.ID, p.IdempotencyKey, req.Header.Get("Idempotency-Key"))
	case !strings.HasSuffix(req.URL.Path, "/"+p.User.ID):
		problem = fmt.Sprintf("page for user %q on %s", p.User.ID, req.URL.Path)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if problem != "" {
		r.problems = append(r.problems, fmt.Sprintf("%s %s: %s", req.Method, req.URL.Path, problem))
		http.Error(w, problem, http.StatusBadRequest)
		return
	}
	r.pages = append(r.pages, receivedPage{ID: p.ID, Path: req.URL.Path, User: p.User.ID, Level: p.Level,
		IncidentID: p.Incident.ID, IncidentNumber: p.Incident.Number, At: at})
	w.WriteHeader(http.StatusNoContent)
}

// snapshot returns the pages received so far, in arrival order.
func (r *pageReceiver) snapshot() []receivedPage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.pages)
}

// waitFor polls until done holds for the pages received, and returns them;
// at deadline it fails the test, listing what did arrive.
func (r *pageReceiver) waitFor(t *testing.T, what string, deadline time.Time, done func([]receivedPage) bool) []receivedPage {
	t.Helper()
	for {
		pages := r.snapshot()
		if done(pages) {
			return pages
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not received by %v; received %d page(s): %+v", what, deadline.Format(time.TimeOnly), len(pages), pages)
		}
		time.Sleep(pagePoll) // poll interval, bounded by the deadline
	}
}

// pageKey is what one page is for: each escalation step pages a user once.
type pageKey struct {
	IncidentID string
	Level      int
	User       string
}

// checkPages compares the pages received with those wanted and returns
// every problem: a notification ID received more than once (a page sent
// twice), a wanted page received twice under different IDs (a step taken
// twice), a wanted page missing, and a page nobody wanted. It is a pure
// function so TestEscalationPageCheck can show each problem is caught.
func checkPages(pages []receivedPage, want []pageKey) []string {
	var problems []string
	byID := map[string]int{}
	byKey := map[pageKey][]receivedPage{}
	for _, p := range pages {
		if byID[p.ID]++; byID[p.ID] == 2 {
			problems = append(problems, fmt.Sprintf("notification %s (incident #%d, level %d, %s) received more than once",
				p.ID, p.IncidentNumber, p.Level, p.User))
		}
		k := pageKey{p.IncidentID, p.Level, p.User}
		byKey[k] = append(byKey[k], p)
	}
	wanted := map[pageKey]bool{}
	for _, k := range want {
		wanted[k] = true
		var ids []string
		for _, p := range byKey[k] {
			if !slices.Contains(ids, p.ID) {
				ids = append(ids, p.ID)
			}
		}
		switch {
		case len(ids) == 0:
			problems = append(problems, fmt.Sprintf("no level-%d page to %s for incident %s", k.Level, k.User, k.IncidentID))
		case len(ids) > 1:
			problems = append(problems, fmt.Sprintf("level-%d page to %s for incident %s made %d times: %v",
				k.Level, k.User, k.IncidentID, len(ids), ids))
		}
	}
	for _, p := range pages {
		if !wanted[pageKey{p.IncidentID, p.Level, p.User}] {
			problems = append(problems, fmt.Sprintf("unexpected page %s to %s (incident %s, level %d) on %s",
				p.ID, p.User, p.IncidentID, p.Level, p.Path))
		}
	}
	return problems
}

// apiNotification is the public REST form of a page, declared here for the
// same reason as apiIncident.
type apiNotification struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Level     int       `json:"level"`
	Status    string    `json:"status"`
	Attempts  int       `json:"attempts"`
	CreatedAt time.Time `json:"created_at"`
}

// notificationsOf returns GET /api/v1/incidents/{id}/notifications by ID.
func notificationsOf(t *testing.T, s *server, token, incidentID string) map[string]apiNotification {
	t.Helper()
	var out struct {
		Notifications []apiNotification `json:"notifications"`
	}
	s.getJSON(t, token, "/api/v1/incidents/"+url.PathEscape(incidentID)+"/notifications", &out)
	byID := map[string]apiNotification{}
	for _, n := range out.Notifications {
		byID[n.ID] = n
	}
	return byID
}

// checkRecorded requires the store to hold exactly the pages received for
// an incident, each sent on its first attempt: a second claim of a row (two
// nodes, or a restart re-running a send) would count a second attempt even
// if the receiver had deduplicated it.
func checkRecorded(t *testing.T, notes map[string]apiNotification, received []receivedPage) {
	t.Helper()
	ids := map[string]receivedPage{}
	for _, p := range received {
		ids[p.ID] = p
	}
	if len(notes) != len(ids) {
		t.Errorf("store has %d notifications, receiver got %d distinct pages: %+v", len(notes), len(ids), notes)
	}
	for id, p := range ids {
		n, ok := notes[id]
		switch {
		case !ok:
			t.Errorf("page %s received but not in the store", id)
		case n.Status != "sent" || n.Attempts != 1 || n.UserID != p.User || n.Level != p.Level:
			t.Errorf("page %s stored as %+v, want sent on attempt 1 to %s at level %d", id, n, p.User, p.Level)
		}
	}
}

// countLevel returns how many of pages are for level.
func countLevel(pages []receivedPage, level int) int {
	n := 0
	for _, p := range pages {
		if p.Level == level {
			n++
		}
	}
	return n
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// TestEscalationPageCheck shows checkPages catches each way paging can go
// wrong, and passes a clean set.
func TestEscalationPageCheck(t *testing.T) {
	want := []pageKey{{"i1", 1, "alice"}, {"i1", 2, "bob"}}
	alice := receivedPage{ID: "n1", IncidentID: "i1", Level: 1, User: "alice"}
	bob := receivedPage{ID: "n2", IncidentID: "i1", Level: 2, User: "bob"}
	if p := checkPages([]receivedPage{alice, bob}, want); len(p) != 0 {
		t.Errorf("clean pages reported %q", p)
	}
	again := alice
	again.ID = "n3"
	stray := receivedPage{ID: "n4", IncidentID: "i2", Level: 1, User: "alice"}
	for name, c := range map[string]struct {
		pages []receivedPage
		want  string
	}{
		"same id twice":  {[]receivedPage{alice, bob, alice}, "received more than once"},
		"step twice":     {[]receivedPage{alice, bob, again}, "made 2 times"},
		"missing":        {[]receivedPage{alice}, "no level-2 page to bob"},
		"unexpected one": {[]receivedPage{alice, bob, stray}, "unexpected page n4"},
	} {
		p := checkPages(c.pages, want)
		if len(p) != 1 || !strings.Contains(p[0], c.want) {
			t.Errorf("%s: %q, want one problem containing %q", name, p, c.want)
		}
	}
}
