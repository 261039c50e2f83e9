package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/webhook"
)

var sentAt = time.Date(2026, 11, 27, 3, 4, 5, 0, time.UTC)

// received is one request as the receiver saw it.
type received struct {
	method, path string
	header       http.Header
	body         []byte
}

// receiver is a loopback webhook endpoint that records every request and
// answers with respond (default 204).
func receiver(t *testing.T, respond http.HandlerFunc) (*httptest.Server, chan received) {
	t.Helper()
	got := make(chan received, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- received{r.Method, r.URL.Path, r.Header.Clone(), b}
		if respond == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		respond(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

// sender posts to loopback test servers, which the guard only allows
// with private networks on.
func sender(timeout time.Duration, opts ...webhook.Option) *webhook.Sender {
	c := notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true, Timeout: timeout})
	return webhook.New(c, append([]webhook.Option{webhook.WithClock(clocktest.New(sentAt))}, opts...)...)
}

func message(address string) notify.Message {
	ack := sentAt.Add(-time.Minute)
	return notify.Message{
		Notification: hypercare.Notification{
			ID: "01JNOTIFICATION", IncidentID: "01JINCIDENT", UserID: "alice",
			ContactMethod: "alice-hook", Type: hypercare.ContactWebhook, Address: address,
			Level: 1, Loop: 2, Step: 3, Reason: "escalation level 2 of policy web",
		},
		Incident: hypercare.Incident{
			ID: "01JINCIDENT", Number: 42, Title: "Checkout is down", Status: hypercare.StatusTriggered,
			Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityCritical, ServiceID: "checkout",
			AlertCount: 3, OpenAlertCount: 2, CreatedAt: sentAt.Add(-5 * time.Minute), UpdatedAt: ack,
		},
		User: hypercare.User{
			ID: "alice", Name: "Alice Example", Email: "alice@example.com",
			ContactMethods: []hypercare.ContactMethod{{ID: "alice-phone", Type: hypercare.ContactSMS, Address: "+447700900001"}},
		},
		ServiceName: "Checkout",
	}
}

func TestSendPayloadAndHeaders(t *testing.T) {
	srv, got := receiver(t, nil)
	m := message(srv.URL + "/hooks/alice?token=abc")
	if err := sender(5*time.Second).Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := <-got
	if r.method != http.MethodPost || r.path != "/hooks/alice" {
		t.Errorf("request = %s %s, want POST /hooks/alice", r.method, r.path)
	}
	for h, want := range map[string]string{
		"Content-Type":    "application/json",
		"User-Agent":      "Hypercare/" + hypercare.Version,
		"Idempotency-Key": "01JNOTIFICATION",
	} {
		if v := r.header.Get(h); v != want {
			t.Errorf("%s = %q, want %q", h, v, want)
		}
	}
	if v := r.header.Get(webhook.SignatureHeader); v != "" {
		t.Errorf("%s = %q without a signing secret", webhook.SignatureHeader, v)
	}

	// Decode into generic JSON, not Payload, so the field names on the
	// wire are what is checked.
	var body map[string]any
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, r.body)
	}
	want := map[string]any{
		"type":            "incident.page",
		"id":              "01JNOTIFICATION",
		"idempotency_key": "01JNOTIFICATION",
		"service":         map[string]any{"id": "checkout", "name": "Checkout"},
		"user":            map[string]any{"id": "alice", "name": "Alice Example"},
		"level":           float64(1),
		"loop":            float64(2),
		"reason":          "escalation level 2 of policy web",
		"sent_at":         "2026-11-27T03:04:05Z",
	}
	for k, v := range want {
		if gotJSON, wantJSON := mustJSON(t, body[k]), mustJSON(t, v); gotJSON != wantJSON {
			t.Errorf("body.%s = %s, want %s", k, gotJSON, wantJSON)
		}
	}
	inc, _ := body["incident"].(map[string]any)
	for k, v := range map[string]any{
		"id": "01JINCIDENT", "number": float64(42), "title": "Checkout is down", "status": "triggered",
		"urgency": "high", "severity": "critical", "service_id": "checkout", "alert_count": float64(3),
		"created_at": "2026-11-27T02:59:05Z", "acknowledged_at": nil,
	} {
		if mustJSON(t, inc[k]) != mustJSON(t, v) {
			t.Errorf("body.incident.%s = %v, want %v", k, inc[k], v)
		}
	}
	// Only the user's id and name leave the process.
	for _, secret := range []string{"alice@example.com", "+447700900001", "alice-hook"} {
		if strings.Contains(string(r.body), secret) {
			t.Errorf("body leaks %q: %s", secret, r.body)
		}
	}
	for _, k := range []string{"incident_url", "ack_url"} {
		if _, ok := body[k]; ok {
			t.Errorf("body has empty %s; omit it until it exists", k)
		}
	}
}

func TestSendSignature(t *testing.T) {
	oldSecret, newSecret := []byte("old-secret-0123456789"), []byte("new-secret-0123456789")
	srv, got := receiver(t, nil)
	snd := sender(5*time.Second, webhook.WithSigningSecrets(oldSecret, newSecret))
	if err := snd.Send(context.Background(), message(srv.URL)); err != nil {
		t.Fatal(err)
	}
	r := <-got
	sig := r.header.Get(webhook.SignatureHeader)
	// Verify as docs/config.md tells a receiver in any language to: split
	// on ",", take t and every v1, HMAC-SHA256(secret, t + "." + body) in
	// hex must equal one v1, and t must be recent.
	var ts string
	var v1 []string
	for _, kv := range strings.Split(sig, ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			v1 = append(v1, v)
		}
	}
	if ts != strconv.FormatInt(sentAt.Unix(), 10) || len(v1) != 2 {
		t.Fatalf("%s = %q, want t=%d and two v1 values", webhook.SignatureHeader, sig, sentAt.Unix())
	}
	for i, secret := range [][]byte{oldSecret, newSecret} {
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(ts + "." + string(r.body)))
		if want := hex.EncodeToString(mac.Sum(nil)); v1[i] != want {
			t.Errorf("v1[%d] = %s, want %s", i, v1[i], want)
		}
		if err := webhook.Verify(secret, r.body, sig, sentAt.Add(time.Minute), 0); err != nil {
			t.Errorf("Verify with secret %d: %v", i, err)
		}
	}
	tampered := append([]byte{}, r.body...)
	tampered[len(tampered)-2] ^= 1
	for name, err := range map[string]error{
		"tampered body": webhook.Verify(oldSecret, tampered, sig, sentAt, 0),
		"other secret":  webhook.Verify([]byte("other"), r.body, sig, sentAt, 0),
		"no header":     webhook.Verify(oldSecret, r.body, "", sentAt, 0),
		"timestamp moved": webhook.Verify(oldSecret, r.body,
			strings.Replace(sig, "t="+ts, "t="+strconv.FormatInt(sentAt.Unix()+1, 10), 1), sentAt, 0),
	} {
		if err == nil {
			t.Errorf("%s: Verify accepted", name)
		}
	}
	if err := webhook.Verify(oldSecret, r.body, sig, sentAt.Add(webhook.DefaultTolerance+time.Second), 0); !errors.Is(err, webhook.ErrStale) {
		t.Errorf("replayed after the tolerance: %v, want ErrStale", err)
	}
}

// FuzzParseSignature: no header panics Verify, and only a real signature
// verifies.
func FuzzParseSignature(f *testing.F) {
	body := []byte(`{"id":"x"}`)
	secret := []byte("fuzz-secret-0123456789")
	f.Add(webhook.Sign([][]byte{secret}, sentAt, body))
	f.Add("t=1,v1=zz")
	f.Add("t=,v1=")
	f.Fuzz(func(t *testing.T, header string) {
		_, _, _ = webhook.ParseSignature(header)
		if webhook.Verify(secret, body, header, sentAt, 0) == nil {
			ts, sigs, err := webhook.ParseSignature(header)
			if err != nil || len(sigs) == 0 || ts == 0 {
				t.Fatalf("%q verified but does not parse", header)
			}
		}
	})
}

func TestSendClassification(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		header     map[string]string
		ok         bool
		permanent  bool
		retryAfter time.Duration
	}{
		{"200", 200, nil, true, false, 0},
		{"202", 202, nil, true, false, 0},
		{"204", 204, nil, true, false, 0},
		{"400", 400, nil, false, true, 0},
		{"404", 404, nil, false, true, 0},
		{"410", 410, nil, false, true, 0},
		{"408", 408, nil, false, false, 0},
		{"429", 429, nil, false, false, 0},
		{"429 Retry-After", 429, map[string]string{"Retry-After": "7"}, false, false, 7 * time.Second},
		{"500", 500, nil, false, false, 0},
		{"503 Retry-After", 503, map[string]string{"Retry-After": "30"}, false, false, 30 * time.Second},
		{"302 unfollowed", 302, nil, false, true, 0}, // no Location: nothing to follow
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, got := receiver(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, "reason from receiver")
			})
			err := sender(5*time.Second).Send(context.Background(), message(srv.URL+"/hooks/SECRET-TOKEN"))
			if len(got) != 1 {
				t.Errorf("receiver got %d requests, want 1 (no retry inside Send)", len(got))
			}
			if tc.ok {
				if err != nil {
					t.Fatalf("Send = %v, want delivered", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Send = nil, want an error")
			}
			if notify.IsPermanent(err) != tc.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, !tc.permanent, tc.permanent)
			}
			if d := notify.RetryAfter(err); d != tc.retryAfter {
				t.Errorf("RetryAfter = %v, want %v", d, tc.retryAfter)
			}
			var se *notify.StatusError
			if !errors.As(err, &se) || se.StatusCode != tc.status {
				t.Errorf("err = %v, want a *notify.StatusError %d", err, tc.status)
			}
			if !strings.Contains(err.Error(), "reason from receiver") {
				t.Errorf("err = %q, want the receiver's reason", err)
			}
			if strings.Contains(err.Error(), "SECRET-TOKEN") {
				t.Errorf("err = %q repeats the address path", err)
			}
		})
	}
}

func TestSendBoundsErrorBody(t *testing.T) {
	srv, _ := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		io.WriteString(w, strings.Repeat("A", 1<<20))
	})
	err := sender(5*time.Second).Send(context.Background(), message(srv.URL))
	if err == nil || len(err.Error()) > 1024 {
		t.Fatalf("err is %d bytes, want a short message", len(err.Error()))
	}
}

func TestSendTimeout(t *testing.T) {
	release := make(chan struct{})
	srv, _ := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		select { // hold the response until the client gives up
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	start := time.Now()
	err := sender(100*time.Millisecond).Send(context.Background(), message(srv.URL+"/SECRET-TOKEN"))
	if err == nil || notify.IsPermanent(err) {
		t.Fatalf("Send = %v, want a transient error", err)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("err = %v, want a timeout", err)
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("Send took %v; the timeout did not apply", elapsed)
	}
	if strings.Contains(err.Error(), "SECRET-TOKEN") {
		t.Errorf("err = %q repeats the address path", err)
	}
}

func TestSendContextCancelled(t *testing.T) {
	srv, got := receiver(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := sender(5*time.Second).Send(ctx, message(srv.URL))
	if !errors.Is(err, context.Canceled) || notify.IsPermanent(err) {
		t.Errorf("Send = %v, want transient context.Canceled", err)
	}
	if len(got) != 0 {
		t.Error("a cancelled Send reached the receiver")
	}
}

func TestSendConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	err = sender(5*time.Second).Send(context.Background(), message("http://"+addr+"/SECRET-TOKEN"))
	if err == nil || notify.IsPermanent(err) {
		t.Fatalf("Send = %v, want a transient error", err)
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "dial" {
		t.Errorf("err = %v, want a dial error", err)
	}
	if strings.Contains(err.Error(), "SECRET-TOKEN") {
		t.Errorf("err = %q repeats the address path", err)
	}
}

func TestSendBadAddress(t *testing.T) {
	for _, addr := range []string{"", "not a url", "file:///etc/passwd", "gopher://127.0.0.1:70/_x", "https://"} {
		err := sender(time.Second).Send(context.Background(), message(addr))
		if err == nil || !notify.IsPermanent(err) {
			t.Errorf("Send(%q) = %v, want a permanent error", addr, err)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
