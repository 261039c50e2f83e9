package teams_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/internal/chattest"
	"github.com/hypercare/hypercare/notify/teams"
)

// TestCardShape checks the workflow webhook body against Teams' documented
// shape: a message whose attachment is an Adaptive Card, with the facts,
// OpenUrl actions for the links, and escaped alert text.
func TestCardShape(t *testing.T) {
	base, got := chattest.Receiver(t, 202, "")
	s := teams.New(chattest.Client(), nil)
	if err := s.Send(context.Background(), chattest.Message(hypercare.ContactTeams, base+"/workflows/1")); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.Method != "POST" || r.Path != "/workflows/1" || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("request %s %s %v", r.Method, r.Path, r.Header)
	}
	var msg struct {
		Type        string `json:"type"`
		Attachments []struct {
			ContentType string          `json:"contentType"`
			Content     json.RawMessage `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal(r.Body, &msg); err != nil {
		t.Fatal(err)
	}
	if msg.Type != "message" || len(msg.Attachments) != 1 || msg.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" {
		t.Fatalf("envelope %s", r.Body)
	}
	var card struct {
		Type    string `json:"type"`
		Version string `json:"version"`
		Body    []struct {
			Type  string `json:"type"`
			Text  string `json:"text"`
			Facts []struct{ Title, Value string }
		} `json:"body"`
		Actions []struct{ Type, Title, URL string }
	}
	if err := json.Unmarshal(msg.Attachments[0].Content, &card); err != nil {
		t.Fatal(err)
	}
	if card.Type != "AdaptiveCard" || card.Version == "" || len(card.Body) != 2 {
		t.Fatalf("card %s", msg.Attachments[0].Content)
	}
	title := card.Body[0].Text
	if !strings.HasPrefix(title, "#42 ") || strings.Contains(title, "[click me](") || strings.Contains(title, "@everyone") {
		t.Errorf("title not escaped: %q", title)
	}
	if f := card.Body[1].Facts; len(f) < 3 || f[0] != (struct{ Title, Value string }{"Service", "Checkout"}) || f[1].Value != "high" {
		t.Errorf("facts %+v", f)
	}
	want := []string{"Open incident https://hypercare.example.com/incidents/42", "Acknowledge https://hypercare.example.com/act/ack-token",
		"Resolve https://hypercare.example.com/act/resolve-token"}
	if len(card.Actions) != 3 {
		t.Fatalf("actions %+v", card.Actions)
	}
	for i, a := range card.Actions {
		if a.Type != "Action.OpenUrl" || a.Title+" "+a.URL != want[i] {
			t.Errorf("action %d = %+v, want %s", i, a, want[i])
		}
	}
}

// TestCardWithoutLinks checks a page without links has no empty buttons.
func TestCardWithoutLinks(t *testing.T) {
	m := chattest.Message(hypercare.ContactTeams, "https://x")
	m.IncidentURL, m.AckURL, m.ResolveURL = "", "", ""
	if c := teams.Card(m); len(c.Attachments[0].Content.Actions) != 0 {
		t.Errorf("actions without links: %+v", c.Attachments[0].Content.Actions)
	}
}

// TestLegacyConnectorErrorIn200 checks the Office 365 connector contract:
// a legacy Teams incoming webhook answers HTTP 200 with a text body saying
// "Webhook message delivery failed with error: Microsoft Teams endpoint
// returned HTTP error NNN …" when the post did not reach the channel, and
// "1" (the number of messages) when it did
// (MicrosoftDocs/msteams-docs#9064, #1810, #7425). Such an answer is a
// failed page: a wrapped 429 or 5xx is retried, a wrapped 4xx fails it.
func TestLegacyConnectorErrorIn200(t *testing.T) {
	const wrapped = "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error %d " +
		"with ContextId tcid=0,server=msgapi-production-eus-azsc1-4-170,cv=deadbeef.0..."
	for _, tc := range []struct {
		status    int
		permanent bool
	}{{429, false}, {500, false}, {400, true}, {413, true}} {
		base, got := chattest.Receiver(t, 200, fmt.Sprintf(wrapped, tc.status))
		err := teams.New(chattest.Client(), nil).Send(context.Background(), chattest.Message(hypercare.ContactTeams, base+"/webhookb2/1"))
		<-got
		if err == nil {
			t.Errorf("wrapped HTTP %d: Send = nil, the page counts as delivered though Teams refused it", tc.status)
			continue
		}
		if notify.IsPermanent(err) != tc.permanent {
			t.Errorf("wrapped HTTP %d: IsPermanent = %v, want %v (%v)", tc.status, notify.IsPermanent(err), tc.permanent, err)
		}
		if strings.Contains(err.Error(), "/webhookb2/") {
			t.Errorf("error names the webhook path: %v", err)
		}
	}
	// Success answers: "1" from a connector, 202 and nothing from a workflow.
	for _, ok := range []struct {
		status int
		body   string
	}{{200, "1"}, {202, ""}, {200, ""}} {
		base, got := chattest.Receiver(t, ok.status, ok.body)
		if err := teams.New(chattest.Client(), nil).Send(context.Background(), chattest.Message(hypercare.ContactTeams, base)); err != nil {
			t.Errorf("HTTP %d %q: %v", ok.status, ok.body, err)
		}
		<-got
	}
}
