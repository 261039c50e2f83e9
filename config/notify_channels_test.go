package config

import (
	"strings"
	"testing"
)

// TestParseChatChannels checks the chat and push providers' settings and
// the addresses of their contact methods: a Slack ID needs a bot token,
// the other channels take URLs, and secrets come from the environment.
func TestParseChatChannels(t *testing.T) {
	env := func(name string) (string, bool) {
		switch name {
		case "SLACK_BOT_TOKEN":
			return "xoxb-secret-token", true
		case "NTFY_TOKEN":
			return "tk_ntfysecret", true
		}
		return "", false
	}
	users := []string{
		"users:",
		"  - id: ann",
		"    name: Ann",
		"    contact_methods:",
		"      - {id: k1, type: slack, address: U0123ABCD}",
		"      - {id: k2, type: slack, address: 'https://hooks.slack.com/services/T/B/X'}",
		"      - {id: t1, type: teams, address: 'https://prod.example.logic.azure.com/workflows/1'}",
		"      - {id: d1, type: discord, address: 'https://discord.com/api/webhooks/1/abc'}",
		"      - {id: m1, type: mattermost, address: 'https://chat.example.com/hooks/xyz'}",
		"      - {id: n1, type: ntfy, address: 'https://ntfy.sh/hypercare-ann'}",
		"      - {id: n2, type: ntfy, address: 'ntfy.sh/ann'}",
		"      - {id: k3, type: slack, address: 'c0123'}",
	}
	runProblemCases(t, []problemCase{
		{"no bot token", y(users...), []string{
			"hypercare.yaml:5:40: users[0].contact_methods[0].address: a Slack channel or user ID is sent with the Web API, which needs notify.slack.bot_token; set it, or use an incoming-webhook URL",
			"hypercare.yaml:11:39: users[0].contact_methods[6].address: must be an absolute http or https URL",
			"hypercare.yaml:12:40: users[0].contact_methods[7].address: must be a Slack channel or user ID (C…, G…, D…, U…, W…) or an incoming-webhook URL",
		}},
		{"with tokens", with(users[:10],
			"notify:",
			"  slack: {bot_token: '${SLACK_BOT_TOKEN}', signing_secret: '${SLACK_SIGNING_SECRET}', api_url: 'ftp://x'}",
			"  ntfy: {token: '${NTFY_TOKEN}'}",
		), []string{
			"hypercare.yaml:12:60: notify.slack.signing_secret: environment variable SLACK_SIGNING_SECRET is not set",
			"hypercare.yaml:12:96: notify.slack.api_url: must be an absolute http or https URL",
		}},
	}, env)

	cfg, err := parse("hypercare.yaml", []byte(with(users[:10],
		"notify:",
		"  slack: {bot_token: '${SLACK_BOT_TOKEN}'}",
		"  ntfy: {token: '${NTFY_TOKEN}'}",
	)), env)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Notify.Slack.BotToken != "xoxb-secret-token" || cfg.Notify.Ntfy.Token != "tk_ntfysecret" {
		t.Errorf("secrets not resolved: %+v", cfg.Notify)
	}
	if got := cfg.SlackAPIURL(); got != DefaultSlackAPIURL {
		t.Errorf("SlackAPIURL() = %q, want the default", got)
	}
}

// TestChannelProblemsNeverEchoSecrets checks that a problem near a token
// names the path and the variable, not the value.
func TestChannelProblemsNeverEchoSecrets(t *testing.T) {
	_, err := parse("hypercare.yaml", []byte(y(
		"notify:",
		"  slack: {bot_token: xoxb-literal-secret, signing_secret: '${X', api_url: '::'}",
		"  ntfy: {token: '${NTFY}'}",
	)), noEnv)
	if err == nil {
		t.Fatal("bad notify section accepted")
	}
	if strings.Contains(err.Error(), "xoxb-literal-secret") {
		t.Errorf("problem echoes the bot token: %v", err)
	}
}

// TestAnnouncementsToASlackIDNeedABotToken checks that a window announced
// to a Slack channel ID, which only the Web API reaches, is refused
// without notify.slack.bot_token, as a contact method is: otherwise every
// announcement fails at the window's start, unseen.
func TestAnnouncementsToASlackIDNeedABotToken(t *testing.T) {
	file := []string{
		"services: [{id: shop, name: Shop}]",
		"maintenance:",
		"  - id: deploys",
		"    services: [shop]",
		`    start: "2026-11-29T02:00"`,
		`    end: "2026-11-29T04:00"`,
		"    time_zone: Europe/London",
		"    announce_to: [{type: slack, address: C0123456}, {type: slack, address: 'https://hooks.slack.com/services/T/B/X'}]",
		"hypercare_windows:",
		`  - {id: bf, name: BF, time_zone: UTC, start: "2026-11-27T00:00", end: "2026-11-28T00:00", announce_to: [{type: slack, address: G0123456}]}`,
	}
	runProblemCases(t, []problemCase{
		{"no bot token", y(file...), []string{
			"hypercare.yaml:8:42: maintenance[0].announce_to[0].address: a Slack channel or user ID is sent with the Web API, which needs notify.slack.bot_token; set it, or use an incoming-webhook URL",
			"hypercare.yaml:10:129: hypercare_windows[0].announce_to[0].address: a Slack channel or user ID is sent with the Web API, which needs notify.slack.bot_token; set it, or use an incoming-webhook URL",
		}},
		{"with a bot token", with(file, "notify: {slack: {bot_token: xoxb-token}}"), nil},
	}, noEnv)
}
