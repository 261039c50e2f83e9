package ntfy_test

import (
	"context"
	"mime"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify/internal/chattest"
	"github.com/hypercare/hypercare/notify/ntfy"
)

// TestPublishShape checks the publish request against ntfy's documented
// headers: Title, Priority, Tags, Click, Actions and bearer auth, with the
// message as a plain-text body.
func TestPublishShape(t *testing.T) {
	base, got := chattest.Receiver(t, 200, `{"id":"abc"}`)
	if err := ntfy.New(chattest.Client(), "tk_secret", nil).Send(context.Background(),
		chattest.Message(hypercare.ContactNtfy, base+"/hypercare-alice")); err != nil {
		t.Fatal(err)
	}
	r := <-got
	h := r.Header
	if r.Path != "/hypercare-alice" || h.Get("Authorization") != "Bearer tk_secret" {
		t.Fatalf("request %s auth %q", r.Path, h.Get("Authorization"))
	}
	if h.Get("Priority") != "5" || h.Get("Tags") != "rotating_light,critical" ||
		h.Get("Click") != "https://hypercare.example.com/incidents/42" || h.Get("Markdown") != "" {
		t.Errorf("headers %v", h)
	}
	if title := h.Get("Title"); !strings.HasPrefix(title, "#42 [click me]") {
		t.Errorf("title %q", title)
	}
	// Acknowledge and Resolve are http actions (the phone POSTs the link,
	// asking for JSON); the incident opens in the browser.
	want := "http, Acknowledge, https://hypercare.example.com/act/ack-token, method=POST, headers.Accept=application/json, clear=true; " +
		"http, Resolve, https://hypercare.example.com/act/resolve-token, method=POST, headers.Accept=application/json, clear=true; " +
		"view, Open incident, https://hypercare.example.com/incidents/42, clear=true"
	if got := h.Get("Actions"); got != want {
		t.Errorf("Actions\n got %q\nwant %q", got, want)
	}
	if body := string(r.Body); !strings.HasPrefix(body, chattest.Hostile+"\nService: Checkout\n") {
		t.Errorf("body %q", body)
	}
}

// TestHeadersLowUrgencyAndUnicode checks low urgency maps to priority 3
// and a non-ASCII or multi-line title stays one RFC 2047 encoded header.
func TestHeadersLowUrgencyAndUnicode(t *testing.T) {
	m := chattest.Message(hypercare.ContactNtfy, "https://ntfy.sh/t")
	m.Incident.Urgency = hypercare.UrgencyLow
	m.Incident.Title = "Zahlung fehlgeschlagen — ü\r\nInjected: yes"
	m.AckURL = "https://h/act/a,b;c"
	h := ntfy.Headers(m)
	if h.Get("Priority") != "3" {
		t.Errorf("priority %q", h.Get("Priority"))
	}
	title, err := new(mime.WordDecoder).DecodeHeader(h.Get("Title"))
	if err != nil || title != "#42 Zahlung fehlgeschlagen — ü  Injected: yes" || strings.ContainsAny(h.Get("Title"), "\r\n") {
		t.Errorf("title %q (%q, %v)", h.Get("Title"), title, err)
	}
	if a := h.Get("Actions"); !strings.Contains(a, "https://h/act/a%2Cb%3Bc") {
		t.Errorf("action URL separators not encoded: %q", a)
	}
}

// TestBodyLimit checks the message stays within ntfy's 4096 bytes.
func TestBodyLimit(t *testing.T) {
	m := chattest.Message(hypercare.ContactNtfy, "https://ntfy.sh/t")
	m.Incident.Title = strings.Repeat("\U0001F525", 5000)
	m.ServiceName = strings.Repeat("\U0001F525", 5000)
	if n := len(ntfy.Body(m)); n > 4096 {
		t.Errorf("body %d bytes", n)
	}
}
