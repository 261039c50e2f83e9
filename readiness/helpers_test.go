package readiness_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the same zone data on every machine

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/readiness"
)

// users declares people reachable by webhook at any urgency (ann, bob,
// cat), by SMS only (sam), and by webhook at low urgency only (lou).
const users = `
users:
  - {id: ann, name: Ann, contact_methods: [{id: h, type: webhook, address: "https://h.example.com/ann"}]}
  - {id: bob, name: Bob, contact_methods: [{id: h, type: webhook, address: "https://h.example.com/bob"}]}
  - {id: cat, name: Cat, contact_methods: [{id: h, type: webhook, address: "https://h.example.com/cat"}]}
  - {id: sam, name: Sam, contact_methods: [{id: s, type: sms, address: "+447700900001"}]}
  - id: lou
    name: Lou
    contact_methods: [{id: h, type: webhook, address: "https://h.example.com/lou"}]
    notification_rules: [{contact_method: h, urgency: low}]
`

// setup parses a config made of users and the given sections, and
// returns its catalog (webhook delivered) and its only window.
func setup(t *testing.T, sections string) (*readiness.Catalog, hypercare.Window) {
	t.Helper()
	cfg, err := config.Parse("test.yaml", []byte(users+sections))
	if err != nil {
		t.Fatalf("config:\n%v", err)
	}
	c := readiness.FromConfig(cfg, []hypercare.ContactType{hypercare.ContactWebhook})
	if len(c.Windows) != 1 {
		t.Fatalf("want one window, got %d", len(c.Windows))
	}
	return c, c.Windows[0]
}

// lines renders findings as "kind user|service|policy from to" with UTC
// times, the form the tables are written in; kinds outside only are
// dropped (nil: keep all).
func lines(r readiness.Report, only ...readiness.Kind) []string {
	var out []string
	for _, f := range r.Findings {
		keep := len(only) == 0
		for _, k := range only {
			keep = keep || f.Kind == k
		}
		if !keep {
			continue
		}
		s := fmt.Sprintf("%s %s %s|%s|%s", f.Kind, f.Severity, f.User, f.Service, f.Policy)
		if f.From != nil {
			s += " " + f.From.UTC().Format("01-02T15:04")
		}
		if f.To != nil {
			s += " " + f.To.UTC().Format("01-02T15:04")
		}
		out = append(out, s)
	}
	return out
}

func check(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// before is an evaluation time before every window in the tests.
var before = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
