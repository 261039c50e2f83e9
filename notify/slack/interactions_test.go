package slack_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify/slack"
)

var signingSecret = []byte("8f742231b10e8888abcd99yyyzzz85a5")

// documentedSignature computes X-Slack-Signature exactly as Slack's
// "Verifying requests from Slack" guide describes, independently of Sign.
func documentedSignature(secret []byte, ts string, body []byte) string {
	base := "v0:" + ts + ":" + string(body)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(base))
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

func signedHeader(secret []byte, at time.Time, body []byte) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	h := http.Header{}
	h.Set(slack.HeaderTimestamp, ts)
	h.Set(slack.HeaderSignature, documentedSignature(secret, ts, body))
	return h
}

func TestVerifyRequest(t *testing.T) {
	body := []byte("payload=%7B%7D")
	if err := slack.VerifyRequest(signingSecret, signedHeader(signingSecret, now, body), body, now); err != nil {
		t.Fatalf("documented signature refused: %v", err)
	}
	if err := slack.VerifyRequest(signingSecret, signedHeader(signingSecret, now.Add(-4*time.Minute), body), body, now); err != nil {
		t.Errorf("4-minute-old request refused: %v", err)
	}
	bad := map[string]struct {
		secret []byte
		h      http.Header
		body   []byte
	}{
		"stale (6 min)":  {signingSecret, signedHeader(signingSecret, now.Add(-6*time.Minute), body), body},
		"future (6 min)": {signingSecret, signedHeader(signingSecret, now.Add(6*time.Minute), body), body},
		"wrong secret":   {signingSecret, signedHeader([]byte("other"), now, body), body},
		"body changed":   {signingSecret, signedHeader(signingSecret, now, body), []byte("payload=%7B%7D%20")},
		"no headers":     {signingSecret, http.Header{}, body},
		"no secret":      {nil, signedHeader(nil, now, body), body},
		"bad timestamp":  {signingSecret, http.Header{slack.HeaderTimestamp: {"soon"}, slack.HeaderSignature: {"v0=00"}}, body},
		"v1 signature":   {signingSecret, http.Header{slack.HeaderTimestamp: {strconv.FormatInt(now.Unix(), 10)}, slack.HeaderSignature: {"v1=00"}}, body},
	}
	for name, tc := range bad {
		if err := slack.VerifyRequest(tc.secret, tc.h, tc.body, now); !errors.Is(err, slack.ErrBadSignature) {
			t.Errorf("%s: err = %v, want ErrBadSignature", name, err)
		}
	}
}

func form(payload string) []byte {
	return []byte(url.Values{"payload": {payload}}.Encode())
}

func TestParseInteraction(t *testing.T) {
	good := `{"type":"block_actions","user":{"id":"U0ALICE","username":"alice"},"response_url":"https://hooks.slack.com/actions/T/1/x",` +
		`"actions":[{"action_id":"hypercare_acknowledge","value":"acknowledge:01JINC","type":"button"}]}`
	in, err := slack.ParseInteraction(form(good))
	if err != nil {
		t.Fatal(err)
	}
	want := slack.Interaction{UserID: "U0ALICE", Action: slack.Acknowledge, IncidentID: "01JINC", ResponseURL: "https://hooks.slack.com/actions/T/1/x"}
	if in != want {
		t.Errorf("got %+v, want %+v", in, want)
	}
	for payload, field := range map[string]string{
		``:                           "payload",
		`[`:                          "payload",
		`{"type":"view_submission"}`: "payload.type",
		`{"type":"block_actions","user":{"id":"alice"}}`:                                                                                               "payload.user.id",
		`{"type":"block_actions","user":{"id":"U1AB"},"actions":[]}`:                                                                                   "payload.actions",
		`{"type":"block_actions","user":{"id":"U1AB"},"actions":[{"action_id":"x","value":"acknowledge:1"}]}`:                                          "payload.actions[0]",
		`{"type":"block_actions","user":{"id":"U1AB"},"actions":[{"action_id":"hypercare_resolve","value":"acknowledge:1"}]}`:                          "payload.actions[0]",
		`{"type":"block_actions","user":{"id":"U1AB"},"actions":[{"action_id":"hypercare_resolve","value":"resolve:"}]}`:                               "payload.actions[0].value",
		`{"type":"block_actions","user":{"id":"U1AB"},"response_url":"file:///etc","actions":[{"action_id":"hypercare_resolve","value":"resolve:1"}]}`: "payload.response_url",
	} {
		_, err := slack.ParseInteraction(form(payload))
		var he *hypercare.Error
		if !errors.As(err, &he) || he.Code != hypercare.CodeInvalid || len(he.Details) != 1 || he.Details[0].Field != field {
			t.Errorf("payload %s: err = %v, want invalid %s", payload, err, field)
		}
	}
}

// FuzzParseInteraction checks the parser never panics and only returns
// well-formed interactions or invalid-input errors.
func FuzzParseInteraction(f *testing.F) {
	f.Add(form(`{"type":"block_actions","user":{"id":"U0ALICE"},"response_url":"https://h/x","actions":[{"action_id":"hypercare_resolve","value":"resolve:01J"}]}`))
	f.Add([]byte("payload=%7B"))
	f.Add([]byte("%zz"))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := slack.ParseInteraction(body)
		if err != nil {
			var he *hypercare.Error
			if !errors.As(err, &he) || he.Code != hypercare.CodeInvalid {
				t.Fatalf("error %v is not an invalid-input error", err)
			}
			return
		}
		if !slack.IsID(in.UserID) || in.IncidentID == "" || (in.Action != slack.Acknowledge && in.Action != slack.Resolve) {
			t.Fatalf("accepted malformed interaction %+v", in)
		}
	})
}
