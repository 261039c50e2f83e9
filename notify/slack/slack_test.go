package slack_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/slack"
)

var now = time.Date(2026, 11, 27, 3, 4, 5, 0, time.UTC)

// hostile is alert text trying every Slack injection: broadcast mentions,
// user mentions, a disguised link and an entity.
const hostile = "<!channel> <@U0BOSS> <https://evil.example|bank> &lt; *bold*"

func message(address string) notify.Message {
	return notify.Message{
		Notification: hypercare.Notification{ID: "01JNOTE", IncidentID: "01JINC", Type: hypercare.ContactSlack, Address: address},
		Incident: hypercare.Incident{ID: "01JINC", Number: 42, Title: hostile, Status: hypercare.StatusTriggered,
			Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityCritical, ServiceID: "checkout"},
		ServiceName: "Check<out>",
		IncidentURL: "https://hypercare.example.com/incidents/42",
		AckURL:      "https://hypercare.example.com/act/ack-token",
		ResolveURL:  "https://hypercare.example.com/act/resolve-token",
	}
}

type request struct {
	path   string
	header http.Header
	body   []byte
}

func receiver(t *testing.T, answer string) (string, chan request) {
	got := make(chan request, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- request{r.URL.Path, r.Header.Clone(), b}
		_, _ = w.Write([]byte(answer))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, got
}

func client() *http.Client {
	return notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true, Timeout: 5 * time.Second})
}

// TestPostMessageShape checks the chat.postMessage request against Slack's
// documented shape: bearer token, JSON, channel, header, fields, buttons
// carrying the incident ID, and alert text that pings and links nothing.
func TestPostMessageShape(t *testing.T) {
	base, got := receiver(t, `{"ok":true,"ts":"1.2"}`)
	s := slack.New(client(), slack.Config{BotToken: "xoxb-1-secret", APIURL: base + "/api"}, clocktest.New(now))
	if err := s.Send(context.Background(), message("C0123ABC")); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.path != "/api/chat.postMessage" || r.header.Get("Authorization") != "Bearer xoxb-1-secret" ||
		!strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("request %s %v", r.path, r.header)
	}
	var msg struct {
		Channel string `json:"channel"`
		Text    string `json:"text"`
		Blocks  []struct {
			Type string `json:"type"`
			Text *struct {
				Type, Text string
			} `json:"text"`
			Fields []struct {
				Type, Text string
			} `json:"fields"`
			Elements []struct {
				Type     string `json:"type"`
				ActionID string `json:"action_id"`
				Value    string `json:"value"`
				Text     struct{ Text string }
			} `json:"elements"`
		} `json:"blocks"`
		Metadata struct {
			EventPayload map[string]string `json:"event_payload"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(r.body, &msg); err != nil {
		t.Fatal(err)
	}
	if msg.Channel != "C0123ABC" || len(msg.Blocks) != 4 {
		t.Fatalf("channel %q, %d blocks: %s", msg.Channel, len(msg.Blocks), r.body)
	}
	// plain_text is shown literally by Slack (no mentions, no links), so
	// the header keeps the title as written.
	if b := msg.Blocks[0]; b.Type != "header" || b.Text.Type != "plain_text" || b.Text.Text != "#42 "+hostile {
		t.Errorf("header block %+v", b)
	}
	fields := msg.Blocks[1].Fields
	if len(fields) < 3 || fields[0].Text != "*Service*\nCheck&lt;out&gt;" || fields[1].Text != "*Urgency*\nhigh" ||
		fields[2].Text != "*Severity*\ncritical" {
		t.Errorf("fields %+v", fields)
	}
	if l := msg.Blocks[2].Text.Text; l != "<https://hypercare.example.com/incidents/42|Open incident #42>" {
		t.Errorf("link %q", l)
	}
	els := msg.Blocks[3].Elements
	if msg.Blocks[3].Type != "actions" || len(els) != 2 ||
		els[0].ActionID != slack.ActionAcknowledge || els[0].Value != "acknowledge:01JINC" || els[0].Text.Text != "Acknowledge" ||
		els[1].ActionID != slack.ActionResolve || els[1].Value != "resolve:01JINC" || els[1].Text.Text != "Resolve" {
		t.Errorf("buttons %+v", els)
	}
	for _, bad := range []string{"<!channel>", "<@U0BOSS>", "<https://evil", "&lt; *bold*"} {
		if strings.Contains(msg.Text, bad) {
			t.Errorf("alert text %q reached Slack unescaped: %s", bad, msg.Text)
		}
	}
	if !strings.Contains(msg.Text, "&lt;!channel&gt; &lt;@U0BOSS&gt;") || !strings.Contains(msg.Text, "&amp;lt;") {
		t.Errorf("fallback text not escaped: %q", msg.Text)
	}
	if msg.Metadata.EventPayload["notification_id"] != "01JNOTE" {
		t.Errorf("metadata %+v", msg.Metadata)
	}
}

// TestIncomingWebhookShape checks a webhook-URL address: no buttons (Slack
// refuses them there), the one-click links instead, no token sent.
func TestIncomingWebhookShape(t *testing.T) {
	base, got := receiver(t, "ok")
	s := slack.New(client(), slack.Config{BotToken: "xoxb-1-secret"}, nil)
	if err := s.Send(context.Background(), message(base+"/services/T/B/x")); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.header.Get("Authorization") != "" {
		t.Error("bot token sent to an incoming webhook")
	}
	body := string(r.body)
	if strings.Contains(body, `"actions"`) || strings.Contains(body, `"channel"`) {
		t.Errorf("webhook body has buttons or a channel: %s", body)
	}
	for _, want := range []string{"<https://hypercare.example.com/act/ack-token|Acknowledge>", "<https://hypercare.example.com/act/resolve-token|Resolve>"} {
		if !strings.Contains(strings.ReplaceAll(body, `\u003c`, "<"), strings.ReplaceAll(want, ">", `\u003e`)) {
			t.Errorf("missing link %s in %s", want, body)
		}
	}
}

// TestWebAPIErrors checks the classification of Slack's ok:false answers.
func TestWebAPIErrors(t *testing.T) {
	for _, tc := range []struct {
		code      string
		permanent bool
	}{
		{"invalid_auth", true}, {"channel_not_found", true}, {"not_in_channel", true}, {"token_revoked", true},
		{"internal_error", false}, {"service_unavailable", false}, {"ratelimited", false},
	} {
		base, _ := receiver(t, `{"ok":false,"error":"`+tc.code+`"}`)
		s := slack.New(client(), slack.Config{BotToken: "xoxb-1-secret", APIURL: base}, nil)
		err := s.Send(context.Background(), message("C0123ABC"))
		if err == nil || notify.IsPermanent(err) != tc.permanent {
			t.Errorf("%s: err %v, permanent %v, want %v", tc.code, err, notify.IsPermanent(err), tc.permanent)
		}
		if safe, detail := notify.Describe(err); safe != "Slack error "+tc.code || strings.Contains(detail, "xoxb") {
			t.Errorf("%s: reason %q detail %q", tc.code, safe, detail)
		}
	}
	base, _ := receiver(t, `<html>proxy</html>`)
	err := slack.New(client(), slack.Config{BotToken: "t", APIURL: base}, nil).Send(context.Background(), message("C0123ABC"))
	if !notify.IsPermanent(err) {
		t.Errorf("non-JSON answer: %v, want permanent", err)
	}
}

func TestCheckAddress(t *testing.T) {
	with := slack.New(nil, slack.Config{BotToken: "t"}, nil)
	without := slack.New(nil, slack.Config{}, nil)
	for _, tc := range []struct {
		addr          string
		with, noToken bool
	}{
		{"C0123ABC", true, false}, {"U0123ABC", true, false}, {"https://hooks.slack.com/services/x", true, true},
		{"#general", false, false}, {"c0123", false, false}, {"ftp://x", false, false},
	} {
		if got := with.CheckAddress(tc.addr) == nil; got != tc.with {
			t.Errorf("with token, %q ok = %v", tc.addr, got)
		}
		if got := without.CheckAddress(tc.addr) == nil; got != tc.noToken {
			t.Errorf("without token, %q ok = %v", tc.addr, got)
		}
	}
	err := without.Send(context.Background(), message("C0123ABC"))
	if !notify.IsPermanent(err) {
		t.Errorf("ID without token: %v, want permanent", err)
	}
}

func TestEscapeLimits(t *testing.T) {
	long := strings.Repeat("<", 5000)
	got := slack.Escape(long, 2000)
	if n := utf8.RuneCountInString(got); n > 2000 || !strings.HasSuffix(got, "…") || strings.Contains(got, "<") {
		t.Errorf("Escape cut to %d chars ending %q", n, got[len(got)-8:])
	}
	if strings.Contains(strings.TrimSuffix(got, "…"), "&l…") {
		t.Error("Escape split an entity")
	}
	if got := slack.Escape("a\r\nb\x00c", 100); got != "a  b c" {
		t.Errorf("control characters: %q", got)
	}
}

// FuzzEscape checks Slack escaping on any text: nothing Slack would read
// as markup survives, and the limit holds.
func FuzzEscape(f *testing.F) {
	f.Add(hostile, 40)
	f.Add("&&&<<<>>>", 7)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		limit = 1 + abs(limit)%3000
		got := slack.Escape(s, limit)
		if strings.ContainsAny(got, "<>") || utf8.RuneCountInString(got) > limit {
			t.Fatalf("Escape(%q, %d) = %q", s, limit, got)
		}
		if strings.Contains(strings.NewReplacer("&amp;", "", "&lt;", "", "&gt;", "").Replace(got), "&") {
			t.Fatalf("Escape(%q, %d) = %q leaves a bare &", s, limit, got)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -(n + 1)
	}
	return n
}
