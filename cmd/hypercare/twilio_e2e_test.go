package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare/notify/twilio"
)

// TestServeSMSPageAndReply runs the binary as a user would with
// notify.twilio pointing at a local Twilio: a trigger texts Alice, her
// signed reply "ack 1" acknowledges as her, and the auth token appears
// nowhere in the server's output.
func TestServeSMSPageAndReply(t *testing.T) {
	const token = "e2e-twilio-auth-token-9c1d"
	const sid = "AC0123456789abcdef0123456789abcdef"
	var mu sync.Mutex
	var texts []url.Values
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != sid || p != token || r.URL.Path != "/2010-04-01/Accounts/"+sid+"/Messages.json" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_ = r.ParseForm()
		mu.Lock()
		texts = append(texts, r.PostForm)
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(fake.Close)
	t.Setenv("E2E_TWILIO_AUTH_TOKEN", token)
	config := `teams: [{id: ops, name: Operations}]
users:
  - id: alice
    name: Alice
    contact_methods: [{id: alice-sms, type: sms, address: "+14155550100"}]
escalation_policies:
  - {id: ops, levels: [{targets: [{user: alice}], escalate_after_minutes: 5}]}
services:
  - {id: shop, name: Shop, team: ops, escalation_policy: ops, integrations: [{type: events-v2, key: ` + e2eEventsKey + `}]}
notify:
  allow_private_networks: true
  twilio: {account_sid: ` + sid + `, auth_token: "${E2E_TWILIO_AUTH_TOKEN}", from: "+15005550006", api_url: "` + fake.URL + `"}
`
	forEachEngine(t, func(t *testing.T, storeArgs []string) {
		mu.Lock()
		texts = nil
		mu.Unlock()
		srv := startServerWithConfig(t, config, storeArgs)
		if err := postTrigger(srv.URL, "sms-e2e"); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			n := len(texts)
			mu.Unlock()
			if n > 0 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		mu.Lock()
		got := texts
		mu.Unlock()
		if len(got) != 1 || got[0].Get("To") != "+14155550100" || !strings.Contains(got[0].Get("Body"), "Reply 'ack 1' or 'resolve 1'.") {
			t.Fatalf("texts %v", got)
		}
		reply := url.Values{"From": {"+14155550100"}, "To": {"+15005550006"}, "Body": {"ack 1"}, "AccountSid": {sid},
			"MessageSid": {"SM" + strings.Repeat("0", 32)}}
		req, _ := http.NewRequest("POST", srv.URL+twilio.SMSPath, strings.NewReader(reply.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", twilio.Signature(token, srv.URL+twilio.SMSPath, reply))
		resp, err := apiClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), "<Message>#1 acknowledged by Alice</Message>") {
			t.Fatalf("reply %d: %s", resp.StatusCode, body)
		}
		tok := createToken(t, storeArgs)
		code, timeline := srv.get(t, tok, "/api/v1/incidents/1/timeline")
		if code != 200 || !strings.Contains(string(timeline), `"message":"Acknowledged by Alice via SMS"`) {
			t.Fatalf("timeline %d: %s", code, timeline)
		}
		if srv.log.contains(token) {
			t.Fatal("the server's output contains the Twilio auth token")
		}
	})
}
