// Package chattest holds what the chat channels' tests share: a page with
// hostile alert text and a loopback receiver that records what arrived.
// It is internal to notify so no production code can depend on it.
package chattest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
)

// Hostile is alert text trying Markdown and mention injection.
const Hostile = "[click me](https://evil.example) @everyone @channel <!channel> **bold** `code`"

// Message returns a high-urgency page for incident #42 to address, with a
// hostile title and all three links set.
func Message(t hypercare.ContactType, address string) notify.Message {
	return notify.Message{
		Notification: hypercare.Notification{ID: "01JNOTE", IncidentID: "01JINC", UserID: "alice", Type: t, Address: address},
		Incident: hypercare.Incident{ID: "01JINC", Number: 42, Title: Hostile, Status: hypercare.StatusTriggered,
			Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityCritical, ServiceID: "checkout",
			CreatedAt: time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)},
		ServiceName: "Checkout",
		IncidentURL: "https://hypercare.example.com/incidents/42",
		AckURL:      "https://hypercare.example.com/act/ack-token",
		ResolveURL:  "https://hypercare.example.com/act/resolve-token",
		CallToken:   "call-token",
	}
}

// Request is one request as the receiver saw it.
type Request struct {
	Method, Path string
	Header       http.Header
	Body         []byte
}

// Receiver starts a loopback server answering status and body, and
// returns its URL and the requests it gets.
func Receiver(t *testing.T, status int, body string) (string, <-chan Request) {
	t.Helper()
	got := make(chan Request, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- Request{r.Method, r.URL.Path, r.Header.Clone(), b}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, got
}

// Client is the guarded client with private networks allowed, as tests on
// loopback need.
func Client() *http.Client {
	return notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true, Timeout: 5 * time.Second})
}
