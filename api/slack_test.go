package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/slack"
	"github.com/hypercare/hypercare/storetest"
)

const slackSecret = "slack-signing-secret-for-tests"

// fakeSlack is a local Slack: it takes chat.postMessage (checking the bot
// token) and answers posted to response URLs, and records both.
type fakeSlack struct {
	mu       sync.Mutex
	messages [][]byte // chat.postMessage bodies
	answers  []string // texts posted to /respond
	kinds    []string // their response_type
	// hold, when set, keeps each post to /respond waiting until it is
	// closed (or the post gives up).
	hold chan struct{}
	// answered hears of each answer recorded: the server posts it to
	// response_url after answering the press.
	answered chan struct{}
	// total counts the answers ever recorded (take does not reset it);
	// posted is broadcast at each (under mu).
	total  int
	posted *sync.Cond
}

// answerAfter waits until more than before answers were ever recorded and
// returns the newest, with its response_type.
func (f *fakeSlack) answerAfter(t *testing.T, before int) (text, kind string) {
	t.Helper()
	timeout := false
	timer := time.AfterFunc(10*time.Second, func() {
		f.mu.Lock()
		timeout = true
		f.posted.Broadcast()
		f.mu.Unlock()
	})
	defer timer.Stop()
	f.mu.Lock()
	defer f.mu.Unlock()
	for f.total <= before && !timeout {
		f.posted.Wait()
	}
	if f.total <= before {
		t.Fatal("the answer never reached response_url")
	}
	return f.answers[len(f.answers)-1], f.kinds[len(f.kinds)-1]
}

func (f *fakeSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.URL.Path == "/respond" && f.hold != nil {
		select {
		case <-f.hold:
		case <-r.Context().Done():
			return // the poster gave up: nothing recorded
		}
	}
	if r.URL.Path == "/respond" {
		defer func() { f.answered <- struct{}{} }() // after the unlock below
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.URL.Path {
	case "/api/chat.postMessage":
		if r.Header.Get("Authorization") != "Bearer xoxb-test" {
			_, _ = w.Write([]byte(`{"ok":false,"error":"invalid_auth"}`))
			return
		}
		if strings.Contains(string(body), `"channel":"C0GONE"`) {
			_, _ = w.Write([]byte(`{"ok":false,"error":"channel_not_found"}`))
			return
		}
		f.messages = append(f.messages, body)
		// A user ID lands in the DM channel; every message gets a new ts.
		_, _ = fmt.Fprintf(w, `{"ok":true,"channel":"D0ALICE","ts":"1700000000.%06d"}`, len(f.messages))
	case "/respond":
		var a struct{ Text, ResponseType string }
		_ = json.Unmarshal(body, &struct {
			Text         *string `json:"text"`
			ResponseType *string `json:"response_type"`
		}{&a.Text, &a.ResponseType})
		f.answers = append(f.answers, a.Text)
		f.kinds = append(f.kinds, a.ResponseType)
		f.total++
		f.posted.Broadcast()
		_, _ = w.Write([]byte("ok"))
	default:
		http.NotFound(w, r)
	}
}

// awaitAnswers waits for n more answers posted to response_url.
func (f *fakeSlack) awaitAnswers(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-f.answered:
		case <-time.After(10 * time.Second):
			t.Fatal("the answer never reached response_url")
		}
	}
}

func (f *fakeSlack) take() (messages [][]byte, answers, kinds []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	messages, answers, kinds = f.messages, f.answers, f.kinds
	f.messages, f.answers, f.kinds = nil, nil, nil
	return
}

// slackEnv is a server paging Alice on Slack through the fake Slack, with
// the interactions endpoint configured.
type slackEnv struct {
	*env
	slack    *fakeSlack
	slackURL string
	esc      *escalate.Engine
	delivery *notify.Engine
	// last is the last chat.postMessage body Alice got.
	last []byte
}

func newSlackEnv(t *testing.T, eng storetest.Engine) *slackEnv {
	fs := &fakeSlack{answered: make(chan struct{}, 16)}
	fs.posted = sync.NewCond(&fs.mu)
	srv := httptest.NewServer(fs)
	t.Cleanup(srv.Close)
	users := []hypercare.User{
		{ID: "alice", Name: "Alice", Role: hypercare.RoleResponder,
			ContactMethods:    []hypercare.ContactMethod{{ID: "alice-slack", Type: hypercare.ContactSlack, Address: "U0ALICE", Verified: true}},
			NotificationRules: []hypercare.NotificationRule{{ContactMethod: "alice-slack"}}},
		{ID: "bob", Name: "Bob", Role: hypercare.RoleResponder,
			ContactMethods:    []hypercare.ContactMethod{{ID: "bob-slack", Type: hypercare.ContactSlack, Address: "C0GONE", Verified: true}},
			NotificationRules: []hypercare.NotificationRule{{ContactMethod: "bob-slack"}}},
		{ID: "victor", Name: "Victor", Role: hypercare.RoleViewer,
			ContactMethods: []hypercare.ContactMethod{{ID: "victor-slack", Type: hypercare.ContactSlack, Address: "U0VICTOR"}}},
	}
	policy := hypercare.EscalationPolicy{ID: "web", Repeat: 1, Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{User: "alice"}, {User: "bob"}}, EscalateAfter: 30 * time.Minute}}}
	dir := escalate.NewDirectory(users, nil, []hypercare.EscalationPolicy{policy},
		[]hypercare.Service{{ID: "checkout", EscalationPolicy: "web"}}, nil)
	st := eng.Open(t)
	e := &slackEnv{slack: fs, slackURL: srv.URL}
	e.env = newEnvWith(t, st, 0, func(in *intake.Intake, clk *clocktest.Clock, opts *api.Options) {
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		client := notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true})
		e.esc = escalate.New(st, clk, dir, log)
		channels := notify.NewRegistry()
		channels.Register(hypercare.ContactSlack, slack.New(client,
			slack.Config{BotToken: "xoxb-test", APIURL: srv.URL + "/api", Threads: st}, clk))
		e.delivery = notify.NewEngine(st, clk, channels, func() notify.Directory { return e.esc.Directory() }, log)
		in.SetPolicies(dir.PoliciesByService(), nil)
		opts.Escalation = e.esc
		opts.SlackSigningSecret = slackSecret
		opts.Outbound = client
	})
	return e
}

// page triggers an incident, runs escalation and delivery, and returns the
// button values of the Slack message Alice got.
func (e *slackEnv) page(dedup string) (ack, resolve string) {
	e.t.Helper()
	e.send(trigger(keyCheckout, dedup, "Checkout down"))
	return e.run()
}

// run runs escalation and delivery and returns the button values of the
// one Slack message Alice got; the message itself is kept in last.
func (e *slackEnv) run() (ack, resolve string) {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.esc.RunDue(ctx); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.delivery.RunDue(ctx); err != nil {
		e.t.Fatal(err)
	}
	msgs, _, _ := e.slack.take()
	if len(msgs) != 1 {
		e.t.Fatalf("Slack got %d messages, want 1", len(msgs))
	}
	e.last = msgs[0]
	var m struct {
		Channel string
		Blocks  []struct {
			Elements []struct{ Value string }
		}
	}
	if err := json.Unmarshal(msgs[0], &m); err != nil || (m.Channel != "U0ALICE" && m.Channel != "D0ALICE") {
		e.t.Fatalf("message to %q: %v %s", m.Channel, err, msgs[0])
	}
	for _, b := range m.Blocks {
		if len(b.Elements) == 2 {
			return b.Elements[0].Value, b.Elements[1].Value
		}
	}
	e.t.Fatalf("no buttons in %s", msgs[0])
	return "", ""
}

// press posts a block_actions interaction as Slack would, signed with
// secret at the given time; it returns the status and body.
// press presses a button as Slack would and returns the HTTP status and,
// for a press answered 200, what the presser is shown: the answer posted
// to response_url, as {"response_type":…,"text":…} (the acknowledgement
// itself must carry no message, checked here; awaitAnswers still hears of
// the answer). Any other status comes with its body.
func (e *slackEnv) press(user, actionID, value, secret string, at time.Time) (int, string) {
	e.t.Helper()
	e.slack.mu.Lock()
	before := e.slack.total
	e.slack.mu.Unlock()
	code, body := e.pressRaw(user, actionID, value, secret, at, nil)
	if code != http.StatusOK {
		return code, body
	}
	if body != "" {
		e.t.Errorf("the press was acknowledged with a body %q: Slack takes no message in a block_actions acknowledgement, and the answer also went to response_url", body)
	}
	text, kind := e.slack.answerAfter(e.t, before)
	shown, _ := json.Marshal(map[string]string{"response_type": kind, "text": text})
	return code, string(shown)
}

// pressRaw presses a button as Slack would, with extra headers, and
// returns the HTTP answer as it is.
func (e *slackEnv) pressRaw(user, actionID, value, secret string, at time.Time, extra map[string]string) (int, string) {
	e.t.Helper()
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]string{"id": user, "username": "someone"},
		"response_url": e.slackURL + "/respond",
		"actions":      []map[string]string{{"action_id": actionID, "value": value, "type": "button"}},
	})
	body := url.Values{"payload": {string(payload)}}.Encode()
	ts := strconv.FormatInt(at.Unix(), 10)
	h := map[string]string{
		"Content-Type":              "application/x-www-form-urlencoded",
		"X-Slack-Request-Timestamp": ts,
		"X-Slack-Signature":         slack.Sign([]byte(secret), ts, []byte(body)),
	}
	for k, v := range extra {
		h[k] = v
	}
	code, raw := e.post("/hooks/slack/interactions", []byte(body), h)
	return code, string(raw)
}

func (e *slackEnv) status(number string) hypercare.Status {
	e.t.Helper()
	var out struct{ Incident hypercare.Incident }
	if code := e.do("GET", "/api/v1/incidents/"+number, e.viewer, nil, &out); code != 200 {
		e.t.Fatalf("get incident: %d", code)
	}
	return out.Incident.Status
}

// TestSlackButtonAcknowledgesAsTheUser pages Alice on Slack, presses the
// Acknowledge and Resolve buttons as Slack would, and checks the incident
// changed, the timeline names Alice and the channel was told; and that bad
// signatures, stale timestamps, strangers and viewers change nothing.
func TestSlackButtonAcknowledgesAsTheUser(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		e := newSlackEnv(t, eng)
		ack, resolve := e.page("slack-1")
		first := string(e.last)
		if strings.Contains(first, "thread_ts") || !strings.Contains(first, `"channel":"U0ALICE"`) {
			t.Errorf("first page is threaded or misaddressed: %s", first)
		}
		// Nobody acknowledges: the policy repeats and Alice is paged again,
		// in the first page's thread (in her DM), broadcast so it notifies.
		e.clock.Advance(30 * time.Minute)
		if again, _ := e.run(); again != ack {
			t.Errorf("repeat page buttons %q, want %q", again, ack)
		}
		if second := string(e.last); !strings.Contains(second, `"channel":"D0ALICE","thread_ts":"1700000000.000001","reply_broadcast":true`) {
			t.Errorf("repeat page not in the first page's thread: %s", second)
		}
		now := e.clock.Now()
		failed := false
		for _, en := range e.timeline("1") {
			failed = failed || en.Message == "Page to Bob via bob-slack (slack) failed after 1 attempt(s): Slack error channel_not_found"
		}
		if !failed {
			t.Errorf("a Slack configuration error is not on the timeline: %+v", e.timeline("1"))
		}

		refused := []struct {
			name, user, secret string
			at                 time.Time
		}{
			{"wrong secret", "U0ALICE", "not-the-secret", now},
			{"stale timestamp", "U0ALICE", slackSecret, now.Add(-6 * time.Minute)},
			{"future timestamp", "U0ALICE", slackSecret, now.Add(6 * time.Minute)},
		}
		for _, tc := range refused {
			code, body := e.press(tc.user, slack.ActionAcknowledge, ack, tc.secret, tc.at)
			if code != http.StatusUnauthorized || !strings.Contains(body, "unauthenticated") {
				t.Errorf("%s: %d %s, want 401", tc.name, code, body)
			}
		}
		code, rawBody := e.post("/hooks/slack/interactions", []byte("payload=%7B%7D"), nil)
		body := string(rawBody)
		if code != http.StatusUnauthorized {
			t.Errorf("unsigned: %d %s", code, body)
		}
		for who, want := range map[string]string{"U0STRANGER": "not a Hypercare user", "U0VICTOR": "role (viewer) cannot"} {
			code, body := e.press(who, slack.ActionAcknowledge, ack, slackSecret, now)
			if code != 200 || !strings.Contains(body, want) || !strings.Contains(body, `"ephemeral"`) {
				t.Errorf("%s: %d %s", who, code, body)
			}
		}
		if s := e.status("1"); s != hypercare.StatusTriggered {
			t.Fatalf("refused presses changed the incident: %s", s)
		}
		e.slack.awaitAnswers(t, 2)
		if _, answers, kinds := e.slack.take(); len(answers) != 2 || kinds[0] != "ephemeral" || kinds[1] != "ephemeral" {
			t.Errorf("refusals answered %q %q, want two ephemeral answers", answers, kinds)
		}

		code, body = e.press("U0ALICE", slack.ActionAcknowledge, ack, slackSecret, now.Add(-time.Minute))
		if code != 200 || !strings.Contains(body, "#1 acknowledged by Alice") {
			t.Fatalf("ack: %d %s", code, body)
		}
		if s := e.status("1"); s != hypercare.StatusAcknowledged {
			t.Fatalf("after ack: %s", s)
		}
		e.slack.awaitAnswers(t, 1)
		if _, answers, kinds := e.slack.take(); len(answers) != 1 || answers[0] != "#1 acknowledged by Alice" || kinds[0] != "in_channel" {
			t.Errorf("channel told %q %q", answers, kinds)
		}
		assertTimeline(t, e.timeline("1"), hypercare.TimelineAcknowledged, "Acknowledged by Alice via Slack")

		code, body = e.press("U0ALICE", slack.ActionResolve, resolve, slackSecret, now)
		if code != 200 || !strings.Contains(body, "#1 resolved by Alice") || e.status("1") != hypercare.StatusResolved {
			t.Fatalf("resolve: %d %s", code, body)
		}
		assertTimeline(t, e.timeline("1"), hypercare.TimelineResolved, "Resolved by Alice via Slack")
		code, body = e.press("U0ALICE", slack.ActionAcknowledge, ack, slackSecret, now)
		if code != 200 || !strings.Contains(body, "already resolved") || !strings.Contains(body, `"ephemeral"`) {
			t.Errorf("ack after resolve: %d %s", code, body)
		}
	})
}

func assertTimeline(t *testing.T, tl []hypercare.TimelineEntry, typ, msg string) {
	t.Helper()
	for _, en := range tl {
		if en.Type == typ {
			if en.Message != msg || en.Actor.Type != hypercare.ActorUser || en.Actor.ID != "alice" {
				t.Errorf("%s entry %q by %+v, want %q by user alice", typ, en.Message, en.Actor, msg)
			}
			return
		}
	}
	t.Errorf("no %s entry in the timeline", typ)
}

// TestSlackPressAnsweredBeforeResponseURL: Slack wants an interaction
// request answered within three seconds. The press is answered as soon as
// the action is taken; the post to response_url comes after, so a slow
// response_url cannot push the answer past Slack's limit. Here the
// response_url holds every post until the press has been answered: it
// used to be posted first, and gave up after its own 2 s with the press
// still unanswered.
func TestSlackPressAnsweredBeforeResponseURL(t *testing.T) {
	e := newSlackEnv(t, storetestEngines(t)[0])
	ack, _ := e.page("slack-1")
	e.slack.hold = make(chan struct{})
	code, body := e.pressRaw("U0ALICE", slack.ActionAcknowledge, ack, slackSecret, e.clock.Now(), nil)
	close(e.slack.hold)
	if code != http.StatusOK || body != "" {
		t.Fatalf("press: %d %q, want 200 and an empty acknowledgement", code, body)
	}
	select {
	case <-e.slack.answered:
	case <-time.After(10 * time.Second):
		t.Fatal("the answer never reached response_url: it was posted before the press was answered, and gave up")
	}
	if _, answers, _ := e.slack.take(); len(answers) != 1 || !strings.Contains(answers[0], "acknowledged by Alice") {
		t.Fatalf("response_url answers %q", answers)
	}
}
