package mattermost_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify/internal/chattest"
	"github.com/hypercare/hypercare/notify/mattermost"
)

// TestWebhookShape checks the incoming-webhook body against Mattermost's
// documented (Slack-compatible) attachment fields, with alert text that
// neither links nor pings.
func TestWebhookShape(t *testing.T) {
	base, got := chattest.Receiver(t, 200, "ok")
	if err := mattermost.New(chattest.Client(), nil).Send(context.Background(),
		chattest.Message(hypercare.ContactMattermost, base+"/hooks/xyz")); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.Path != "/hooks/xyz" || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("request %s %v", r.Path, r.Header)
	}
	var msg struct {
		Text        string `json:"text"`
		Attachments []struct {
			Fallback, Color, Title, Text string
			TitleLink                    string `json:"title_link"`
			Fields                       []struct {
				Short        bool
				Title, Value string
			}
		} `json:"attachments"`
	}
	if err := json.Unmarshal(r.Body, &msg); err != nil {
		t.Fatal(err)
	}
	if len(msg.Attachments) != 1 {
		t.Fatalf("attachments: %s", r.Body)
	}
	a := msg.Attachments[0]
	if a.TitleLink != "https://hypercare.example.com/incidents/42" || a.Color != "#D32F2F" || !strings.HasPrefix(a.Title, "#42 ") {
		t.Errorf("attachment %+v", a)
	}
	for _, s := range []string{msg.Text, a.Title, a.Fallback} {
		for _, bad := range []string{"[click me](", "@everyone", "@channel", "<!channel>", "**bold"} {
			if strings.Contains(s, bad) {
				t.Errorf("%q reached Mattermost unescaped in %q", bad, s)
			}
		}
	}
	if a.Text != "[Acknowledge](https://hypercare.example.com/act/ack-token) · [Resolve](https://hypercare.example.com/act/resolve-token)" {
		t.Errorf("links %q", a.Text)
	}
	if len(a.Fields) < 3 || a.Fields[0].Title != "Service" || a.Fields[0].Value != "Checkout" || !a.Fields[0].Short {
		t.Errorf("fields %+v", a.Fields)
	}
}
