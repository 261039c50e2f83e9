package config

import (
	"reflect"
	"testing"
	"time"

	_ "time/tzdata" // the same zone data on every machine

	"github.com/hypercare/hypercare"
)

// TestParseUserRules covers the fields of a user.
func TestParseUserRules(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"user required fields", y(
			"users:",
			"  - email: nobody@example.com",
			"  - id: ann",
		), []string{
			"hypercare.yaml:2:5: users[0].id: is required",
			"hypercare.yaml:2:5: users[0].name: is required",
			"hypercare.yaml:3:5: users[1].name: is required",
		}},
		{"user ids", y(
			"users:",
			"  - {id: Ann, name: Ann}",
			"  - {id: bob, name: Bob}",
			"  - {id: bob, name: Bob again}",
		), []string{
			"hypercare.yaml:2:10: users[0].id: must be 1 to 64 lowercase letters, digits, '-' or '_'",
			`hypercare.yaml:4:10: users[2].id: duplicate user ID "bob", already used by users[1] at line 3`,
		}},
		{"email, zone and role", y(
			"users:",
			"  - id: ann",
			"    name: Ann",
			"    email: ann.example.com",
			"    time_zone: Europe/Londn",
			"    role: owner",
			"  - id: bob",
			"    name: Bob",
			"    email: Bob <bob@example.com>",
			"    time_zone: Local",
			"  - id: cy",
			"    name: Cy",
			"    email: cy@example.com",
			"    time_zone: Asia/Kolkata",
			"    role: viewer",
		), []string{
			"hypercare.yaml:4:12: users[0].email: must be an email address such as alice@example.com",
			`hypercare.yaml:5:16: users[0].time_zone: must be an IANA time zone name such as Europe/London, not "Europe/Londn"`,
			"hypercare.yaml:6:11: users[0].role: must be one of admin, responder, viewer",
			"hypercare.yaml:9:12: users[1].email: must be an email address such as alice@example.com",
			`hypercare.yaml:10:16: users[1].time_zone: must be an IANA time zone name such as Europe/London, not "Local"`,
		}},
		{"teams must be declared", y(
			"teams: [{id: web, name: Web}]",
			"users:",
			"  - {id: ann, name: Ann, teams: [web, wbe]}",
		), []string{
			`hypercare.yaml:3:39: users[0].teams[1]: team "wbe" is not declared under teams`,
		}},
	}, noEnv)
}

// TestParseContactMethodRules covers contact method IDs, types and the
// address check of each type.
func TestParseContactMethodRules(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"method ids are unique within a user", y(
			"users:",
			"  - id: ann",
			"    name: Ann",
			"    contact_methods:",
			"      - {type: email, address: ann@example.com}",
			"      - {id: mail, type: email, address: ann@example.com}",
			"      - {id: mail, type: sms, address: '+447700900001'}",
			"  - id: bob",
			"    name: Bob",
			"    contact_methods:",
			"      - {id: mail, type: email, address: bob@example.com}",
		), []string{
			"hypercare.yaml:5:9: users[0].contact_methods[0].id: is required",
			`hypercare.yaml:7:14: users[0].contact_methods[2].id: duplicate contact method ID "mail", already used by users[0].contact_methods[1] at line 6`,
		}},
		{"type and address required", y(
			"users:",
			"  - id: ann",
			"    name: Ann",
			"    contact_methods:",
			"      - {id: a}",
			"      - {id: b, type: pager, address: '123'}",
		), []string{
			"hypercare.yaml:5:9: users[0].contact_methods[0].type: is required",
			"hypercare.yaml:5:9: users[0].contact_methods[0].address: is required",
			"hypercare.yaml:6:23: users[0].contact_methods[1].type: must be one of email, sms, voice, push, slack, webhook, teams, discord, mattermost, ntfy",
		}},
		{"address per type", y(
			"users:",
			"  - id: ann",
			"    name: Ann",
			"    contact_methods:",
			"      - {id: e1, type: email, address: ann@example.com}",
			"      - {id: e2, type: email, address: ann}",
			"      - {id: s1, type: sms, address: +447700900001}",
			"      - {id: s2, type: sms, address: '07700900001'}",
			"      - {id: s3, type: sms, address: '+44 7700 900001'}",
			"      - {id: v1, type: voice, address: '+15005550006'}",
			"      - {id: v2, type: voice, address: '+0447700900001'}",
			"      - {id: v3, type: voice, address: '+1234567890123456'}",
			"      - {id: w1, type: webhook, address: 'https://hooks.example.com/ann'}",
			"      - {id: w2, type: webhook, address: 'ftp://hooks.example.com/ann'}",
			"      - {id: w3, type: webhook, address: hooks.example.com/ann}",
			"      - {id: k1, type: slack, address: 'http://chat.example.com/hook'}",
			"      - {id: k2, type: slack, address: 'https:///no-host'}",
			"      - {id: p1, type: push, address: 'https://push.example.com/ann'}",
			"      - {id: p2, type: push, address: 'mailto:ann@example.com'}",
		), []string{
			"hypercare.yaml:6:40: users[0].contact_methods[1].address: must be an email address such as alice@example.com",
			"hypercare.yaml:8:38: users[0].contact_methods[3].address: must be a phone number in E.164 form, such as +447700900001",
			"hypercare.yaml:9:38: users[0].contact_methods[4].address: must be a phone number in E.164 form, such as +447700900001",
			"hypercare.yaml:11:40: users[0].contact_methods[6].address: must be a phone number in E.164 form, such as +447700900001",
			"hypercare.yaml:12:40: users[0].contact_methods[7].address: must be a phone number in E.164 form, such as +447700900001",
			"hypercare.yaml:14:42: users[0].contact_methods[9].address: must be an absolute http or https URL",
			"hypercare.yaml:15:42: users[0].contact_methods[10].address: must be an absolute http or https URL",
			"hypercare.yaml:17:40: users[0].contact_methods[12].address: must be a Slack channel or user ID (C…, G…, D…, U…, W…) or an incoming-webhook URL",
			"hypercare.yaml:19:39: users[0].contact_methods[14].address: must be an absolute http or https URL",
		}},
		{"address from the environment", y(
			"users:",
			"  - id: ann",
			"    name: Ann",
			"    contact_methods:",
			"      - {id: ok, type: slack, address: '${SLACK_HOOK}'}",
			"      - {id: unset, type: slack, address: '${NOT_SET}'}",
			"      - {id: bad, type: sms, address: '${SLACK_HOOK}'}",
		), []string{
			"hypercare.yaml:6:43: users[0].contact_methods[1].address: environment variable NOT_SET is not set",
			"hypercare.yaml:7:39: users[0].contact_methods[2].address: must be a phone number in E.164 form, such as +447700900001",
		}},
	}, slackEnv)
}

func slackEnv(name string) (string, bool) {
	return "https://hooks.slack.example.com/T000/B000/secret", name == "SLACK_HOOK"
}

// TestParseNotificationRuleRules covers notification rules, in particular
// that a rule can only use its own user's contact methods.
func TestParseNotificationRuleRules(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"rules", y(
			"users:",
			"  - id: ann",
			"    name: Ann",
			"    contact_methods:",
			"      - {id: ann-mail, type: email, address: ann@example.com}",
			"    notification_rules:",
			"      - {contact_method: ann-mail}",
			"      - {contact_method: ann-mail, after_minutes: 10080, urgency: low}",
			"      - {contact_method: bob-mail}",
			"      - {after_minutes: 1}",
			"      - {contact_method: ann-mail, after_minutes: -1, urgency: medium}",
			"      - {contact_method: ann-mail, after_minutes: 10081}",
			"  - id: bob",
			"    name: Bob",
			"    contact_methods:",
			"      - {id: bob-mail, type: email, address: bob@example.com}",
		), []string{
			`hypercare.yaml:9:26: users[0].notification_rules[2].contact_method: user "ann" has no contact method "bob-mail"`,
			"hypercare.yaml:10:9: users[0].notification_rules[3].contact_method: is required",
			"hypercare.yaml:11:51: users[0].notification_rules[4].after_minutes: must be between 0 and 10080 (a week)",
			"hypercare.yaml:11:64: users[0].notification_rules[4].urgency: must be high or low",
			"hypercare.yaml:12:51: users[0].notification_rules[5].after_minutes: must be between 0 and 10080 (a week)",
		}},
	}, noEnv)
}

func TestUsersDefaults(t *testing.T) {
	cfg := mustParse(t, y(
		"teams: [{id: web, name: Web}]",
		"users:",
		"  - id: ann",
		"    name: Ann",
		"    teams: [web]",
		"    contact_methods:",
		"      - {id: mail, type: email, address: ann@example.com}",
		"      - {id: hook, type: webhook, address: 'https://hooks.example.com/ann', verified: false}",
		"  - id: bob",
		"    name: Bob",
		"    email: bob@example.com",
		"    time_zone: Europe/Berlin",
		"    role: admin",
		"    contact_methods:",
		"      - {id: phone, type: voice, address: '+4915100000000', verified: true}",
		"    notification_rules:",
		"      - {contact_method: phone, after_minutes: 3, urgency: high}",
		"  - {id: cy, name: Cy, role: viewer}",
	))
	want := []hypercare.User{
		{
			ID: "ann", Name: "Ann", Role: hypercare.RoleResponder, Teams: []string{"web"},
			ContactMethods: []hypercare.ContactMethod{
				{ID: "mail", Type: hypercare.ContactEmail, Address: "ann@example.com", Verified: true},
				{ID: "hook", Type: hypercare.ContactWebhook, Address: "https://hooks.example.com/ann", Verified: false},
			},
			// No rules in the file: every method at once.
			NotificationRules: []hypercare.NotificationRule{{ContactMethod: "mail"}, {ContactMethod: "hook"}},
		},
		{
			ID: "bob", Name: "Bob", Email: "bob@example.com", TimeZone: "Europe/Berlin", Role: hypercare.RoleAdmin,
			ContactMethods: []hypercare.ContactMethod{
				{ID: "phone", Type: hypercare.ContactVoice, Address: "+4915100000000", Verified: true},
			},
			NotificationRules: []hypercare.NotificationRule{
				{ContactMethod: "phone", After: 3 * time.Minute, Urgency: hypercare.UrgencyHigh},
			},
		},
		{ID: "cy", Name: "Cy", Role: hypercare.RoleViewer},
	}
	if got := cfg.Users(); !reflect.DeepEqual(got, want) {
		t.Errorf("Users() =\n%+v\nwant\n%+v", got, want)
	}
	// The accessor applies defaults without changing the file's values.
	if cfg.UserSpecs[0].Role != "" || cfg.UserSpecs[0].ContactMethods[0].Verified != nil || cfg.UserSpecs[0].NotificationRules != nil {
		t.Errorf("UserSpecs changed: %+v", cfg.UserSpecs[0])
	}
	// Resolved addresses are what Users returns.
	cfg, err := parse("hypercare.yaml", []byte(y("users:",
		"  - {id: ann, name: Ann, contact_methods: [{id: s, type: slack, address: '${SLACK_HOOK}'}]}")), slackEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Users()[0].ContactMethods[0].Address; got != "https://hooks.slack.example.com/T000/B000/secret" {
		t.Errorf("resolved address = %q", got)
	}
	var none *Config
	if none.Users() != nil || (&Config{}).Users() != nil {
		t.Error("a nil or zero Config has users")
	}
}
