package config

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// FuzzParse checks that Parse never panics and always returns exactly one
// of a valid config or a *ValidationError with located problems, and that
// whatever it accepts satisfies the rules the rest of Hypercare relies on.
func FuzzParse(f *testing.F) {
	example, err := os.ReadFile(examplePath)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(example),
		"",
		"teams: [{id: web, name: Web}]\n",
		with(okService, "      - {type: grafana, key: 11111111111111111111111111111111, secret: ${X}}"),
		"x-a: &a {type: generic}\nservices: [{id: s, name: S, integrations: [{<<: *a, key: 22222222222222222222222222222222}]}]\n",
		"teams: &t [*t]\n",
		"a: &a {<<: *a}\nteams: *a\n",
		"ingest: {rate_limit_per_minute: 0x10, max_body_bytes: 1e3}\n",
		"--- \nteams: []\n---\n",
		"? [a]\n: b\n",
		designExample,
		brokenFile,
		"services: [{id: s, name: S, rules: [{id: a, when: 'severity == \"x\"', then: {route: s, priority: P1}}]}]\nrules: [{id: b, when: |\n    labels.team == \"x\" &&\n      sevrity == 1\n  , then: {summary: '\"x\" + source', links: [{href: 'https://x'}]}}]\n",
		"users: [{id: a, name: A, contact_methods: [{id: m, type: sms, address: +15005550006, verified: false}], notification_rules: [{contact_method: m, after_minutes: 1, urgency: low}]}]\n",
		"users: [{id: a, name: A}]\nschedules: [{id: s, time_zone: Europe/London, layers: [{id: l, start: '2026-03-29T01:30', shift: 1d, users: [a], restrictions: [{days: [sun], from: '22:00', to: '06:00'}]}], overrides: [{user: a, start: '2026-03-29T01:00', end: '2026-03-29T03:00:00+01:00'}], temporary: [{id: t, start: '2026-10-25T00:00', end: '2026-10-26T00:00', layers: [{id: x, start: '2026-10-25T01:30', shift: 1h, users: [a]}]}]}]\n",
		"users: [{id: a, name: A}]\nschedules: [{id: s, time_zone: UTC, layers: [{id: l, start: '2026-01-01T00:00', shift: 12h, users: [a]}]}]\nescalation_policies: [{id: p, repeat: 1, ack_timeout_minutes: 30, levels: [{targets: [{user: a}, {schedule: s}], escalate_after_minutes: 1, mode: round_robin}]}]\nservices: [{id: x, name: X, escalation_policy: p}]\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := parse("fuzz.yaml", data, noEnv)
		if err != nil {
			checkRejected(t, cfg, err)
			return
		}
		if cfg == nil {
			t.Fatal("nil config without an error")
		}
		checkAccepted(t, cfg)
	})
}

func checkRejected(t *testing.T, cfg *Config, err error) {
	t.Helper()
	var verr *ValidationError
	if cfg != nil || !errors.As(err, &verr) || len(verr.Problems) == 0 {
		t.Fatalf("got config %v and error %T %v", cfg, err, err)
	}
	for _, p := range verr.Problems {
		if p.File != "fuzz.yaml" || p.Message == "" || p.Line < 0 || p.Column < 0 {
			t.Fatalf("malformed problem %+v", p)
		}
	}
	_ = verr.Error()
}

func checkAccepted(t *testing.T, cfg *Config) {
	t.Helper()
	if cfg.RateLimitPerMinute() < 0 || cfg.MaxBodyBytes() < 1 || cfg.MaxBodyBytes() > DefaultMaxBodyBytes {
		t.Fatalf("accepted ingest limits %d, %d", cfg.RateLimitPerMinute(), cfg.MaxBodyBytes())
	}
	keys := map[string]bool{}
	ids := map[string]bool{}
	_, services, integrations := cfg.Catalog()
	for _, s := range services {
		if !validID(s.ID) || s.Name == "" || !s.Active {
			t.Fatalf("accepted service %+v", s)
		}
	}
	for _, in := range integrations {
		if !validKey(in.Key) || keys[in.Key] || ids[in.ID] || in.ID == "" {
			t.Fatalf("accepted integration %+v (duplicate key or ID?)", in)
		}
		keys[in.Key], ids[in.ID] = true, true
	}
	checkAcceptedOncall(t, cfg, services)
}

// checkAcceptedOncall checks the invariants the paging engines rely on:
// every reference resolves, every rule has its contact method, every
// schedule is valid and every delay is in range.
func checkAcceptedOncall(t *testing.T, cfg *Config, services []hypercare.Service) {
	t.Helper()
	users := map[string]bool{}
	for _, u := range cfg.Users() {
		if !validID(u.ID) || users[u.ID] || !u.Role.Valid() {
			t.Fatalf("accepted user %+v", u)
		}
		users[u.ID] = true
		if len(u.NotificationRules) == 0 && len(u.ContactMethods) > 0 {
			t.Fatalf("user %s has contact methods but no rules", u.ID)
		}
		for _, r := range u.NotificationRules {
			if _, ok := u.ContactMethodByID(r.ContactMethod); !ok || r.After < 0 {
				t.Fatalf("user %s has rule %+v", u.ID, r)
			}
		}
	}
	schedules := map[string]bool{}
	for _, s := range cfg.Schedules() {
		if err := s.Validate(); err != nil {
			t.Fatalf("accepted an invalid schedule: %v", err)
		}
		schedules[s.ID] = true
		for _, l := range s.Layers {
			for _, u := range l.Users {
				if !users[u] {
					t.Fatalf("schedule %s names unknown user %q", s.ID, u)
				}
			}
		}
	}
	policies := map[string]bool{}
	for _, p := range cfg.EscalationPolicies() {
		policies[p.ID] = true
		if len(p.Levels) == 0 || p.Repeat < 0 || p.AckTimeout < 0 {
			t.Fatalf("accepted policy %+v", p)
		}
		for _, l := range p.Levels {
			if l.EscalateAfter < time.Minute || len(l.Targets) == 0 || (l.Mode != hypercare.NotifyAll && l.Mode != hypercare.RoundRobin) {
				t.Fatalf("accepted level %+v of policy %s", l, p.ID)
			}
			for _, tg := range l.Targets {
				if (tg.User == "") == (tg.Schedule == "") || tg.User != "" && !users[tg.User] || tg.Schedule != "" && !schedules[tg.Schedule] {
					t.Fatalf("accepted target %+v of policy %s", tg, p.ID)
				}
			}
		}
	}
	for _, s := range services {
		if s.EscalationPolicy != "" && !policies[s.EscalationPolicy] {
			t.Fatalf("service %s names unknown policy %q", s.ID, s.EscalationPolicy)
		}
	}
}
