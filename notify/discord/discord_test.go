package discord_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/discord"
	"github.com/hypercare/hypercare/notify/internal/chattest"
)

// TestWebhookShape checks the body against Discord's webhook documentation:
// an embed with title, url and fields, links in the description, and no
// mentions parsed, with alert Markdown escaped.
func TestWebhookShape(t *testing.T) {
	base, got := chattest.Receiver(t, 204, "")
	if err := discord.New(chattest.Client(), nil).Send(context.Background(),
		chattest.Message(hypercare.ContactDiscord, base+"/api/webhooks/1/tok")); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.Path != "/api/webhooks/1/tok" || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("request %s %v", r.Path, r.Header)
	}
	var msg struct {
		Content         string `json:"content"`
		AllowedMentions struct {
			Parse *[]string `json:"parse"`
		} `json:"allowed_mentions"`
		Embeds []struct {
			Title, URL, Description string
			Color                   int
			Fields                  []struct {
				Name, Value string
				Inline      bool
			}
		} `json:"embeds"`
	}
	if err := json.Unmarshal(r.Body, &msg); err != nil {
		t.Fatal(err)
	}
	if msg.AllowedMentions.Parse == nil || len(*msg.AllowedMentions.Parse) != 0 {
		t.Errorf("allowed_mentions.parse must be present and empty: %s", r.Body)
	}
	if len(msg.Embeds) != 1 {
		t.Fatalf("embeds: %s", r.Body)
	}
	e := msg.Embeds[0]
	if e.URL != "https://hypercare.example.com/incidents/42" || !strings.HasPrefix(e.Title, "#42 ") {
		t.Errorf("embed title %q url %q", e.Title, e.URL)
	}
	for _, s := range []string{e.Title, msg.Content} {
		if strings.Contains(s, "[click me](") || strings.Contains(s, "@everyone") || strings.Contains(s, "**bold") {
			t.Errorf("alert text not escaped: %q", s)
		}
	}
	if e.Description != "[Open incident](https://hypercare.example.com/incidents/42) · [Acknowledge](https://hypercare.example.com/act/ack-token) · [Resolve](https://hypercare.example.com/act/resolve-token)" {
		t.Errorf("description %q", e.Description)
	}
	if len(e.Fields) < 3 || e.Fields[0].Name != "Service" || e.Fields[0].Value != "Checkout" || !e.Fields[0].Inline {
		t.Errorf("fields %+v", e.Fields)
	}
}

// TestRateLimitBody checks Discord's 429 with the delay only in the JSON
// body (retry_after, seconds) is retried after that delay.
func TestRateLimitBody(t *testing.T) {
	base, _ := chattest.Receiver(t, 429, `{"message":"You are being rate limited.","retry_after":2.5,"global":false}`)
	err := discord.New(chattest.Client(), nil).Send(context.Background(), chattest.Message(hypercare.ContactDiscord, base+"/h"))
	if err == nil || notify.IsPermanent(err) || notify.RetryAfter(err) != 3*time.Second {
		t.Errorf("err %v, retry after %v; want retryable after 3s", err, notify.RetryAfter(err))
	}
}

// TestLimits checks a huge title is cut to Discord's embed limits.
func TestLimits(t *testing.T) {
	m := chattest.Message(hypercare.ContactDiscord, "https://x")
	m.Incident.Title = strings.Repeat("_*", 10000)
	msg := discord.Render(m)
	if n := len([]rune(msg.Embeds[0].Title)); n > 256 {
		t.Errorf("title %d chars", n)
	}
	if n := len([]rune(msg.Content)); n > 2000 {
		t.Errorf("content %d chars", n)
	}
}
