package twilio_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/internal/chattest"
	"github.com/hypercare/hypercare/notify/twilio"
)

const (
	sid   = "AC0123456789abcdef0123456789abcdef"
	token = "auth-token-s3cret"
	from  = "+15005550006"
	to    = "+14155550100"
)

// fakeTwilio checks every request against Twilio's documented shape (POST
// form to /2010-04-01/Accounts/{sid}/{Messages|Calls}.json, basic auth
// sid:token, To and From) and records the forms it accepted.
type fakeTwilio struct {
	t     *testing.T
	forms chan struct {
		resource string
		form     url.Values
	}
}

func newFake(t *testing.T) (*fakeTwilio, string) {
	f := &fakeTwilio{t: t, forms: make(chan struct {
		resource string
		form     url.Values
	}, 8)}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *fakeTwilio) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != sid || pass != token {
		w.WriteHeader(401)
		_, _ = w.Write([]byte(`{"code":20003,"message":"Authenticate","status":401}`))
		return
	}
	prefix := "/2010-04-01/Accounts/" + sid + "/"
	res := strings.TrimPrefix(r.URL.Path, prefix)
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, prefix) || (res != "Messages.json" && res != "Calls.json") ||
		r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		f.t.Errorf("request %s %s (%s)", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		w.WriteHeader(404)
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("To") != to || r.PostForm.Get("From") != from {
		f.t.Errorf("form %v (%v)", r.PostForm, err)
	}
	f.forms <- struct {
		resource string
		form     url.Values
	}{res, r.PostForm}
	w.WriteHeader(201)
	_, _ = w.Write([]byte(`{"sid":"SM0123","status":"queued"}`))
}

func sender(base, tok string) *twilio.Sender {
	return twilio.New(chattest.Client(), twilio.Config{AccountSID: sid, AuthToken: tok, From: from, APIURL: base},
		clocktest.New(time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)))
}

func page(typ hypercare.ContactType) notify.Message {
	m := chattest.Message(typ, to)
	m.Incident.Title = "Checkout down"
	return m
}

// TestSMSShape sends an SMS and checks the body Twilio gets.
func TestSMSShape(t *testing.T) {
	f, base := newFake(t)
	if err := sender(base, token).SMS().Send(context.Background(), page(hypercare.ContactSMS)); err != nil {
		t.Fatal(err)
	}
	got := <-f.forms
	want := "#42 [high] Checkout down (Checkout). Reply 'ack 42' or 'resolve 42'. Ack: https://hypercare.example.com/act/ack-token"
	if got.resource != "Messages.json" || got.form.Get("Body") != want {
		t.Errorf("%s body %q", got.resource, got.form.Get("Body"))
	}
}

// TestCallShape places a call and checks it fetches its script from the
// voice hook with the page's call token; without links the call
// reads the incident inline.
func TestCallShape(t *testing.T) {
	f, base := newFake(t)
	v := sender(base, token).Voice()
	if err := v.Send(context.Background(), page(hypercare.ContactVoice)); err != nil {
		t.Fatal(err)
	}
	got := <-f.forms
	if got.resource != "Calls.json" || got.form.Get("Url") != "https://hypercare.example.com/hooks/twilio/voice?token=call-token" ||
		got.form.Get("Method") != "POST" || got.form.Get("Twiml") != "" {
		t.Errorf("%s form %v", got.resource, got.form)
	}
	m := page(hypercare.ContactVoice)
	m.AckURL, m.ResolveURL, m.IncidentURL = "", "", ""
	m.Incident.Title = "<Dial>+1900</Dial> & down"
	if err := v.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got = <-f.forms
	tw := got.form.Get("Twiml")
	if got.form.Get("Url") != "" || !strings.Contains(tw, "<Say>") || strings.Contains(tw, "<Dial>") ||
		!strings.Contains(tw, "&lt;Dial&gt;+1900&lt;/Dial&gt; &amp; down") {
		t.Errorf("inline TwiML %q", tw)
	}
}

// TestFailures injects Twilio's failures: 429 with Retry-After and 500 are
// retried (after the asked delay), 400 with error 21211 and 401 are
// permanent with a short reason; the auth token is in no error.
func TestFailures(t *testing.T) {
	cases := []struct {
		name       string
		status     int
		header     string
		body       string
		permanent  bool
		retryAfter time.Duration
		reason     string
	}{
		{"429", 429, "9", `{"code":20429,"message":"Too Many Requests"}`, false, 9 * time.Second, "Twilio error 20429: too many requests"},
		{"500", 500, "", `oops`, false, 0, "Twilio answered HTTP 500"},
		{"503", 503, "", ``, false, 0, "Twilio answered HTTP 503"},
		{"21211", 400, "", `{"code":21211,"message":"The 'To' number +14155550100 is not a valid phone number.","status":400}`,
			true, 0, "Twilio error 21211: invalid To phone number"},
		{"21610", 400, "", `{"code":21610,"message":"Attempt to send to unsubscribed recipient"}`, true, 0,
			"Twilio error 21610: the recipient has unsubscribed (replied STOP)"},
		{"401", 401, "", `{"code":20003}`, true, 0, "Twilio error 20003: authentication failed: check notify.twilio.account_sid and auth_token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.header != "" {
					w.Header().Set("Retry-After", tc.header)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			for _, ch := range []notify.Sender{sender(srv.URL, token).SMS(), sender(srv.URL, token).Voice()} {
				err := ch.Send(context.Background(), page(hypercare.ContactSMS))
				if err == nil || notify.IsPermanent(err) != tc.permanent || notify.RetryAfter(err) != tc.retryAfter {
					t.Fatalf("err %v permanent %v retry %v", err, notify.IsPermanent(err), notify.RetryAfter(err))
				}
				var ae *twilio.APIError
				if !errors.As(err, &ae) || ae.Reason() != tc.reason {
					t.Errorf("reason of %v", err)
				}
				if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), to) {
					t.Errorf("error leaks the token or number: %v", err)
				}
			}
		})
	}
}

// TestTransportFailures checks a refused connection is retried and a hung
// Twilio costs one per-attempt timeout.
func TestTransportFailures(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	base := "http://" + ln.Addr().String()
	ln.Close()
	err := sender(base, token).SMS().Send(context.Background(), page(hypercare.ContactSMS))
	if err == nil || notify.IsPermanent(err) || strings.Contains(err.Error(), token) {
		t.Errorf("refused: %v", err)
	}
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(hang)
	c := notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true, Timeout: 100 * time.Millisecond})
	s := twilio.New(c, twilio.Config{AccountSID: sid, AuthToken: token, From: from, APIURL: srv.URL}, nil)
	if err := s.Voice().Send(context.Background(), page(hypercare.ContactVoice)); err == nil || notify.IsPermanent(err) {
		t.Errorf("hung: %v", err)
	}
}

// TestGuardAndAddresses checks the guard applies (a loopback Twilio is
// never reached without allow_private_networks) and only E.164 numbers
// are accepted.
func TestGuardAndAddresses(t *testing.T) {
	var reached atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Store(true) }))
	defer srv.Close()
	s := twilio.New(notify.NewHTTPClient(notify.NetOptions{}), twilio.Config{AccountSID: sid, AuthToken: token, From: from, APIURL: srv.URL}, nil)
	err := s.SMS().Send(context.Background(), page(hypercare.ContactSMS))
	var re *notify.RefusedError
	if !errors.As(err, &re) || !notify.IsPermanent(err) || reached.Load() {
		t.Errorf("err %v reached %v", err, reached.Load())
	}
	for _, a := range []string{"+14155550100", "+442071838750"} {
		if err := s.SMS().CheckAddress(a); err != nil {
			t.Errorf("%s: %v", a, err)
		}
	}
	for _, a := range []string{"", "4155550100", "+0123", "+1 415 555", "+1234567890123456", "tel:+14155550100"} {
		if s.Voice().CheckAddress(a) == nil {
			t.Errorf("%q accepted", a)
		}
		m := page(hypercare.ContactSMS)
		m.Notification.Address = a
		if err := s.SMS().Send(context.Background(), m); !notify.IsPermanent(err) {
			t.Errorf("%q sent: %v", a, err)
		}
	}
}

// TestSignature checks Signature against the documented algorithm written
// out by hand: URL, then each parameter name and value in name order,
// HMAC-SHA1, base64.
func TestSignature(t *testing.T) {
	u := "https://hypercare.example.com/hooks/twilio/sms"
	params := url.Values{"To": {from}, "From": {to}, "Body": {"ack 42"}, "AccountSid": {sid}, "MessageSid": {"SM1"}}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(u + "AccountSid" + sid + "Bodyack 42" + "From" + to + "MessageSidSM1" + "To" + from))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if got := twilio.Signature(token, u, params); got != want {
		t.Fatalf("signature %q, want %q", got, want)
	}
	if err := twilio.ValidateSignature(token, u, params, want); err != nil {
		t.Error(err)
	}
	withPort := "https://hypercare.example.com:443/hooks/twilio/sms"
	if err := twilio.ValidateSignature(token, withPort, params, want); err != nil {
		t.Errorf("default port shown: %v", err)
	}
	if err := twilio.ValidateSignature(token, u, params, twilio.Signature(token, withPort, params)); err != nil {
		t.Errorf("default port signed: %v", err)
	}
	bad := []struct {
		name, tok, url, sig string
		params              url.Values
	}{
		{"other token", "other", u, want, params},
		{"other url", token, u + "?x=1", want, params},
		{"changed body", token, u, want, url.Values{"To": {from}, "From": {to}, "Body": {"resolve 42"}, "AccountSid": {sid}, "MessageSid": {"SM1"}}},
		{"no token", "", u, want, params},
		{"other port", token, "https://hypercare.example.com:8443/hooks/twilio/sms", want, params},
		{"other scheme", token, "http://hypercare.example.com/hooks/twilio/sms", want, params},
		{"no signature", token, u, "", params},
	}
	for _, b := range bad {
		if twilio.ValidateSignature(b.tok, b.url, b.params, b.sig) == nil {
			t.Errorf("%s: accepted", b.name)
		}
	}
}

// TestQueueFullIsRetried checks Twilio error 21611 ("This 'From' number
// has exceeded the maximum number of queued messages",
// https://www.twilio.com/docs/errors/21611): Twilio answers it with HTTP
// 400, but it is the sender's queue being full for now (more than 10
// hours of messages at the number's rate), fixed by waiting; it is what an
// alert storm meets, and giving up on the page then is the wrong answer.
func TestQueueFullIsRetried(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		_, _ = w.Write([]byte(`{"code": 21611, "message": "This 'From' number has exceeded the maximum number of queued messages", ` +
			`"more_info": "https://www.twilio.com/docs/errors/21611", "status": 400}`))
	}))
	defer srv.Close()
	err := sender(srv.URL, token).SMS().Send(context.Background(), page(hypercare.ContactSMS))
	var ae *twilio.APIError
	if err == nil || !errors.As(err, &ae) || ae.Code != 21611 {
		t.Fatalf("err %v", err)
	}
	if notify.IsPermanent(err) {
		t.Errorf("21611 (queue full) is permanent: the page fails at once instead of being retried: %v", err)
	}
}
