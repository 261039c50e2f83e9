package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare/notify/email/smtptest"
	"github.com/hypercare/hypercare/notify/slack"
	"github.com/hypercare/hypercare/notify/twilio"
)

// providers is a local Twilio and Slack: it checks each request against
// the provider's documented shape (Twilio: form POST to
// /2010-04-01/Accounts/{sid}/Messages.json under basic auth with To, From
// and Body, answered 201 with the message resource; Slack: JSON POST to
// /api/chat.postMessage with the bot token as bearer, answered
// {"ok":true,…}; response_url: a JSON POST with text and response_type),
// refuses anything else and records what it accepted.
type providers struct {
	t     *testing.T
	sid   string
	token string
	bot   string

	mu      sync.Mutex
	sms     []url.Values
	slack   []map[string]any
	answers []map[string]any
	// answered hears of each answer posted to /respond: the server posts
	// it after answering the press.
	answered chan struct{}
}

func (p *providers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case r.URL.Path == "/2010-04-01/Accounts/"+p.sid+"/Messages.json":
		u, pw, ok := r.BasicAuth()
		form, err := url.ParseQuery(string(body))
		if r.Method != http.MethodPost || !ok || u != p.sid || pw != p.token || err != nil ||
			!strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") ||
			form.Get("To") == "" || form.Get("From") == "" || form.Get("Body") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"code":20003,"message":"Authenticate","status":401}`))
			return
		}
		p.sms = append(p.sms, form)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = fmt.Fprintf(w, `{"sid":"SM%032d","status":"queued","to":%q}`, len(p.sms), form.Get("To"))
	case r.URL.Path == "/api/chat.postMessage":
		var m map[string]any
		if r.Method != http.MethodPost || r.Header.Get("Authorization") != "Bearer "+p.bot ||
			!strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || json.Unmarshal(body, &m) != nil ||
			m["channel"] == nil || m["text"] == nil {
			_, _ = w.Write([]byte(`{"ok":false,"error":"invalid_auth"}`))
			return
		}
		p.slack = append(p.slack, m)
		_, _ = fmt.Fprintf(w, `{"ok":true,"channel":"D0ALICE","ts":"1700000000.%06d"}`, len(p.slack))
	case r.URL.Path == "/respond":
		var a map[string]any
		if r.Method != http.MethodPost || json.Unmarshal(body, &a) != nil || a["text"] == nil {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		p.answers = append(p.answers, a)
		_, _ = w.Write([]byte("ok"))
		p.answered <- struct{}{}
	default:
		http.NotFound(w, r)
	}
}

// counts returns how many texts and Slack messages arrived.
func (p *providers) counts() (sms, slack int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.sms), len(p.slack)
}

// TestServeAcknowledgeFromEmailSMSAndSlack is the delivery scenario of
// issue 7 on the real binary: every trigger pages Alice by e-mail, SMS
// and Slack at once; incident 1 is acknowledged from the e-mail's link,
// incident 2 by an SMS reply (signed as Twilio signs), incident 3 by the
// Slack button (signed as Slack signs). Each answer tells the channel who
// acted, and each timeline says who and through what.
func TestServeAcknowledgeFromEmailSMSAndSlack(t *testing.T) {
	const relayPassword = "e2e-relay-password-3b1e"
	p := &providers{t: t, sid: "AC0123456789abcdef0123456789abcdef", token: "e2e-twilio-auth-token-5d2a", bot: "xoxb-e2e-bot", answered: make(chan struct{}, 8)}
	const slackSecret = "e2e-slack-signing-secret-8e4f"
	fake := httptest.NewServer(p)
	t.Cleanup(fake.Close)
	relay, err := smtptest.Start(smtptest.Options{Username: "oncall", Password: relayPassword})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(relay.Close)
	certFile := filepath.Join(t.TempDir(), "relay.pem")
	if err := os.WriteFile(certFile, relay.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", certFile)
	t.Setenv("E2E_SMTP_PASSWORD", relayPassword)
	t.Setenv("E2E_TWILIO_AUTH_TOKEN", p.token)
	t.Setenv("E2E_SLACK_BOT_TOKEN", p.bot)
	t.Setenv("E2E_SLACK_SIGNING_SECRET", slackSecret)
	config := `teams: [{id: ops, name: Operations}]
users:
  - id: alice
    name: Alice
    contact_methods:
      - {id: alice-mail, type: email, address: alice@example.com}
      - {id: alice-sms, type: sms, address: "+14155550100"}
      - {id: alice-slack, type: slack, address: U0ALICE}
    notification_rules:
      - {contact_method: alice-mail, after_minutes: 0}
      - {contact_method: alice-sms, after_minutes: 0}
      - {contact_method: alice-slack, after_minutes: 0}
escalation_policies:
  - {id: ops, levels: [{targets: [{user: alice}], escalate_after_minutes: 30}]}
services:
  - {id: shop, name: Shop, team: ops, escalation_policy: ops, integrations: [{type: events-v2, key: ` + e2eEventsKey + `}]}
notify:
  allow_private_networks: true
  email: {host: 127.0.0.1, port: ` + strconv.Itoa(relay.Port()) + `, tls: starttls, username: oncall, password: "${E2E_SMTP_PASSWORD}", from: "Hypercare <oncall@example.com>"}
  twilio: {account_sid: ` + p.sid + `, auth_token: "${E2E_TWILIO_AUTH_TOKEN}", from: "+15005550006", api_url: "` + fake.URL + `"}
  slack: {bot_token: "${E2E_SLACK_BOT_TOKEN}", signing_secret: "${E2E_SLACK_SIGNING_SECRET}", api_url: "` + fake.URL + `/api"}
`
	forEachEngine(t, func(t *testing.T, storeArgs []string) {
		p.mu.Lock()
		p.sms, p.slack, p.answers = nil, nil, nil
		p.mu.Unlock()
		mails := len(relay.Messages())
		srv := startServerWithConfig(t, config, storeArgs)
		tok := createToken(t, storeArgs)

		// page triggers incident n and waits for its e-mail, SMS and
		// Slack message, which it returns.
		page := func(n int) (mail []byte, sms url.Values, msg map[string]any) {
			t.Helper()
			if err := postTrigger(srv.URL, "channels-e2e-"+strconv.Itoa(n)); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(15 * time.Second)
			for time.Now().Before(deadline) {
				texts, posts := p.counts()
				if len(relay.Messages()) >= mails+n && texts >= n && posts >= n {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			msgs := relay.Messages()
			p.mu.Lock()
			defer p.mu.Unlock()
			if len(msgs) != mails+n || len(p.sms) != n || len(p.slack) != n {
				t.Fatalf("after trigger %d: %d e-mails, %d texts, %d Slack messages (want %d each)", n, len(msgs)-mails, len(p.sms), len(p.slack), n)
			}
			mail, _ = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(msgs[mails+n-1].Data)))
			return mail, p.sms[n-1], p.slack[n-1]
		}
		timeline := func(n int, want string) {
			t.Helper()
			code, body := srv.get(t, tok, "/api/v1/incidents/"+strconv.Itoa(n)+"/timeline")
			if code != 200 || !strings.Contains(string(body), `"actor":{"type":"user","id":"alice","name":"Alice"},"message":"`+want+`"`) {
				t.Fatalf("incident %d timeline %d, want %q: %s", n, code, want, body)
			}
			if inc := srv.incident(t, tok, strconv.Itoa(n)); inc.Status != "acknowledged" {
				t.Fatalf("incident %d is %s", n, inc.Status)
			}
		}

		// 1: the e-mail's acknowledge link, confirmed with POST.
		mail, _, _ := page(1)
		m := regexp.MustCompile(`Acknowledge: (\S+)`).FindSubmatch(mail)
		if m == nil || !strings.HasPrefix(string(m[1]), srv.URL+"/act/") {
			t.Fatalf("no acknowledge link in the e-mail:\n%s", mail)
		}
		resp, err := apiClient.Post(string(m[1]), "application/x-www-form-urlencoded", nil)
		if err != nil {
			t.Fatal(err)
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(answer), "#1 acknowledged by Alice") {
			t.Fatalf("e-mail link POST %d:\n%s", resp.StatusCode, answer)
		}
		timeline(1, "Acknowledged by Alice via e-mail link")

		// 2: an SMS reply "ack 2" from Alice's number.
		_, sms, _ := page(2)
		if sms.Get("To") != "+14155550100" || !strings.Contains(sms.Get("Body"), "Reply 'ack 2'") {
			t.Fatalf("text %v", sms)
		}
		reply := url.Values{"From": {"+14155550100"}, "To": {"+15005550006"}, "Body": {"ack 2"},
			"AccountSid": {p.sid}, "MessageSid": {"SM00000000000000000000000000000002"}}
		req, _ := http.NewRequest("POST", srv.URL+twilio.SMSPath, strings.NewReader(reply.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", twilioSignature(p.token, srv.URL+twilio.SMSPath, reply))
		resp, err = apiClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		answer, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(answer), "<Message>#2 acknowledged by Alice</Message>") {
			t.Fatalf("SMS reply %d: %s", resp.StatusCode, answer)
		}
		timeline(2, "Acknowledged by Alice via SMS")

		// 3: the Slack message's Acknowledge button, pressed by U0ALICE.
		_, _, msg := page(3)
		value := slackButton(t, msg, slack.ActionAcknowledge)
		payload, _ := json.Marshal(map[string]any{
			"type": "block_actions", "user": map[string]string{"id": "U0ALICE", "username": "alice"},
			"response_url": fake.URL + "/respond",
			"actions":      []map[string]string{{"action_id": slack.ActionAcknowledge, "value": value, "type": "button"}},
		})
		body := url.Values{"payload": {string(payload)}}.Encode()
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ = http.NewRequest("POST", srv.URL+"/hooks/slack/interactions", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", slackSignature(slackSecret, ts, body))
		resp, err = apiClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		answer, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(answer) != 0 { // the answer goes to response_url, once
			t.Fatalf("Slack press %d: %q, want 200 and an empty acknowledgement", resp.StatusCode, answer)
		}
		select { // posted to response_url after the press was answered
		case <-p.answered:
		case <-time.After(30 * time.Second):
			t.Fatal("nothing was posted to the press's response_url")
		}
		p.mu.Lock()
		told := p.answers
		p.mu.Unlock()
		if len(told) != 1 || told[0]["text"] != "#3 acknowledged by Alice" || told[0]["response_type"] != "in_channel" {
			t.Fatalf("the Slack channel was told %v", told)
		}
		timeline(3, "Acknowledged by Alice via Slack")

		for _, secret := range []string{relayPassword, p.token, p.bot, slackSecret} {
			if srv.log.contains(secret) {
				t.Fatal("the server's output contains a provider secret")
			}
		}
	})
}

// slackButton returns the value of the button with actionID in a
// chat.postMessage body.
func slackButton(t *testing.T, msg map[string]any, actionID string) string {
	t.Helper()
	blocks, _ := msg["blocks"].([]any)
	for _, b := range blocks {
		els, _ := b.(map[string]any)["elements"].([]any)
		for _, e := range els {
			el, _ := e.(map[string]any)
			if el["action_id"] == actionID {
				if v, ok := el["value"].(string); ok && v != "" {
					return v
				}
			}
		}
	}
	t.Fatalf("no %s button in %v", actionID, msg)
	return ""
}

// twilioSignature computes X-Twilio-Signature as Twilio documents it: the
// full URL, then each POST parameter's name and value in name order,
// HMAC-SHA1 under the auth token, base64.
func twilioSignature(token, fullURL string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	data := fullURL
	for _, k := range keys {
		data += k + form.Get(k)
	}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(data))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// slackSignature computes X-Slack-Signature as Slack documents it:
// "v0=" and the hex HMAC-SHA256 of "v0:timestamp:body" under the signing
// secret.
func slackSignature(secret, ts, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":" + body))
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}
