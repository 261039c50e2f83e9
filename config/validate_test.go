package config

import (
	"errors"
	"strings"
	"testing"
)

// y joins lines into a YAML document, so line numbers in the tests below
// are easy to count.
func y(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// noEnv is an empty environment.
func noEnv(string) (string, bool) { return "", false }

// problemLines parses src as "hypercare.yaml" and returns the problems, one
// formatted line each; nil if the file is valid.
func problemLines(t *testing.T, src string, env lookupEnvFunc) []string {
	t.Helper()
	cfg, err := parse("hypercare.yaml", []byte(src), env)
	if err == nil {
		if cfg == nil {
			t.Fatal("parse returned neither a config nor an error")
		}
		return nil
	}
	if cfg != nil {
		t.Errorf("parse returned a config together with error %v", err)
	}
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("error is %T, want *ValidationError: %v", err, err)
	}
	if got := strings.Join(problemStrings(verr), "\n"); got != err.Error() {
		t.Errorf("Error() = %q, want one problem per line %q", err.Error(), got)
	}
	return problemStrings(verr)
}

func problemStrings(e *ValidationError) []string {
	out := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p.String()
	}
	return out
}

// A service with a valid integration, for cases about something else.
// Lines: 1 services, 2 id, 3 name, 4 integrations, 5 type, 6 key.
var okService = []string{
	"services:",
	"  - id: checkout",
	"    name: Checkout",
	"    integrations:",
	"      - type: events-v2",
	"        key: 0123456789abcdef0123456789abcdef",
}

func with(base []string, more ...string) string {
	return y(append(append([]string{}, base...), more...)...)
}

type problemCase struct {
	name string
	src  string
	want []string // complete list of problems, in order; nil means valid
}

func runProblemCases(t *testing.T, cases []problemCase, env lookupEnvFunc) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := problemLines(t, tc.src, env)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestParseSyntax covers empty files and YAML syntax errors, which carry the parser's position.
func TestParseSyntax(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"empty file", "", nil},
		{"only comments", "# nothing yet\n\n# still nothing\n", nil},
		{"only a document marker", "---\n", nil},
		{"byte order mark", "\ufeffteams: []\n", nil},
		{"CRLF line ends", "teams:\r\n  - id: Web\r\n    name: Web\r\n", []string{
			"hypercare.yaml:2:9: teams[0].id: must be 1 to 64 lowercase letters, digits, '-' or '_'",
		}},
		{"empty sections", y("teams: []", "services:", "ingest: {}", "notify:"), nil},
		{"unclosed flow list", y("teams: ["), []string{
			"hypercare.yaml:1:8: YAML syntax error: sequence end token ']' not found",
		}},
		{"unclosed quote", y("teams:", "  - id: 'web", "    name: Web"), []string{
			"hypercare.yaml:2:9: YAML syntax error: could not find end character of single-quoted text",
		}},
		{"tab indentation", y("teams:", "\t- id: web"), []string{
			"hypercare.yaml:2:1: YAML syntax error: found character '\t' that cannot start any token",
		}},
		{"duplicate key", y("teams: []", "teams: []"), []string{
			`hypercare.yaml:2:1: YAML syntax error: mapping key "teams" already defined at [1:1]`,
		}},
		{"brackets nested too deep", "teams:\n  - " + strings.Repeat("[", 101) + strings.Repeat("]", 101) + "\n", []string{
			"hypercare.yaml:2:105: brackets are nested more than 100 deep",
		}},
		{"brackets nested deep but not too deep", "x-a: " + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "\n", nil},
		{"two documents", y("teams: []", "---", "services: []"), []string{
			"hypercare.yaml:3:1: only one YAML document is allowed in a config file",
		}},
		{"top level is a list", y("- teams"), []string{
			"hypercare.yaml:1:1: the file must be a mapping of sections (teams:, services:, ...), not a list",
		}},
	}, noEnv)
}

// TestParseUnknownKeys covers strict keys at every level and the sections planned for later.
func TestParseUnknownKeys(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"unknown top-level key", y("teams: []", "servics: []"), []string{
			`hypercare.yaml:2:1: servics: unknown field "servics" (allowed: teams, users, schedules, escalation_policies, services, ingest, notify, rules, hypercare_windows, runbooks, maintenance, retention, server)`,
		}},
		{"unknown key in a team", y("teams:", "  - id: web", "    name: Web", "    lead: alice"), []string{
			`hypercare.yaml:4:5: teams[0].lead: unknown field "lead" (allowed: id, name)`,
		}},
		{"unknown key in an integration", with(okService, "        secrt: x"), []string{
			`hypercare.yaml:7:9: services[0].integrations[0].secrt: unknown field "secrt" (allowed: id, type, key, name, secret, incident_per)`,
		}},
		{"unknown key in ingest", y("ingest:", "  burst: 10"), []string{
			`hypercare.yaml:2:3: ingest.burst: unknown field "burst" (allowed: rate_limit_per_minute, max_body_bytes, max_batch_body_bytes)`,
		}},
		{"unknown key with explicit-key syntax", y("? nonsense", ": 1"), []string{
			`hypercare.yaml:1:1: nonsense: unknown field "nonsense" (allowed: teams, users, schedules, escalation_policies, services, ingest, notify, rules, hypercare_windows, runbooks, maintenance, retention, server)`,
		}},
		{"every section of DESIGN.md is supported", y("users: []", "teams: []", "schedules: []", "escalation_policies: []",
			"rules: []", "maintenance: []", "hypercare_windows: []", "runbooks: []"), nil},
		{"planned section name is only special at the top", y("ingest:", "  users: 1"), []string{
			`hypercare.yaml:2:3: ingest.users: unknown field "users" (allowed: rate_limit_per_minute, max_body_bytes, max_batch_body_bytes)`,
		}},
		{"extension keys are ignored", y("x-anything:", "  whatever: [1, 2]", "teams: []"), nil},
	}, noEnv)
}

// TestParseValueKinds covers values of the wrong YAML kind, aliases and tags.
func TestParseValueKinds(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"section of the wrong kind", y("teams: web"), []string{
			"hypercare.yaml:1:8: teams: must be a list, not a string",
		}},
		{"list item of the wrong kind", with(okService, `  - "search"`), []string{
			"hypercare.yaml:7:5: services[1]: must be a mapping of keys to values, not a string",
		}},
		{"string field given a list", y("teams:", "  - id: web", "    name: [Web]"), []string{
			"hypercare.yaml:3:11: teams[0].name: must be a string, not a list",
		}},
		{"integer field given a string", y("ingest:", "  rate_limit_per_minute: lots"), []string{
			"hypercare.yaml:2:26: ingest.rate_limit_per_minute: must be a whole number, not a string",
		}},
		{"integer field given a fraction", y("ingest:", "  rate_limit_per_minute: 1.5"), []string{
			"hypercare.yaml:2:26: ingest.rate_limit_per_minute: must be a whole number, not a number",
		}},
		{"integer too large", y("ingest:", "  max_body_bytes: 18446744073709551615"), []string{
			"hypercare.yaml:2:19: ingest.max_body_bytes: number is too large",
		}},
		{"boolean field given yes", y("notify:", "  allow_private_networks: yes"), []string{
			"hypercare.yaml:2:27: notify.allow_private_networks: must be true or false, not a string",
		}},
		{"unknown alias", y("teams: *web"), []string{
			"hypercare.yaml:1:8: teams: alias *web refers to no earlier anchor",
		}},
		{"custom tag", y("teams: !include teams.yaml"), []string{
			"hypercare.yaml:1:8: teams: unsupported YAML tag !include",
		}},
		{"standard tag", y("teams:", "  - id: !!str 42", "    name: Answer"), nil},
		{"self-referencing merge", y("teams:", "  - &t", "    id: web", "    name: Web", "    <<: *t"), []string{
			"hypercare.yaml:5:9: teams[0].<<: merge keys nest too deeply (does an anchor merge itself?)",
		}},
	}, noEnv)
}

const (
	id64 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	id65 = id64 + "a"
)

// TestParseTeamRules covers required team fields, the ID format and duplicate IDs.
func TestParseTeamRules(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"team required fields", y(
			"teams:",
			"  - name: Web",
			"  - id: web",
			"  - id: ops",
			`    name: "  "`,
		), []string{
			"hypercare.yaml:2:5: teams[0].id: is required",
			"hypercare.yaml:3:5: teams[1].name: is required",
			"hypercare.yaml:5:11: teams[2].name: is required",
		}},
		{"empty list item", y("teams:", "  -", "  - id: web", "    name: Web"), []string{
			"hypercare.yaml:2:4: teams[0].id: is required",
			"hypercare.yaml:2:4: teams[0].name: is required",
		}},
		{"id format", y(
			"teams:",
			"  - id: Web",
			"    name: Web",
			"  - id: web team",
			"    name: Web",
			"  - id: "+id65,
			"    name: Long",
			"  - id: "+id64,
			"    name: Longest allowed",
			"  - id: a_b-9",
			"    name: Mixed",
		), []string{
			"hypercare.yaml:2:9: teams[0].id: must be 1 to 64 lowercase letters, digits, '-' or '_'",
			"hypercare.yaml:4:9: teams[1].id: must be 1 to 64 lowercase letters, digits, '-' or '_'",
			"hypercare.yaml:6:9: teams[2].id: must be 1 to 64 lowercase letters, digits, '-' or '_'",
		}},
		{"duplicate team and service ids", y(
			"teams:",
			"  - id: web",
			"    name: Web",
			"  - id: web",
			"    name: Web again",
			"services:",
			"  - id: shop",
			"    name: Shop",
			"  - id: shop",
			"    name: Shop again",
			"  - id: web",
			"    name: Same ID as a team is fine",
		), []string{
			`hypercare.yaml:4:9: teams[1].id: duplicate team ID "web", already used by teams[0] at line 2`,
			`hypercare.yaml:9:9: services[1].id: duplicate service ID "shop", already used by services[0] at line 7`,
		}},
	}, noEnv)
}

// TestParseServiceRules covers required service fields and references from services.
func TestParseServiceRules(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"service required fields", y("services:", "  - description: neither id nor name"), []string{
			"hypercare.yaml:2:5: services[0].id: is required",
			"hypercare.yaml:2:5: services[0].name: is required",
		}},
		{"service team must be declared", y(
			"teams:",
			"  - id: web",
			"    name: Web",
			"services:",
			"  - id: shop",
			"    name: Shop",
			"    team: wbe",
			"  - id: blog",
			"    name: Blog",
			"    team: web",
		), []string{
			`hypercare.yaml:7:11: services[0].team: team "wbe" is not declared under teams`,
		}},
		{"escalation policy must be declared", y(
			"escalation_policies:",
			"  - {id: web, levels: [{targets: [{user: ann}], escalate_after_minutes: 5}]}",
			"users: [{id: ann, name: Ann}]",
			"services:",
			"  - id: shop",
			"    name: Shop",
			"    escalation_policy: Web Team",
			"  - id: blog",
			"    name: Blog",
			"    escalation_policy: wbe",
			"  - id: news",
			"    name: News",
			"    escalation_policy: web",
			"  - id: wiki",
			"    name: No policy is fine",
		), []string{
			`hypercare.yaml:7:24: services[0].escalation_policy: escalation policy "Web Team" is not declared under escalation_policies`,
			`hypercare.yaml:10:24: services[1].escalation_policy: escalation policy "wbe" is not declared under escalation_policies`,
		}},
	}, noEnv)
}

// TestParseIntegrationRules covers integration types, keys, secrets and IDs.
func TestParseIntegrationRules(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"integration required fields", y(
			"services:",
			"  - id: shop",
			"    name: Shop",
			"    integrations:",
			"      - name: Datadog",
			"      - type: generic",
			"      - key: 0123456789abcdef0123456789abcdef",
		), []string{
			"hypercare.yaml:5:9: services[0].integrations[0].type: is required",
			"hypercare.yaml:5:9: services[0].integrations[0].key: is required",
			"hypercare.yaml:6:9: services[0].integrations[1].key: is required",
			"hypercare.yaml:7:9: services[0].integrations[2].type: is required",
		}},
		{"integration type", with(okService,
			"      - type: pagerduty",
			"        key: 11111111111111111111111111111111",
		), []string{
			"hypercare.yaml:7:15: services[0].integrations[1].type: must be one of events-v2, alertmanager, grafana, generic",
		}},
		{"key format", with(okService,
			"      - type: generic",
			"        key: 0123456789ABCDEF0123456789abcdef",
			"      - type: generic",
			"        key: 0123456789abcdef0123456789abcde",
			"      - type: generic",
			"        key: 0123456789abcdef0123456789abcdeg",
			"      - type: generic",
			`        key: "0123456789abcdef0123456789abcdef "`,
			"      - type: generic",
			"        key: 12345678901234567890123456789012",
		), []string{
			"hypercare.yaml:8:14: services[0].integrations[1].key: must be 32 lowercase hex characters",
			"hypercare.yaml:10:14: services[0].integrations[2].key: must be 32 lowercase hex characters",
			"hypercare.yaml:12:14: services[0].integrations[3].key: must be 32 lowercase hex characters",
			"hypercare.yaml:14:14: services[0].integrations[4].key: must be 32 lowercase hex characters",
		}},
		{"same key twice anywhere", with(okService,
			"  - id: blog",
			"    name: Blog",
			"    integrations:",
			"      - type: alertmanager",
			"        key: 0123456789abcdef0123456789abcdef",
		), []string{
			"hypercare.yaml:11:14: services[1].integrations[0].key: routing key is already used by services[0].integrations[0] at line 5",
		}},
		{"secret only on grafana", with(okService,
			"        secret: s3cret",
			"      - type: grafana",
			"        key: 11111111111111111111111111111111",
			"        secret: s3cret",
		), []string{
			"hypercare.yaml:7:17: services[0].integrations[0].secret: is only allowed on grafana integrations",
		}},
		{"incident_per", with(okService,
			"        incident_per: group",
			"      - type: alertmanager",
			"        key: 11111111111111111111111111111111",
			"        incident_per: incident",
			"      - type: grafana",
			"        key: 22222222222222222222222222222222",
			"        incident_per: alert",
		), []string{
			"hypercare.yaml:7:23: services[0].integrations[0].incident_per: is only allowed on alertmanager and grafana integrations (only their notifications carry a group)",
			`hypercare.yaml:10:23: services[0].integrations[1].incident_per: must be "group" or "alert", got "incident"`,
		}},
		{"explicit integration ids", with(okService,
			"      - type: generic",
			"        id: checkout-events-v2",
			"        key: 11111111111111111111111111111111",
			"      - type: generic",
			"        id: Generic",
			"        key: 22222222222222222222222222222222",
		), []string{
			`hypercare.yaml:8:13: services[0].integrations[1].id: integration ID "checkout-events-v2" is already used by services[0].integrations[0] at line 5; give one of them a distinct id`,
			"hypercare.yaml:11:13: services[0].integrations[2].id: must be 1 to 64 lowercase letters, digits, '-' or '_'",
		}},
	}, noEnv)
}

// TestParseIngestRules covers the ingest limits.
func TestParseIngestRules(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"rate limit", y("ingest:", "  rate_limit_per_minute: -1"), []string{
			"hypercare.yaml:2:26: ingest.rate_limit_per_minute: must be 0 (unlimited) or more",
		}},
		{"rate limit zero is unlimited", y("ingest:", "  rate_limit_per_minute: 0"), nil},
		{"body limit zero", y("ingest:", "  max_body_bytes: 0"), []string{
			"hypercare.yaml:2:19: ingest.max_body_bytes: must be between 1 and 524288 (512 KiB)",
		}},
		{"body limit too large", y("ingest:", "  max_body_bytes: 524289"), []string{
			"hypercare.yaml:2:19: ingest.max_body_bytes: must be between 1 and 524288 (512 KiB)",
		}},
		{"body limit at the maximum", y("ingest:", "  max_body_bytes: 524288"), nil},
		{"batch body limit zero", y("ingest:", "  max_batch_body_bytes: 0"), []string{
			"hypercare.yaml:2:25: ingest.max_batch_body_bytes: must be between 1 and 67108864 (64 MiB)",
		}},
		{"batch body limit too large", y("ingest:", "  max_batch_body_bytes: 67108865"), []string{
			"hypercare.yaml:2:25: ingest.max_batch_body_bytes: must be between 1 and 67108864 (64 MiB)",
		}},
		{"batch body limit at the maximum", y("ingest:", "  max_batch_body_bytes: 67108864"), nil},
		{"bad field is reported once", y("teams:", "  - id: [web]", "    name: Web"), []string{
			"hypercare.yaml:2:9: teams[0].id: must be a string, not a list",
		}},
	}, noEnv)
}

func TestParseSecrets(t *testing.T) {
	env := func(name string) (string, bool) {
		v, ok := map[string]string{"GRAFANA_SECRET": "hmac-from-env", "EMPTY": ""}[name]
		return v, ok
	}
	grafana := func(secret string) string {
		return with(okService, "      - type: grafana", "        key: 11111111111111111111111111111111",
			"        secret: "+secret)
	}
	runProblemCases(t, []problemCase{
		{"set", grafana("${GRAFANA_SECRET}"), nil},
		{"literal", grafana("literal-secret"), nil},
		{"unset", grafana("${NOT_SET}"), []string{
			"hypercare.yaml:9:17: services[0].integrations[1].secret: environment variable NOT_SET is not set",
		}},
		{"empty", grafana("${EMPTY}"), []string{
			"hypercare.yaml:9:17: services[0].integrations[1].secret: environment variable EMPTY is empty",
		}},
		{"not the whole value", grafana("prefix-${GRAFANA_SECRET}"), []string{
			`hypercare.yaml:9:17: services[0].integrations[1].secret: to read the secret from the environment write "${NAME}", NAME being letters, digits and '_'`,
		}},
		{"bad name", grafana("${1X}"), []string{
			`hypercare.yaml:9:17: services[0].integrations[1].secret: to read the secret from the environment write "${NAME}", NAME being letters, digits and '_'`,
		}},
	}, env)

	for src, want := range map[string]string{
		grafana("${GRAFANA_SECRET}"): "hmac-from-env",
		grafana("literal-secret"):    "literal-secret",
	} {
		cfg, err := parse("hypercare.yaml", []byte(src), env)
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.Services[0].Integrations[1].Secret; got != want {
			t.Errorf("secret = %q, want %q", got, want)
		}
	}
}

// TestParseRefusesTextTheStoreCannotKeep checks that a NUL byte (a YAML
// "\0" or "\u0000" escape) in a string is reported at its line (the YAML
// parser already turns invalid UTF-8 into U+FFFD):
// otherwise `config validate` says ok and serve or a reload fails on the
// catalog write with no file:line.
func TestParseRefusesTextTheStoreCannotKeep(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"nul", y(
			`teams: [{id: web, name: "W\0eb"}]`,
			"services:",
			`  - {id: shop, name: "Shop", description: "a\u0000b"}`,
		), []string{
			"hypercare.yaml:1:25: teams[0].name: must not contain a NUL byte",
			"hypercare.yaml:3:43: services[0].description: must not contain a NUL byte",
		}},
	}, noEnv)
}
