package replay_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/replay"
)

// graceConfig: api depends on db; db's incidents wait 10 minutes for
// their symptoms to clear once db recovered.
const graceConfig = `
users:
  - id: alice
    name: Alice
    contact_methods: [{id: alice-hook, type: webhook, address: "https://hooks.example.com/alice"}]
  - id: bob
    name: Bob
    contact_methods: [{id: bob-hook, type: webhook, address: "https://hooks.example.com/bob"}]
escalation_policies:
  - id: ops
    name: Operations
    levels:
      - {targets: [{user: alice}], escalate_after_minutes: 30}
      - {targets: [{user: bob}], escalate_after_minutes: 10}
services:
  - id: db
    name: Database
    escalation_policy: ops
    symptom_grace_minutes: 10
    integrations: [{type: events-v2, name: DB monitor, key: 33333333333333333333333333333333}]
  - id: api
    name: API
    escalation_policy: ops
    depends_on: [db]
    integrations: [{type: events-v2, name: Datadog, key: 11111111111111111111111111111111}]
`

// TestSymptomPersistingPastGracePages: the database fails (Alice is
// paged) and recovers at 10:03; the API alert it caused at 10:01 was its
// symptom, but still fires at 10:13, when the grace ends: the replay pages
// it then, on the simulated clock, as its own incident (and Bob after the
// level's 30 minutes). A second API symptom that clears at 10:06 pages
// nobody.
func TestSymptomPersistingPastGracePages(t *testing.T) {
	cfg, err := config.Parse("grace.yaml", []byte(graceConfig))
	if err != nil {
		t.Fatal(err)
	}
	event := func(hhmm, key, action, dedup string) string {
		return fmt.Sprintf(`{"received_at":"2026-11-27T%s:00Z","key":"%s","body":{"event_action":%q,"dedup_key":%q,`+
			`"payload":{"summary":"%s down","source":"mon","severity":"critical"}}}`, hhmm, strings.Repeat(key, 32), action, dedup, dedup)
	}
	lines := strings.Join([]string{
		event("10:00", "3", "trigger", "db"),
		event("10:01", "1", "trigger", "api-5xx"),
		event("10:02", "1", "trigger", "api-latency"),
		event("10:03", "3", "resolve", "db"),
		event("10:06", "1", "resolve", "api-latency"),
	}, "\n")
	rep, err := run(t, cfg, lines)
	if err != nil {
		t.Fatal(err)
	}
	want := []replay.Page{
		{At: at("10:00"), Incident: 1, User: "alice", ContactMethod: "alice-hook", Type: "webhook", Level: 1},
		{At: at("10:13"), Incident: 2, User: "alice", ContactMethod: "alice-hook", Type: "webhook", Level: 1},
		{At: at("10:43"), Incident: 2, User: "bob", ContactMethod: "bob-hook", Type: "webhook", Level: 2},
	}
	if !slices.EqualFunc(rep.Pages, want, samePage) {
		t.Errorf("pages = %+v, want %+v", rep.Pages, want)
	}
	if s := rep.Summary; s.Incidents != 2 || s.PagedIncidents != 2 {
		t.Errorf("summary = %+v, want 2 incidents, both paged", s)
	}
}
