package config

import (
	"strings"
	"testing"
)

// TestParseTwilio checks notify.twilio: every field is required and
// checked, the auth token comes from the environment, and no message
// repeats it.
func TestParseTwilio(t *testing.T) {
	env := func(name string) (string, bool) {
		if name == "TWILIO_AUTH_TOKEN" {
			return "twilio-s3cret", true
		}
		return "", false
	}
	runProblemCases(t, []problemCase{
		{"bad fields", y(
			"notify:",
			"  twilio: {account_sid: SK12, auth_token: '${NO_SUCH}', from: '5550006', api_url: 'ftp://x'}",
		), []string{
			"hypercare.yaml:2:25: notify.twilio.account_sid: must be the account SID (AC…) from the Twilio console",
			"hypercare.yaml:2:43: notify.twilio.auth_token: environment variable NO_SUCH is not set",
			"hypercare.yaml:2:63: notify.twilio.from: must be the Twilio number in E.164 form, e.g. +15005550006",
			"hypercare.yaml:2:83: notify.twilio.api_url: must be an absolute http or https URL",
		}},
		{"no token", y(
			"notify:",
			"  twilio: {account_sid: AC0123, from: '+15005550006'}",
		), []string{
			`hypercare.yaml:2:11: notify.twilio.auth_token: is required (write "${TWILIO_AUTH_TOKEN}" to read it from the environment)`,
		}},
	}, env)

	cfg, err := parse("hypercare.yaml", []byte(y(
		"notify:",
		"  twilio: {account_sid: AC0123, auth_token: '${TWILIO_AUTH_TOKEN}', from: '+15005550006'}",
	)), env)
	if err != nil {
		t.Fatal(err)
	}
	tw := cfg.Notify.Twilio
	if tw == nil || tw.AuthToken != "twilio-s3cret" || tw.TwilioAPIURL() != DefaultTwilioAPIURL {
		t.Fatalf("twilio %+v", tw)
	}
	_, err = parse("hypercare.yaml", []byte(y(
		"notify:",
		"  twilio: {account_sid: AC0123, auth_token: 'twilio-s3cret', from: '+1'}",
	)), env)
	if err == nil || strings.Contains(err.Error(), "twilio-s3cret") {
		t.Errorf("error %v", err)
	}
}
