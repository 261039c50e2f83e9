package config

import (
	"fmt"

	"github.com/hypercare/hypercare"
)

// contactTypes lists the contact types for messages, in DESIGN.md order.
const contactTypes = "email, sms, voice, push, slack, webhook, teams, discord, mattermost, ntfy"

// DefaultSlackAPIURL is Slack's Web API; notify.slack.api_url replaces it
// for tests and Slack-compatible servers.
const DefaultSlackAPIURL = "https://slack.com/api"

// SlackNotify is notify.slack. BotToken lets Hypercare post with the Web
// API (chat.postMessage, with Acknowledge/Resolve buttons) to contact
// methods whose address is a channel or user ID; SigningSecret lets it
// check that a button press really comes from Slack. Both may be written
// "${NAME}" and hold the resolved secret after Parse, so never print a
// Config. Incoming-webhook addresses need neither.
type SlackNotify struct {
	BotToken      string `yaml:"bot_token"`
	SigningSecret string `yaml:"signing_secret"`
	APIURL        string `yaml:"api_url"`
}

// NtfyNotify is notify.ntfy. Token, when set, is sent as a bearer token
// with every ntfy page (for topics that need an access token); it may be
// written "${NAME}".
type NtfyNotify struct {
	Token string `yaml:"token"`
}

// SlackAPIURL returns notify.slack.api_url, or DefaultSlackAPIURL.
func (c *Config) SlackAPIURL() string {
	if c == nil || c.Notify.Slack.APIURL == "" {
		return DefaultSlackAPIURL
	}
	return c.Notify.Slack.APIURL
}

// checkChannels resolves the providers' secrets and checks that every
// contact method can be sent by the providers configured: a Slack channel
// ID without a bot token would fail at the first page, at 03:00; the file
// is the place to learn it. Messages name environment variables and
// paths, never a secret's value.
func (c *checker) checkChannels(cfg *Config) {
	s := &cfg.Notify.Slack
	s.BotToken = c.resolveSecret("notify.slack.bot_token", s.BotToken)
	s.SigningSecret = c.resolveSecret("notify.slack.signing_secret", s.SigningSecret)
	if s.APIURL != "" && !validHTTPURL(s.APIURL) {
		c.add("notify.slack.api_url", "must be an absolute http or https URL")
	}
	cfg.Notify.Ntfy.Token = c.resolveSecret("notify.ntfy.token", cfg.Notify.Ntfy.Token)
	c.checkTwilio(cfg.Notify.Twilio)
	if s.BotToken != "" {
		return
	}
	for i, u := range cfg.UserSpecs {
		for j, cm := range u.ContactMethods {
			c.checkSlackID(fmt.Sprintf("users[%d].contact_methods[%d].address", i, j), cm.Type, cm.Address)
		}
	}
	// Window announcements go through the same channels: one to a Slack
	// ID would fail at every start and end, with nobody paged to notice.
	for i, m := range cfg.MaintenanceSpecs {
		for j, t := range m.AnnounceTo {
			c.checkSlackID(fmt.Sprintf("maintenance[%d].announce_to[%d].address", i, j), t.Type, t.Address)
		}
	}
	for i, w := range cfg.WindowSpecs {
		for j, t := range w.AnnounceTo {
			c.checkSlackID(fmt.Sprintf("hypercare_windows[%d].announce_to[%d].address", i, j), t.Type, t.Address)
		}
	}
}

// checkSlackID reports a Slack channel or user ID at path, which only the
// Web API reaches: checkChannels calls it when there is no bot token.
func (c *checker) checkSlackID(path string, t hypercare.ContactType, address string) {
	if t == hypercare.ContactSlack && validSlackID(address) {
		c.add(path, "a Slack channel or user ID is sent with the Web API, which needs notify.slack.bot_token; "+
			"set it, or use an incoming-webhook URL")
	}
}

// validSlackID reports whether s looks like a Slack conversation or user
// ID: C (channel), G (private channel), D (direct message), U or W (user,
// which chat.postMessage turns into a direct message from the app),
// followed by uppercase letters and digits.
func validSlackID(s string) bool {
	if len(s) < 3 || len(s) > 24 || !containsByte("CGDUW", s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if b := s[i]; (b < 'A' || b > 'Z') && (b < '0' || b > '9') {
			return false
		}
	}
	return true
}

func containsByte(set string, b byte) bool {
	for i := 0; i < len(set); i++ {
		if set[i] == b {
			return true
		}
	}
	return false
}
