package config

import (
	"reflect"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// A user and a schedule for policies to name. Lines 1 to 4; the policies
// of a case start on line 5.
var userAndSchedule = []string{
	"users: [{id: ann, name: Ann}]",
	"schedules:",
	"  - {id: web, time_zone: UTC, layers: [{id: l, start: '2026-01-01T00:00', shift: 1w, users: [ann]}]}",
	"escalation_policies:",
}

// TestParseEscalationPolicyRules covers policies, levels and targets.
func TestParseEscalationPolicyRules(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"valid policy", with(userAndSchedule,
			"  - id: web",
			"    name: Web",
			"    repeat: 3",
			"    ack_timeout_minutes: 60",
			"    levels:",
			"      - {targets: [{schedule: web}], escalate_after_minutes: 1}",
			"      - {targets: [{user: ann}, {schedule: web}], escalate_after_minutes: 10080, mode: round_robin}",
			"      - {targets: [{user: ann}], escalate_after_minutes: 5, mode: all}",
		), nil},
		{"policy fields", with(userAndSchedule,
			"  - name: No ID",
			"    repeat: -1",
			"    ack_timeout_minutes: -5",
			"  - id: web",
			"    levels: []",
			"  - id: web",
			"    ack_timeout_minutes: 10081",
			"    levels: [{targets: [{user: ann}], escalate_after_minutes: 5}]",
			"  - id: loud",
			"    repeat: 100000000",
			"    levels: [{targets: [{user: ann}], escalate_after_minutes: 5}]",
		), []string{
			"hypercare.yaml:5:5: escalation_policies[0].id: is required",
			"hypercare.yaml:5:5: escalation_policies[0].levels: at least one level is required",
			"hypercare.yaml:6:13: escalation_policies[0].repeat: must be between 0 and 100",
			"hypercare.yaml:7:26: escalation_policies[0].ack_timeout_minutes: must be between 0 and 10080 (a week)",
			"hypercare.yaml:9:13: escalation_policies[1].levels: at least one level is required",
			`hypercare.yaml:10:9: escalation_policies[2].id: duplicate escalation policy ID "web", already used by escalation_policies[1] at line 8`,
			"hypercare.yaml:11:26: escalation_policies[2].ack_timeout_minutes: must be between 0 and 10080 (a week)",
			"hypercare.yaml:14:13: escalation_policies[3].repeat: must be between 0 and 100",
		}},
		// A dry run walks every repeat: a typo such as 100000000 would
		// make GET /api/v1/simulate plan pages until the server runs out
		// of memory.
		{"repeat bounds", with(userAndSchedule,
			"  - {id: web, repeat: 100, levels: [{targets: [{user: ann}], escalate_after_minutes: 5}]}",
			"  - {id: ops, repeat: 100000000, levels: [{targets: [{user: ann}], escalate_after_minutes: 5}]}",
		), []string{
			"hypercare.yaml:6:23: escalation_policies[1].repeat: must be between 0 and 100",
		}},
		{"levels", with(userAndSchedule,
			"  - id: web",
			"    levels:",
			"      - {escalate_after_minutes: 5}",
			"      - {targets: [{user: ann}]}",
			"      - {targets: [{user: ann}], escalate_after_minutes: 0, mode: broadcast}",
			"      - {targets: [{user: ann}], escalate_after_minutes: 10081}",
		), []string{
			"hypercare.yaml:7:9: escalation_policies[0].levels[0].targets: at least one target is required",
			"hypercare.yaml:8:9: escalation_policies[0].levels[1].escalate_after_minutes: is required",
			"hypercare.yaml:9:58: escalation_policies[0].levels[2].escalate_after_minutes: must be between 1 and 10080 (a week)",
			"hypercare.yaml:9:67: escalation_policies[0].levels[2].mode: must be all or round_robin",
			"hypercare.yaml:10:58: escalation_policies[0].levels[3].escalate_after_minutes: must be between 1 and 10080 (a week)",
		}},
		{"targets", with(userAndSchedule,
			"  - id: web",
			"    levels:",
			"      - escalate_after_minutes: 5",
			"        targets:",
			"          - {user: bob}",
			"          - {schedule: ops}",
			"          - {user: ann, schedule: web}",
			"          - {}",
			"          - user: ''",
		), []string{
			`hypercare.yaml:9:20: escalation_policies[0].levels[0].targets[0].user: user "bob" is not declared under users`,
			`hypercare.yaml:10:24: escalation_policies[0].levels[0].targets[1].schedule: schedule "ops" is not declared under schedules`,
			"hypercare.yaml:11:13: escalation_policies[0].levels[0].targets[2]: must name exactly one of user or schedule",
			"hypercare.yaml:12:13: escalation_policies[0].levels[0].targets[3]: must name exactly one of user or schedule",
			"hypercare.yaml:13:13: escalation_policies[0].levels[0].targets[4]: must name exactly one of user or schedule",
		}},
	}, noEnv)
}

func TestEscalationPolicies(t *testing.T) {
	cfg := mustParse(t, with(userAndSchedule,
		"  - id: web",
		"    name: Web",
		"    repeat: 2",
		"    ack_timeout_minutes: 90",
		"    levels:",
		"      - {targets: [{schedule: web}], escalate_after_minutes: 5}",
		"      - {targets: [{user: ann}, {schedule: web}], escalate_after_minutes: 15, mode: round_robin}",
		"  - id: min",
		"    levels: [{targets: [{user: ann}], escalate_after_minutes: 1}]",
	))
	want := []hypercare.EscalationPolicy{
		{
			ID: "web", Name: "Web", Repeat: 2, AckTimeout: 90 * time.Minute,
			Levels: []hypercare.EscalationLevel{
				{Targets: []hypercare.Target{{Schedule: "web"}}, Mode: hypercare.NotifyAll, EscalateAfter: 5 * time.Minute},
				{Targets: []hypercare.Target{{User: "ann"}, {Schedule: "web"}}, Mode: hypercare.RoundRobin, EscalateAfter: 15 * time.Minute},
			},
		},
		{
			ID: "min",
			Levels: []hypercare.EscalationLevel{
				{Targets: []hypercare.Target{{User: "ann"}}, Mode: hypercare.NotifyAll, EscalateAfter: time.Minute},
			},
		},
	}
	if got := cfg.EscalationPolicies(); !reflect.DeepEqual(got, want) {
		t.Errorf("EscalationPolicies() =\n%+v\nwant\n%+v", got, want)
	}
	if (*Config)(nil).EscalationPolicies() != nil || (&Config{}).EscalationPolicies() != nil {
		t.Error("a nil or zero Config has escalation policies")
	}
}
