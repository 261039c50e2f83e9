package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
)

const examplePath = "../examples/hypercare.yaml"

func TestExampleValidates(t *testing.T) {
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	// An empty environment: the example must not depend on any variable.
	cfg, err := parse(examplePath, data, noEnv)
	if err != nil {
		t.Fatalf("example does not validate:\n%v", err)
	}
	var teams, services []string
	for _, tm := range cfg.Teams {
		teams = append(teams, tm.ID)
	}
	types := map[hypercare.IntegrationType]bool{}
	for _, s := range cfg.Services {
		services = append(services, s.ID)
		if len(s.Integrations) == 0 {
			t.Errorf("service %s has no integrations", s.ID)
		}
		if s.Team == "" || s.Description == "" {
			t.Errorf("service %s lacks a team or a description", s.ID)
		}
		for _, in := range s.Integrations {
			types[in.Type] = true
		}
	}
	if want := []string{"web", "platform", "payments"}; !slices.Equal(teams, want) {
		t.Errorf("teams = %v, want %v", teams, want)
	}
	if want := []string{"storefront", "checkout", "payments", "search", "inventory", "cdn"}; !slices.Equal(services, want) {
		t.Errorf("services = %v, want %v", services, want)
	}
	if len(types) != 4 {
		t.Errorf("example uses integration types %v, want all four", types)
	}
}

func TestLoad(t *testing.T) {
	if _, err := Load(examplePath); err != nil {
		t.Fatalf("Load(example): %v", err)
	}

	_, err := Load(filepath.Join(t.TempDir(), "missing.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want an error wrapping fs.ErrNotExist", err)
	}

	path := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(path, []byte("teams: []\nbogus: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path)
	want := path + `:2:1: bogus: unknown field "bogus" (allowed: teams, users, schedules, escalation_policies, services, ingest, notify, rules, hypercare_windows, runbooks, maintenance, retention, server)`
	if err == nil || err.Error() != want {
		t.Errorf("Load(bad) = %v, want %s", err, want)
	}
}

func TestDefaults(t *testing.T) {
	cases := []struct {
		name      string
		cfg       func(t *testing.T) *Config
		rate      int
		body      int64
		private   bool
		wantEmpty bool
	}{
		{"nil config", func(*testing.T) *Config { return nil }, 6000, 524288, false, false},
		{"zero config", func(*testing.T) *Config { return &Config{} }, 6000, 524288, false, true},
		{"empty file", func(t *testing.T) *Config { return mustParse(t, "") }, 6000, 524288, false, true},
		{"explicit values", func(t *testing.T) *Config {
			return mustParse(t, y("ingest:", "  rate_limit_per_minute: 0", "  max_body_bytes: 1024",
				"  max_batch_body_bytes: 2048", "notify:", "  allow_private_networks: true"))
		}, 0, 1024, true, false},
		{"null values", func(t *testing.T) *Config {
			return mustParse(t, y("ingest:", "  rate_limit_per_minute:", "  max_body_bytes: ~"))
		}, 6000, 524288, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg(t)
			if got := cfg.RateLimitPerMinute(); got != tc.rate {
				t.Errorf("RateLimitPerMinute() = %d, want %d", got, tc.rate)
			}
			if got := cfg.MaxBodyBytes(); got != tc.body {
				t.Errorf("MaxBodyBytes() = %d, want %d", got, tc.body)
			}
			batch := DefaultMaxBatchBodyBytes
			if tc.body == 1024 {
				batch = 2048
			}
			if got := cfg.MaxBatchBodyBytes(); got != batch {
				t.Errorf("MaxBatchBodyBytes() = %d, want %d", got, batch)
			}
			if got := cfg.AllowPrivateNetworks(); got != tc.private {
				t.Errorf("AllowPrivateNetworks() = %v, want %v", got, tc.private)
			}
			if tc.wantEmpty && !reflect.DeepEqual(*cfg, Config{}) {
				t.Errorf("config = %+v, want the zero Config", *cfg)
			}
		})
	}
}

func mustParse(t *testing.T, src string) *Config {
	t.Helper()
	cfg, err := parse("hypercare.yaml", []byte(src), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestScalarsKeepTheirText(t *testing.T) {
	// Unquoted, these look like numbers and booleans to YAML; as string
	// fields they must keep exactly the text written.
	src := y(
		"services:",
		"  - id: 007",
		"    name: true",
		"    integrations:",
		"      - type: generic",
		"        key: 01234567890123456789012345678901",
	)
	cfg, err := parse("hypercare.yaml", []byte(src), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Services[0]
	if s.ID != "007" || s.Name != "true" || s.Integrations[0].Key != "01234567890123456789012345678901" {
		t.Errorf("got id %q, name %q, key %q", s.ID, s.Name, s.Integrations[0].Key)
	}
}

func TestAliasesAndMergeKeys(t *testing.T) {
	src := y(
		"x-defaults:",
		"  grafana: &grafana",
		"    type: grafana",
		"    name: Grafana",
		"services:",
		"  - id: shop",
		"    name: &name Shop",
		"    integrations:",
		"      - <<: *grafana",
		"        name: Grafana (shop)",
		"        key: 11111111111111111111111111111111",
		"      - <<: [{type: generic, name: first}, {name: second, key: 22222222222222222222222222222222}]",
		"  - id: shop2",
		"    name: *name",
	)
	cfg, err := parse("hypercare.yaml", []byte(src), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Services[0].Integrations
	want := []Integration{
		{ID: "shop-grafana", Type: "grafana", Name: "Grafana (shop)", Key: "11111111111111111111111111111111"},
		{ID: "shop-generic", Type: "generic", Name: "first", Key: "22222222222222222222222222222222"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("integrations = %+v\nwant %+v", got, want)
	}
	if name := cfg.Services[1].Name; name != "Shop" {
		t.Errorf("aliased name = %q, want Shop", name)
	}
}

// brokenFile has many problems; docs/config.md shows its output.
var brokenFile = y(
	"teams:",
	"  - id: Web",
	"users:",
	"  - id: alice",
	"    name: Alice",
	"    contact_methods:",
	`      - {id: phone, type: sms, address: "07700 900001"}`,
	"    notification_rules:",
	"      - {contact_method: pager, after_minutes: 2}",
	"schedules:",
	"  - id: web-primary",
	"    time_zone: America/NewYork",
	"    layers:",
	`      - {id: weekly, start: "2026-11-02T09:00", shift: 1w, users: [alice, bob]}`,
	"services:",
	"  - id: checkout",
	"    name: Checkout",
	"    team: payments",
	"    escalaton_policy: web",
	"    integrations:",
	"      - type: events-v2",
	"        key: 0123456789ABCDEF0123456789abcdef",
	"      - type: grafana",
	"        key: 0123456789abcdef0123456789abcdef",
	"        secret: ${GRAFANA_WEBHOOK_SECRET}",
	"  - id: checkout",
	"    name: Checkout again",
	"    escalation_policy: web",
	"    integrations:",
	"      - {type: prometheus, key: 0123456789abcdef0123456789abcdef}",
	"ingest:",
	"  max_body_bytes: 1048576",
)

func TestReportsAllProblems(t *testing.T) {
	got := problemLines(t, brokenFile, noEnv)
	want := []string{
		"hypercare.yaml:2:5: teams[0].name: is required",
		"hypercare.yaml:2:9: teams[0].id: must be 1 to 64 lowercase letters, digits, '-' or '_'",
		"hypercare.yaml:7:41: users[0].contact_methods[0].address: must be a phone number in E.164 form, such as +447700900001",
		`hypercare.yaml:9:26: users[0].notification_rules[0].contact_method: user "alice" has no contact method "pager"`,
		`hypercare.yaml:12:16: schedules[0].time_zone: must be an IANA time zone name such as Europe/London, not "America/NewYork"`,
		`hypercare.yaml:14:75: schedules[0].layers[0].users[1]: user "bob" is not declared under users`,
		`hypercare.yaml:18:11: services[0].team: team "payments" is not declared under teams`,
		`hypercare.yaml:19:5: services[0].escalaton_policy: unknown field "escalaton_policy" (allowed: id, name, description, team, escalation_policy, integrations, rules, depends_on, alert_grouping, pause_notifications_minutes, flapping, symptom_grace_minutes)`,
		"hypercare.yaml:22:14: services[0].integrations[0].key: must be 32 lowercase hex characters",
		"hypercare.yaml:25:17: services[0].integrations[1].secret: environment variable GRAFANA_WEBHOOK_SECRET is not set",
		`hypercare.yaml:26:9: services[1].id: duplicate service ID "checkout", already used by services[0] at line 16`,
		`hypercare.yaml:28:24: services[1].escalation_policy: escalation policy "web" is not declared under escalation_policies`,
		"hypercare.yaml:30:16: services[1].integrations[0].type: must be one of events-v2, alertmanager, grafana, generic",
		"hypercare.yaml:30:33: services[1].integrations[0].key: routing key is already used by services[0].integrations[1] at line 23",
		"hypercare.yaml:32:19: ingest.max_body_bytes: must be between 1 and 524288 (512 KiB)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestValidationErrorIsInvalidArgument(t *testing.T) {
	_, err := Parse("hypercare.yaml", []byte("teams: 1\nfoo: 2\n"))
	if code := hypercare.ErrorCode(err); code != hypercare.CodeInvalid {
		t.Fatalf("ErrorCode = %q, want %q", code, hypercare.CodeInvalid)
	}
	var herr *hypercare.Error
	if !errors.As(err, &herr) {
		t.Fatal("errors.As to *hypercare.Error failed")
	}
	want := []hypercare.FieldError{
		{Field: "teams", Message: "hypercare.yaml:1:8: must be a list, not a number"},
		{Field: "foo", Message: `hypercare.yaml:2:1: unknown field "foo" (allowed: teams, users, schedules, escalation_policies, services, ingest, notify, rules, hypercare_windows, runbooks, maintenance, retention, server)`},
	}
	if !reflect.DeepEqual(herr.Details, want) {
		t.Errorf("details = %+v\nwant %+v", herr.Details, want)
	}
}

func TestCatalog(t *testing.T) {
	src := y(
		"teams:",
		"  - {id: web, name: Web}",
		"users:",
		"  - {id: ann, name: Ann}",
		"escalation_policies:",
		"  - {id: web-policy, levels: [{targets: [{user: ann}], escalate_after_minutes: 5}]}",
		"services:",
		"  - id: shop",
		"    name: Shop",
		"    description: The shop.",
		"    team: web",
		"    escalation_policy: web-policy",
		"    integrations:",
		"      - {type: grafana, key: 11111111111111111111111111111111, name: G1, secret: s1}",
		"      - {type: events-v2, key: 22222222222222222222222222222222}",
		"      - {type: grafana, key: 33333333333333333333333333333333, incident_per: alert}",
		"      - {type: generic, key: 44444444444444444444444444444444, id: pinned}",
		"  - {id: blog, name: Blog}",
	)
	cfg, err := parse("hypercare.yaml", []byte(src), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	teams, services, integrations := cfg.Catalog()
	if want := []hypercare.Team{{ID: "web", Name: "Web"}}; !reflect.DeepEqual(teams, want) {
		t.Errorf("teams = %+v, want %+v", teams, want)
	}
	wantServices := []hypercare.Service{
		{ID: "shop", Name: "Shop", Description: "The shop.", TeamID: "web", EscalationPolicy: "web-policy", Active: true},
		{ID: "blog", Name: "Blog", Active: true},
	}
	if !reflect.DeepEqual(services, wantServices) {
		t.Errorf("services = %+v\nwant %+v", services, wantServices)
	}
	wantIntegrations := []hypercare.Integration{
		{ID: "shop-grafana", ServiceID: "shop", Type: "grafana", Key: "11111111111111111111111111111111", Secret: "s1", Name: "G1",
			GroupIncidents: true}, // incident_per: group is the default where notifications carry a group
		{ID: "shop-events-v2", ServiceID: "shop", Type: "events-v2", Key: "22222222222222222222222222222222"},
		{ID: "shop-grafana-2", ServiceID: "shop", Type: "grafana", Key: "33333333333333333333333333333333"},
		{ID: "pinned", ServiceID: "shop", Type: "generic", Key: "44444444444444444444444444444444"},
	}
	if !reflect.DeepEqual(integrations, wantIntegrations) {
		t.Errorf("integrations = %+v\nwant %+v", integrations, wantIntegrations)
	}

	// A Config built by hand, without Parse, gets the same derived IDs.
	hand := &Config{Services: []Service{{ID: "shop", Integrations: []Integration{{Type: "grafana"}, {Type: "grafana"}}}}}
	_, _, got := hand.Catalog()
	if got[0].ID != "shop-grafana" || got[1].ID != "shop-grafana-2" {
		t.Errorf("hand-built IDs = %q, %q", got[0].ID, got[1].ID)
	}
}

func TestCatalogIsStable(t *testing.T) {
	// Reordering integrations of different types must not change IDs, so
	// re-applying an edited file keeps the history attached to them.
	a := y("services:", "  - {id: s, name: S, integrations: [",
		"      {type: grafana, key: 11111111111111111111111111111111},",
		"      {type: generic, key: 22222222222222222222222222222222}]}")
	b := y("services:", "  - {id: s, name: S, integrations: [",
		"      {type: generic, key: 22222222222222222222222222222222},",
		"      {type: grafana, key: 11111111111111111111111111111111}]}")
	idsByKey := func(src string) map[string]string {
		cfg, err := parse("hypercare.yaml", []byte(src), noEnv)
		if err != nil {
			t.Fatal(err)
		}
		_, _, ins := cfg.Catalog()
		m := map[string]string{}
		for _, in := range ins {
			m[in.Key] = in.ID
		}
		return m
	}
	if ia, ib := idsByKey(a), idsByKey(b); !reflect.DeepEqual(ia, ib) {
		t.Errorf("IDs changed with order: %v vs %v", ia, ib)
	}
}

func TestAliasExpansionIsBounded(t *testing.T) {
	// 1,000 aliases to a list of 1,000 integrations would be a million
	// integrations; Parse must stop early with a problem, not try.
	var b strings.Builder
	b.WriteString("x-many: &many [")
	for i := range 1000 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("{type: generic}")
	}
	b.WriteString("]\nservices:\n")
	for i := range 1000 {
		b.WriteString("  - {id: s" + strconv.Itoa(i) + ", name: S, integrations: *many}\n")
	}
	_, err := parse("hypercare.yaml", []byte(b.String()), noEnv)
	var verr *ValidationError
	if !errors.As(err, &verr) || len(verr.Problems) != 1 ||
		verr.Problems[0].Message != "file is too complex (too many aliased values)" {
		t.Fatalf("err = %.300v", err)
	}
}
