package config

import (
	"testing"

	"github.com/hypercare/hypercare"
)

func TestNotifyPacingAndTemplates(t *testing.T) {
	src := y("notify:",
		"  delivery:",
		"    email: {concurrency: 4, timeout_seconds: 30}",
		"  throttle:",
		"    sms: {per_user: 1, per_minutes: 1}",
		"  digest: {max_pages: 5, per_minutes: 10}",
		"  templates:",
		`    email: {subject: "[{{.Urgency}}] #{{.Number}} {{.Title}}"}`,
		`    sms: {text: "#{{.Number}} {{.Title}} - reply ack {{.Number}}"}`)
	cfg, err := parse("hypercare.yaml", []byte(src), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	n := cfg.Notify
	var throttled []hypercare.ContactType
	n.Throttle.Each(func(ct hypercare.ContactType, th *Throttle) { throttled = append(throttled, ct) })
	if len(throttled) != 1 || throttled[0] != hypercare.ContactSMS || n.Throttle.SMS.PerUser != 1 ||
		n.Delivery.Email.TimeoutSeconds != 30 || n.Digest.MaxPages != 5 || n.Templates.SMS == nil {
		t.Errorf("notify = %+v", n)
	}
}

func TestNotifyPacingProblems(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"bad pacing", y("notify:",
			"  delivery:",
			"    email: {concurrency: -1, timeout_seconds: 600}",
			"  throttle:",
			"    sms: {per_user: 0, per_minutes: 1}",
			"    smss: {per_user: 1, per_minutes: 1}",
			"  digest: {max_pages: 0, per_minutes: 0}"), []string{
			"hypercare.yaml:3:26: notify.delivery.email.concurrency: must be between 1 and 1000 (0 or unset: 32)",
			"hypercare.yaml:3:47: notify.delivery.email.timeout_seconds: must be between 1 and 90 (0 or unset: 20)",
			"hypercare.yaml:5:21: notify.throttle.sms.per_user: must be between 1 and 1000 (pages per user in per_minutes)",
			`hypercare.yaml:6:5: notify.throttle.smss: unknown field "smss" (allowed: email, sms, voice, push, slack, webhook, teams, discord, mattermost, ntfy)`,
			"hypercare.yaml:7:23: notify.digest.max_pages: must be between 1 and 1000 (pages per user and channel before a digest)",
			"hypercare.yaml:7:39: notify.digest.per_minutes: must be between 1 and 10080 (a week)",
		}},
		{"bad templates", y("notify:",
			"  templates:",
			`    sms: {text: "{{.Titel}}"}`,
			`    email: {subject: "{{.Title"}`,
			`    slack: {text: ""}`,
			`    teams: {text: "x"}`), []string{
			`hypercare.yaml:3:17: notify.templates.sms.text: invalid template: 1:2: executing "notify.templates.sms.text" at <.Titel>: can't evaluate field Titel in type tmpl.Data`,
			"hypercare.yaml:4:22: notify.templates.email.subject: invalid template: 1: unclosed action",
			"hypercare.yaml:5:19: notify.templates.slack.text: is required",
			`hypercare.yaml:6:5: notify.templates.teams: unknown field "teams" (allowed: email, sms, slack)`,
		}},
	}, noEnv)
}
