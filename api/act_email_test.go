package api_test

import (
	"bytes"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/actlink"
	"github.com/hypercare/hypercare/notify/email"
	"github.com/hypercare/hypercare/notify/email/smtptest"
	"github.com/hypercare/hypercare/storetest"
)

// End to end over real protocols: a trigger pages Alice by e-mail through
// a real SMTP server, and the acknowledge link in that e-mail acknowledges
// the incident as Alice.
func TestEmailPageAcknowledgedFromItsLink(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		relay, err := smtptest.Start(smtptest.Options{Username: "oncall", Password: "relay-pass"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(relay.Close)
		alice := hypercare.User{ID: "alice", Name: "Alice", Role: hypercare.RoleResponder,
			ContactMethods:    []hypercare.ContactMethod{{ID: "alice-mail", Type: hypercare.ContactEmail, Address: "alice@example.com"}},
			NotificationRules: []hypercare.NotificationRule{{ContactMethod: "alice-mail"}}}
		policy := hypercare.EscalationPolicy{ID: "web", Levels: []hypercare.EscalationLevel{
			{Targets: []hypercare.Target{{User: "alice"}}, EscalateAfter: time.Hour}}}
		dir := escalate.NewDirectory([]hypercare.User{alice}, nil, []hypercare.EscalationPolicy{policy},
			[]hypercare.Service{{ID: "checkout", EscalationPolicy: "web"}}, nil)
		signer, _ := actlink.NewSigner([]byte("act-test-key-0123456789abcdef"), 0)
		st := eng.Open(t)
		p := &pager{}
		p.env = newEnvWith(t, st, 0, func(in *intake.Intake, clk *clocktest.Clock, opts *api.Options) {
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			p.esc = escalate.New(st, clk, dir, log)
			mailer, err := email.New(email.Config{Host: relay.Host(), Port: relay.Port(), Username: "oncall", Password: "relay-pass",
				From: "Hypercare <oncall@example.com>", RootCAs: relay.RootCAs(), Clock: clk,
				Net: notify.NetOptions{AllowPrivateNetworks: true}})
			if err != nil {
				t.Fatal(err)
			}
			channels := notify.NewRegistry()
			channels.Register(hypercare.ContactEmail, mailer)
			p.delivery = notify.NewEngine(st, clk, channels, func() notify.Directory { return p.esc.Directory() }, log)
			in.SetPolicies(dir.PoliciesByService(), nil)
			opts.Escalation, opts.Actions = p.esc, signer
		})
		p.delivery.SetLinks(actlink.Links{Base: p.url, Signer: signer})
		a := &actEnv{pager: p}

		a.send(trigger(keyCheckout, "checkout-5xx", "Checkout 5xx above 5%"))
		if _, err := a.esc.RunDue(t.Context()); err != nil {
			t.Fatal(err)
		}
		if _, err := a.delivery.RunDue(t.Context()); err != nil {
			t.Fatal(err)
		}
		msg, err := relay.Last()
		if err != nil {
			t.Fatal(err)
		}
		text, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(msg.Data)))
		m := regexp.MustCompile(`Acknowledge: (\S+)`).FindSubmatch(text)
		if m == nil || !strings.HasPrefix(string(m[1]), a.url+"/act/") {
			t.Fatalf("no acknowledge link in the e-mail:\n%s", text)
		}
		if code, body, _ := a.open("POST", string(m[1])); code != http.StatusOK || !strings.Contains(body, "#1 acknowledged by Alice") {
			t.Fatalf("POST = %d:\n%s", code, body)
		}
		status, tl := a.state()
		var who []string
		for _, e := range tl {
			who = append(who, e.Type+" by "+e.Actor.Name)
		}
		if status != hypercare.StatusAcknowledged || !strings.Contains(strings.Join(who, "; "), "notified by Hypercare; acknowledged by Alice") {
			t.Fatalf("status %s, timeline %q", status, who)
		}
	})
}
