package config

import "strings"

// DefaultTwilioAPIURL is Twilio's REST API; notify.twilio.api_url replaces
// it for tests and Twilio-compatible gateways.
const DefaultTwilioAPIURL = "https://api.twilio.com"

// TwilioNotify is notify.twilio: the account SMS and voice pages are sent
// through. AuthToken authorises the REST calls and checks that the SMS
// replies and call keypresses posted to /hooks/twilio/… come from Twilio;
// it may be written "${NAME}" and holds the resolved secret after Parse,
// so never print a Config. Without this block sms and voice contact
// methods cannot be delivered (readiness and the dry run say so).
type TwilioNotify struct {
	AccountSID string `yaml:"account_sid"`
	AuthToken  string `yaml:"auth_token"`
	// From is the Twilio number (E.164) texts and calls come from.
	From   string `yaml:"from"`
	APIURL string `yaml:"api_url"`
}

// TwilioAPIURL returns notify.twilio.api_url, or DefaultTwilioAPIURL.
func (t *TwilioNotify) TwilioAPIURL() string {
	if t == nil || t.APIURL == "" {
		return DefaultTwilioAPIURL
	}
	return t.APIURL
}

// checkTwilio resolves the auth token and checks the block is complete: a
// missing field would fail every text at the first page.
func (c *checker) checkTwilio(t *TwilioNotify) {
	if t == nil {
		return
	}
	if !strings.HasPrefix(t.AccountSID, "AC") || len(t.AccountSID) < 4 {
		c.add("notify.twilio.account_sid", "must be the account SID (AC…) from the Twilio console")
	}
	if t.AuthToken == "" {
		c.add("notify.twilio.auth_token", `is required (write "${TWILIO_AUTH_TOKEN}" to read it from the environment)`)
	}
	t.AuthToken = c.resolveSecret("notify.twilio.auth_token", t.AuthToken)
	if !validE164(t.From) {
		c.add("notify.twilio.from", "must be the Twilio number in E.164 form, e.g. +15005550006")
	}
	if t.APIURL != "" && !validHTTPURL(t.APIURL) {
		c.add("notify.twilio.api_url", "must be an absolute http or https URL")
	}
}
