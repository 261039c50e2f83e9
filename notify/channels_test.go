package notify_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/discord"
	"github.com/hypercare/hypercare/notify/mattermost"
	"github.com/hypercare/hypercare/notify/ntfy"
	"github.com/hypercare/hypercare/notify/slack"
	"github.com/hypercare/hypercare/notify/teams"
	"github.com/hypercare/hypercare/notify/webhook"
)

var sentAt = time.Date(2026, 11, 27, 3, 4, 5, 0, time.UTC)

// channel is one channel under test: how to build it over a client and
// which address reaches a receiver at base.
type channel struct {
	name    string
	typ     hypercare.ContactType
	sender  func(*http.Client) notify.Sender
	address func(base string) string
	// okBody is what the provider answers on success.
	okBody string
}

// secretPath stands for the secret part of a webhook URL: no error may
// repeat it.
const secretPath = "/hooks/T000/B000/s3cretpath"

func channels() []channel {
	clk := clocktest.New(sentAt)
	hook := func(base string) string { return base + secretPath }
	return []channel{
		{"webhook", hypercare.ContactWebhook, func(c *http.Client) notify.Sender { return webhook.New(c) }, hook, ""},
		{"slack-api", hypercare.ContactSlack, func(c *http.Client) notify.Sender {
			return slack.New(c, slack.Config{BotToken: "xoxb-test-token"}, clk)
		}, nil, `{"ok":true,"channel":"C0123ABC","ts":"1.2"}`},
		{"slack-webhook", hypercare.ContactSlack, func(c *http.Client) notify.Sender {
			return slack.New(c, slack.Config{}, clk)
		}, hook, "ok"},
		{"teams", hypercare.ContactTeams, func(c *http.Client) notify.Sender { return teams.New(c, clk) }, hook, ""},
		{"discord", hypercare.ContactDiscord, func(c *http.Client) notify.Sender { return discord.New(c, clk) }, hook, ""},
		{"mattermost", hypercare.ContactMattermost, func(c *http.Client) notify.Sender { return mattermost.New(c, clk) }, hook, "ok"},
		{"ntfy", hypercare.ContactNtfy, func(c *http.Client) notify.Sender { return ntfy.New(c, "tk_test", clk) }, hook, `{"id":"x"}`},
	}
}

// sendTo sends a page over ch to a receiver answering with h.
func sendTo(t *testing.T, ch channel, timeout time.Duration, h http.HandlerFunc) error {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return send(t, ch, timeout, srv.URL)
}

func send(t *testing.T, ch channel, timeout time.Duration, base string) error {
	t.Helper()
	client := notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true, Timeout: timeout})
	s := ch.sender(client)
	addr := "C0123ABC"
	if ch.address != nil {
		addr = ch.address(base)
	} else {
		s = slack.New(client, slack.Config{BotToken: "xoxb-test-token", APIURL: base}, clocktest.New(sentAt))
	}
	m := notify.Message{
		Notification: hypercare.Notification{ID: "01JNOTE", IncidentID: "01JINC", UserID: "alice", Type: ch.typ, Address: addr},
		Incident: hypercare.Incident{ID: "01JINC", Number: 42, Title: "Checkout down", Status: hypercare.StatusTriggered,
			Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityCritical, ServiceID: "checkout"},
		ServiceName: "Checkout",
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return s.Send(ctx, m)
}

func answer(code int, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		_, _ = w.Write([]byte(`{"message":"nope"}`))
	}
}

// TestChannelFailureInjection drives every channel into the failures a
// provider can cause and checks the delivery engine would do the right
// thing: retry 5xx, retry 429 after the provider's Retry-After, give up at
// once on 400/404, retry a hung or refused connection (bounded by the
// per-attempt timeout), and never put the secret URL in the error.
func TestChannelFailureInjection(t *testing.T) {
	for _, ch := range channels() {
		t.Run(ch.name, func(t *testing.T) {
			ok := func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				_, _ = w.Write([]byte(ch.okBody))
			}
			if err := sendTo(t, ch, 5*time.Second, ok); err != nil {
				t.Fatalf("accepted page: %v", err)
			}
			cases := []struct {
				name       string
				h          http.HandlerFunc
				permanent  bool
				retryAfter time.Duration
			}{
				{"500", answer(500), false, 0},
				{"503", answer(503), false, 0},
				{"429 Retry-After", answer(429, "Retry-After", "7"), false, 7 * time.Second},
				{"400", answer(400), true, 0},
				{"401", answer(401), true, 0},
				{"404", answer(404), true, 0},
			}
			for _, tc := range cases {
				err := sendTo(t, ch, 5*time.Second, tc.h)
				if err == nil {
					t.Errorf("%s: no error", tc.name)
					continue
				}
				if got := notify.IsPermanent(err); got != tc.permanent {
					t.Errorf("%s: IsPermanent = %v, want %v (%v)", tc.name, got, tc.permanent, err)
				}
				if got := notify.RetryAfter(err); got != tc.retryAfter {
					t.Errorf("%s: RetryAfter = %v, want %v", tc.name, got, tc.retryAfter)
				}
				if strings.Contains(err.Error(), "s3cretpath") {
					t.Errorf("%s: error repeats the secret URL: %v", tc.name, err)
				}
			}

			hang := make(chan struct{})
			defer close(hang)
			err := sendTo(t, ch, 200*time.Millisecond, func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-hang:
				case <-r.Context().Done():
				}
			})
			if err == nil || notify.IsPermanent(err) {
				t.Errorf("hung receiver: err = %v, want a retryable timeout", err)
			}
			if safe, _ := notify.Describe(err); safe != "timeout" {
				t.Errorf("hung receiver: reason %q, want timeout", safe)
			}

			tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			defer tlsSrv.Close()
			err = send(t, ch, time.Second, tlsSrv.URL)
			if safe, _ := notify.Describe(err); safe != "TLS certificate not trusted" {
				t.Errorf("untrusted TLS certificate: reason %q (%v)", safe, err)
			}

			ln, _ := net.Listen("tcp", "127.0.0.1:0")
			base := "http://" + ln.Addr().String()
			ln.Close()
			if err := send(t, ch, time.Second, base); err == nil || notify.IsPermanent(err) {
				t.Errorf("connection refused: err = %v, want retryable", err)
			}
		})
	}
}

// TestChannelsRefusePrivateNetworks checks every channel goes through the
// guard: with private networks off, a loopback receiver is never reached.
func TestChannelsRefusePrivateNetworks(t *testing.T) {
	for _, ch := range channels() {
		t.Run(ch.name, func(t *testing.T) {
			var reached atomic.Bool
			srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Store(true) }))
			defer srv.Close()
			client := notify.NewHTTPClient(notify.NetOptions{})
			s := ch.sender(client)
			addr := "C0123ABC"
			if ch.address != nil {
				addr = ch.address(srv.URL)
			} else {
				s = slack.New(client, slack.Config{BotToken: "xoxb-t", APIURL: srv.URL}, nil)
			}
			err := s.Send(context.Background(), notify.Message{Notification: hypercare.Notification{Type: ch.typ, Address: addr}})
			var re *notify.RefusedError
			if !errors.As(err, &re) || !notify.IsPermanent(err) || reached.Load() {
				t.Errorf("err = %v (reached %v), want a permanent refusal before connecting", err, reached.Load())
			}
		})
	}
}
