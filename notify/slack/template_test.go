package slack_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/slack"
	"github.com/hypercare/hypercare/notify/tmpl"
)

// A Slack template's fields are escaped before it runs: alert text with
// <!channel>, a user mention or a link shows as typed; only the markup the
// template itself writes (here bold and a link to our own URL) is live.
func TestSlackTemplateEscapesAlertText(t *testing.T) {
	tp, err := tmpl.Parse("slack", "*{{.Title}}* on {{.Service}} <{{.AckURL}}|Acknowledge>")
	if err != nil {
		t.Fatal(err)
	}
	base, got := receiver(t, "ok")
	s := slack.New(client(), slack.Config{Template: tp}, nil)
	m := message(base + "/services/T/B/x")
	m.Incident.Title = "<!channel> <@U123> <https://evil.example|bank> & more"
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	body := strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(string((<-got).body), `\u003c`, "<"), `\u003e`, ">"), `\u0026`, "&")
	want := "*&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|bank&gt; &amp; more* on Check&lt;out&gt; <https://hypercare.example.com/act/ack-token|Acknowledge>"
	if !strings.Contains(body, `"text":"`+want+`"`) {
		t.Errorf("templated text missing or unescaped:\n%s", body)
	}
	// Only the header has it raw: a plain_text block, which Slack never
	// parses for mentions or links.
	if strings.Count(body, "<!channel>") != 1 || !strings.Contains(body, `"plain_text","text":"#42 <!channel>`) {
		t.Errorf("alert text pings: %s", body)
	}
}

// A Slack digest lists every incident with its own links, escaped, and
// has no buttons (a button would act on one incident only).
func TestSlackDigest(t *testing.T) {
	base, got := receiver(t, "ok")
	s := slack.New(client(), slack.Config{}, nil)
	m := message(base + "/services/T/B/x")
	m.Digest = &notify.Digest{Summary: "2 new incidents on Checkout, 2 high urgency", Items: []notify.DigestItem{
		{Number: 7, Title: "<!channel> disk", Service: "Checkout", Urgency: "high", AckURL: "https://hc.example.com/act/a7"},
		{Number: 8, Title: "cpu", Service: "Checkout", Urgency: "high", AckURL: "https://hc.example.com/act/a8"}}}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	body := strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(string((<-got).body), `\u003c`, "<"), `\u003e`, ">"), `\u0026`, "&")
	for _, want := range []string{"#7 [high] &lt;!channel&gt; disk (Checkout)  <https://hc.example.com/act/a7|Acknowledge>", "#8 [high] cpu"} {
		if !strings.Contains(body, want) {
			t.Errorf("digest lacks %q: %s", want, body)
		}
	}
	if strings.Contains(body, "<!channel>") || strings.Contains(body, `"actions"`) {
		t.Errorf("digest pings or has buttons: %s", body)
	}
}
