package config

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/oncall"
)

// designExample is the hypercare.yaml excerpt of DESIGN.md §5, the public
// contract, verbatim.
var designExample = y(
	"users:",
	"  - id: alice",
	"    name: Alice Example",
	"    email: alice@example.com",
	"    time_zone: Europe/London",
	"    role: responder                      # admin | responder | viewer",
	"    contact_methods:",
	`      - {id: alice-phone, type: sms, address: "+447700900001"}`,
	`      - {id: alice-hook, type: webhook, address: "https://hooks.example.com/alice"}`,
	"    notification_rules:                  # minutes after the user is paged",
	"      - {contact_method: alice-hook, after_minutes: 0}",
	"      - {contact_method: alice-phone, after_minutes: 2, urgency: high}",
	"schedules:",
	"  - id: web-primary",
	"    time_zone: America/New_York          # handoffs are wall-clock times in this zone",
	"    layers:                              # later layers win over earlier ones",
	"      - id: weekly",
	`        start: "2026-11-02T09:00"        # local time of the first handoff`,
	"        shift: 1w                        # Nh, Nd or Nw",
	"        users: [alice, bob]",
	`        restrictions: [{days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00"}]`,
	"    overrides:",
	`      - {user: carol, start: "2026-11-27T00:00", end: "2026-11-28T00:00"}`,
	"escalation_policies:",
	"  - id: web",
	"    repeat: 2                            # times the whole policy runs again after the last level",
	"    levels:",
	"      - {targets: [{schedule: web-primary}], escalate_after_minutes: 5}",
	"      - {targets: [{user: carol}], escalate_after_minutes: 10}",
	"services:",
	"  - {id: checkout, name: Checkout, team: web, escalation_policy: web,",
	"     integrations: [{type: events-v2, key: 0123456789abcdef0123456789abcdef}]}",
	"notify:",
	"  allow_private_networks: false          # outbound calls to loopback/private addresses (tests, on-prem)",
)

func TestDesignExample(t *testing.T) {
	// The excerpt refers to the team web and the users bob and carol
	// without declaring them; add them.
	if strings.Count(designExample, "\nschedules:\n") != 1 {
		t.Fatal("cannot find where users end")
	}
	src := strings.Replace(designExample, "\nschedules:\n",
		"\n  - {id: bob, name: Bob Example}\n  - {id: carol, name: Carol Example}\nschedules:\n", 1) +
		"teams: [{id: web, name: Web}]\n"
	cfg := mustParse(t, src)

	if got := cfg.Users()[0]; !reflect.DeepEqual(got, hypercare.User{
		ID: "alice", Name: "Alice Example", Email: "alice@example.com", TimeZone: "Europe/London",
		Role: hypercare.RoleResponder,
		ContactMethods: []hypercare.ContactMethod{
			{ID: "alice-phone", Type: hypercare.ContactSMS, Address: "+447700900001", Verified: true},
			{ID: "alice-hook", Type: hypercare.ContactWebhook, Address: "https://hooks.example.com/alice", Verified: true},
		},
		NotificationRules: []hypercare.NotificationRule{
			{ContactMethod: "alice-hook"},
			{ContactMethod: "alice-phone", After: 2 * time.Minute, Urgency: hypercare.UrgencyHigh},
		},
	}) {
		t.Errorf("alice = %+v", got)
	}

	schedules := cfg.Schedules()
	if len(schedules) != 1 {
		t.Fatalf("%d schedules", len(schedules))
	}
	s := schedules[0]
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	wantLayers := []oncall.Layer{{
		ID:    "weekly",
		Start: oncall.LocalDateTime{Year: 2026, Month: time.November, Day: 2, Hour: 9},
		Shift: 7 * 24 * time.Hour,
		Users: []string{"alice", "bob"},
		Restrictions: []oncall.Restriction{{
			Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
			From: oncall.TimeOfDay{Hour: 9}, To: oncall.TimeOfDay{Hour: 17},
		}},
	}}
	if s.ID != "web-primary" || s.TimeZone.String() != "America/New_York" || !reflect.DeepEqual(s.Layers, wantLayers) {
		t.Errorf("schedule = %+v", s)
	}
	if len(s.Overrides) != 1 || s.Overrides[0].User != "carol" ||
		!s.Overrides[0].Start.Equal(time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC)) ||
		!s.Overrides[0].End.Equal(time.Date(2026, 11, 28, 5, 0, 0, 0, time.UTC)) {
		t.Errorf("overrides = %+v", s.Overrides)
	}
	// And the schedule means what the excerpt says.
	for _, tc := range []struct {
		at   time.Time
		user string
	}{
		{time.Date(2026, 11, 2, 10, 0, 0, 0, ny), "alice"},  // first week, business hours
		{time.Date(2026, 11, 2, 18, 0, 0, 0, ny), ""},       // after hours: nobody
		{time.Date(2026, 11, 10, 10, 0, 0, 0, ny), "bob"},   // second week
		{time.Date(2026, 11, 14, 10, 0, 0, 0, ny), ""},      // Saturday
		{time.Date(2026, 11, 27, 23, 0, 0, 0, ny), "carol"}, // override, Black Friday night
	} {
		if u, _ := s.OnCall(tc.at); u != tc.user {
			t.Errorf("OnCall(%v) = %q, want %q", tc.at, u, tc.user)
		}
	}

	wantPolicies := []hypercare.EscalationPolicy{{
		ID: "web", Repeat: 2,
		Levels: []hypercare.EscalationLevel{
			{Targets: []hypercare.Target{{Schedule: "web-primary"}}, Mode: hypercare.NotifyAll, EscalateAfter: 5 * time.Minute},
			{Targets: []hypercare.Target{{User: "carol"}}, Mode: hypercare.NotifyAll, EscalateAfter: 10 * time.Minute},
		},
	}}
	if got := cfg.EscalationPolicies(); !reflect.DeepEqual(got, wantPolicies) {
		t.Errorf("policies = %+v\nwant %+v", got, wantPolicies)
	}
	_, services, _ := cfg.Catalog()
	if len(services) != 1 || services[0].ID != "checkout" || services[0].EscalationPolicy != "web" {
		t.Errorf("services = %+v", services)
	}
	if cfg.AllowPrivateNetworks() {
		t.Error("AllowPrivateNetworks() = true")
	}
}

// TestExampleOnCall checks that examples/hypercare.yaml has what it
// promises (TestExampleValidates checks it validates): users across the
// teams reachable by webhook, a schedule per team, a follow-the-sun
// schedule, a Black Friday roster with overrides, and a policy on every
// service, and that the schedules mean what their comments say.
func TestExampleOnCall(t *testing.T) {
	cfg, err := Load(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	users := cfg.Users()
	if len(users) < 6 || len(users) > 8 {
		t.Errorf("%d users, want 6 to 8", len(users))
	}
	teams := map[string]bool{}
	for _, u := range users {
		hook := false
		for _, cm := range u.ContactMethods {
			hook = hook || cm.Type == hypercare.ContactWebhook && strings.HasPrefix(cm.Address, "https://hooks.example.com/")
		}
		if !hook {
			t.Errorf("user %s has no webhook at hooks.example.com", u.ID)
		}
		for _, team := range u.Teams {
			teams[team] = true
		}
	}
	if len(teams) != 3 {
		t.Errorf("users are in teams %v, want all three", teams)
	}
	var policies []string
	roundRobin := false
	for _, p := range cfg.EscalationPolicies() {
		policies = append(policies, p.ID)
		for _, l := range p.Levels {
			roundRobin = roundRobin || l.Mode == hypercare.RoundRobin
		}
	}
	if want := []string{"web", "payments", "platform"}; !reflect.DeepEqual(policies, want) || !roundRobin {
		t.Errorf("policies = %v (round robin: %v), want %v with a round_robin level", policies, roundRobin, want)
	}
	for _, s := range cfg.Services {
		if s.EscalationPolicy == "" {
			t.Errorf("service %s has no escalation policy", s.ID)
		}
	}

	schedules := map[string]*oncall.Schedule{}
	for _, s := range cfg.Schedules() {
		schedules[s.ID] = s
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	at := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, london)
	}
	for _, tc := range []struct {
		schedule string
		at       time.Time
		user     string
	}{
		{"platform-follow-the-sun", at(11, 4, 10), "grace"},  // Wednesday, London's day
		{"platform-follow-the-sun", at(11, 4, 18), "heidi"},  // New York's day
		{"platform-follow-the-sun", at(11, 5, 2), "ivan"},    // Sydney's day
		{"platform-follow-the-sun", at(11, 9, 6), "ivan"},    // Monday early, from Sunday's window
		{"platform-follow-the-sun", at(11, 14, 12), "heidi"}, // Saturday: the weekly rotation, week 2
		{"web-primary", at(11, 10, 12), "bob"},               // week 2 of the weekly rotation
		{"web-primary", at(11, 12, 20), "carol"},             // override
		{"web-primary", at(11, 27, 13), "bob"},               // Black Friday roster, second turn
		{"web-primary", at(11, 28, 13), "carol"},             // override inside the roster
		{"web-primary", at(11, 30, 13), "erin"},              // Cyber Monday afternoon
		{"web-primary", at(12, 1, 13), "bob"},                // back to the weekly rotation, week 5
		{"payments-primary", at(11, 27, 20), "dave"},         // Black Friday override
		{"payments-primary", at(11, 30, 20), "erin"},         // Cyber Monday override
	} {
		s := schedules[tc.schedule]
		if s == nil {
			t.Fatalf("no schedule %s", tc.schedule)
		}
		if u, _ := s.OnCall(tc.at); u != tc.user {
			t.Errorf("%s at %v: %q on call, want %q", tc.schedule, tc.at, u, tc.user)
		}
	}
	if bf := schedules["web-primary"].Temporary; len(bf) != 1 || !bf[0].Start.Equal(at(11, 27, 0)) || !bf[0].End.Equal(at(12, 1, 0)) {
		t.Errorf("web-primary temporary = %+v, want Black Friday 2026-11-27 to 2026-12-01", bf)
	}
}
