package main

import (
	"log/slog"
	"net/http"
	"text/template"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/discord"
	"github.com/hypercare/hypercare/notify/mattermost"
	"github.com/hypercare/hypercare/notify/ntfy"
	"github.com/hypercare/hypercare/notify/slack"
	"github.com/hypercare/hypercare/notify/teams"
	"github.com/hypercare/hypercare/notify/twilio"
	"github.com/hypercare/hypercare/store"
)

// registerChatChannels adds the chat and push channels to reg, all over
// client (the guarded one). They are always registered: webhook-URL
// addresses need no provider settings. A Slack channel ID needs
// notify.slack.bot_token, which config validation and the dry run check.
// Slack pages of one incident to one address are threaded through the
// store, so every node replies in the same thread.
func registerChatChannels(reg *notify.Registry, client *http.Client, cfg *config.Config, st *store.Store, log *slog.Logger) {
	clk := hypercare.SystemClock{}
	sc := slack.Config{BotToken: cfg.Notify.Slack.BotToken, APIURL: cfg.SlackAPIURL(), Log: log,
		Template: textTemplate("notify.templates.slack", cfg.Notify.Templates.Slack)}
	if st != nil {
		sc.Threads = st
	}
	reg.Register(hypercare.ContactSlack, slack.New(client, sc, clk))
	reg.Register(hypercare.ContactTeams, teams.New(client, clk))
	reg.Register(hypercare.ContactDiscord, discord.New(client, clk))
	reg.Register(hypercare.ContactMattermost, mattermost.New(client, clk))
	reg.Register(hypercare.ContactNtfy, ntfy.New(client, cfg.Notify.Ntfy.Token, clk))
	registerTwilio(reg, client, cfg.Notify.Twilio, textTemplate("notify.templates.sms", cfg.Notify.Templates.SMS))
}

// registerTwilio adds the sms and voice channels when notify.twilio is
// set; without it sms and voice contact methods cannot be paged, which
// readiness and the dry run report.
func registerTwilio(reg *notify.Registry, client *http.Client, tc *config.TwilioNotify, sms *template.Template) {
	if tc == nil {
		return
	}
	tw := twilio.New(client, twilio.Config{AccountSID: tc.AccountSID, AuthToken: tc.AuthToken, From: tc.From,
		APIURL: tc.TwilioAPIURL(), SMSTemplate: sms}, hypercare.SystemClock{})
	reg.Register(hypercare.ContactSMS, tw.SMS())
	reg.Register(hypercare.ContactVoice, tw.Voice())
}
