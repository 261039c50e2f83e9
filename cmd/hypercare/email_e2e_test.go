package main

import (
	"bytes"
	"io"
	"mime/quotedprintable"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare/notify/email/smtptest"
)

// TestServeEmailPageAndActLink runs the binary as a user would: an e-mail
// contact method, a relay with STARTTLS and AUTH (its certificate trusted
// through SSL_CERT_FILE), a trigger, the e-mail, and its acknowledge link
// opened with GET (nothing changes) and then POST (acknowledged as Alice).
// The relay password appears nowhere in the server's output.
func TestServeEmailPageAndActLink(t *testing.T) {
	const password = "e2e-relay-password-7f3a"
	relay, err := smtptest.Start(smtptest.Options{Username: "oncall", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(relay.Close)
	certFile := filepath.Join(t.TempDir(), "relay.pem")
	if err := os.WriteFile(certFile, relay.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", certFile)
	t.Setenv("E2E_SMTP_PASSWORD", password)
	config := `teams: [{id: ops, name: Operations}]
users:
  - id: alice
    name: Alice
    contact_methods: [{id: alice-mail, type: email, address: alice@example.com}]
escalation_policies:
  - {id: ops, levels: [{targets: [{user: alice}], escalate_after_minutes: 5}]}
services:
  - {id: shop, name: Shop, team: ops, escalation_policy: ops, integrations: [{type: events-v2, key: ` + e2eEventsKey + `}]}
notify:
  allow_private_networks: true
  email: {host: 127.0.0.1, port: ` + strconv.Itoa(relay.Port()) + `, tls: starttls, username: oncall, password: "${E2E_SMTP_PASSWORD}", from: "Hypercare <oncall@example.com>"}
`
	forEachEngine(t, func(t *testing.T, storeArgs []string) {
		srv := startServerWithConfig(t, config, storeArgs)
		before := len(relay.Messages())
		if err := postTrigger(srv.URL, "mail-e2e"); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(15 * time.Second)
		for len(relay.Messages()) == before && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		msgs := relay.Messages()
		if len(msgs) != before+1 || !msgs[before].AuthTLS {
			t.Fatalf("relay got %d new messages (want 1, AUTH over TLS)", len(msgs)-before)
		}
		text, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(msgs[before].Data)))
		m := regexp.MustCompile(`Acknowledge: (\S+)`).FindSubmatch(text)
		if m == nil || !strings.HasPrefix(string(m[1]), srv.URL+"/act/") {
			t.Fatalf("no acknowledge link for %s in:\n%s", srv.URL, text)
		}
		link := string(m[1])
		resp, err := apiClient.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Acknowledge this incident?") {
			t.Fatalf("GET %d:\n%s", resp.StatusCode, page)
		}
		tok := createToken(t, storeArgs)
		if inc := srv.incident(t, tok, "1"); inc.Status != "triggered" {
			t.Fatalf("after GET the incident is %s", inc.Status)
		}
		resp, err = apiClient.Post(link, "application/x-www-form-urlencoded", nil)
		if err != nil {
			t.Fatal(err)
		}
		page, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "acknowledged by Alice") {
			t.Fatalf("POST %d:\n%s", resp.StatusCode, page)
		}
		code, timeline := srv.get(t, tok, "/api/v1/incidents/1/timeline")
		if code != 200 || !strings.Contains(string(timeline), `"actor":{"type":"user","id":"alice","name":"Alice"},"message":"Acknowledged by Alice via e-mail link"`) {
			t.Fatalf("timeline %d: %s", code, timeline)
		}
		if srv.log.contains(password) {
			t.Fatal("the server's output contains the relay password")
		}
	})
}
