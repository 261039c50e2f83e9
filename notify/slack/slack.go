// Package slack delivers pages to Slack and takes responders' button
// presses back.
//
// A contact method of type slack has one of two kinds of address:
//   - a channel or user ID (C…, G…, D…, U…, W…): the page is posted with the
//     Web API's chat.postMessage under notify.slack.bot_token, as Block Kit
//     with Acknowledge and Resolve buttons; a press comes back to
//     POST /hooks/slack/interactions, checked with VerifyRequest;
//   - an incoming-webhook URL: the same message without buttons (incoming
//     webhooks cannot carry interactive elements), with whatever links the
//     page has.
//
// Alert text is untrusted: everything Slack would read as mrkdwn has &, <
// and > escaped, so a title cannot ping <!channel>, mention <@U…> or hide a
// link, and every text is cut to Slack's documented limits so a long
// summary never gets the page refused.
//
// With Config.Threads set, later pages of an incident to the same address
// reply in the thread of its first message, broadcast to the channel so
// they still notify.
//
// Slack has no idempotency key for chat.postMessage: a retry after a lost
// answer can post twice. The notification ID travels in the message's
// metadata so duplicates can be recognised.
package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"text/template"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
)

// Config is what the Web API needs; both fields come from notify.slack.
type Config struct {
	// BotToken (xoxb-…) authorises chat.postMessage. Empty means only
	// incoming-webhook addresses can be sent to.
	BotToken string
	// APIURL is the Web API's base, https://slack.com/api by default.
	APIURL string
	// Threads, when set, remembers each incident's first message per
	// address so later pages reply in its thread (broadcast to the
	// channel, so they still notify). Nil posts every page on its own.
	Threads Threads
	// Log receives the failures threading may meet (never a page's);
	// nil discards them.
	Log *slog.Logger
	// Template, when set (notify.templates.slack), replaces the message
	// text (the notification preview and the first section); see
	// blocks.go.
	Template *template.Template
}

// Threads stores the root message of each incident's thread per address;
// *store.Store implements it on both engines.
type Threads interface {
	ChatThread(ctx context.Context, incidentID, address string) (channel, ref string, ok bool, err error)
	SaveChatThread(ctx context.Context, incidentID, address, channel, ref string, at time.Time) error
}

// DefaultAPIURL is Slack's Web API.
const DefaultAPIURL = "https://slack.com/api"

// Sender is the Slack channel. It is safe for concurrent use.
type Sender struct {
	client  *http.Client
	token   string
	apiURL  string
	clock   hypercare.Clock
	threads Threads
	log     *slog.Logger
	tmpl    *template.Template
}

// New returns a Slack sender that posts with client, which should come
// from notify.NewHTTPClient so the outbound guard applies (a nil client
// gets one with the guard fully on).
func New(client *http.Client, cfg Config, clk hypercare.Clock) *Sender {
	if client == nil {
		client = notify.NewHTTPClient(notify.NetOptions{})
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if clk == nil {
		clk = hypercare.SystemClock{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Sender{client: client, token: cfg.BotToken, apiURL: strings.TrimSuffix(cfg.APIURL, "/"), clock: clk,
		threads: cfg.Threads, log: cfg.Log, tmpl: cfg.Template}
}

// IsID reports whether address is a Slack conversation or user ID (as
// opposed to an incoming-webhook URL).
func IsID(address string) bool {
	if len(address) < 3 || len(address) > 24 || !strings.ContainsRune("CGDUW", rune(address[0])) {
		return false
	}
	for i := 1; i < len(address); i++ {
		if b := address[i]; (b < 'A' || b > 'Z') && (b < '0' || b > '9') {
			return false
		}
	}
	return true
}

// errNoToken fails a page to a channel ID when no bot token is configured.
var errNoToken = errors.New("a Slack channel or user ID needs notify.slack.bot_token")

// CheckAddress reports whether address can ever be sent to: an ID (with a
// bot token configured) or an http(s) URL.
func (s *Sender) CheckAddress(address string) error {
	if IsID(address) {
		if s.token == "" {
			return hypercare.Errorf(hypercare.CodeInvalid, "%v", errNoToken)
		}
		return nil
	}
	if err := notify.CheckURL(address); err != nil {
		return hypercare.Errorf(hypercare.CodeInvalid, "must be a Slack channel or user ID or an incoming-webhook URL")
	}
	return nil
}

// Send posts one page. See the package comment for the two kinds of
// address; errors are classified for the delivery engine (see APIError).
func (s *Sender) Send(ctx context.Context, m notify.Message) error {
	addr := m.Notification.Address
	if IsID(addr) {
		return s.postMessage(ctx, m)
	}
	if err := notify.CheckURL(addr); err != nil {
		return notify.Permanent(fmt.Errorf("slack: %w", err))
	}
	body, err := json.Marshal(s.templated(webhookMessage(m), m))
	if err != nil {
		return notify.Permanent(fmt.Errorf("slack: encode message: %w", err))
	}
	_, err = notify.Post(ctx, s.client, addr, jsonHeader(), body, s.clock)
	if err != nil {
		return fmt.Errorf("slack webhook: %w", err)
	}
	return nil
}

// postMessage sends m with chat.postMessage.
func (s *Sender) postMessage(ctx context.Context, m notify.Message) error {
	if s.token == "" {
		return notify.Permanent(fmt.Errorf("slack: %w", errNoToken))
	}
	msg := s.templated(apiMessage(m), m)
	threaded := s.thread(ctx, m, &msg)
	body, err := json.Marshal(msg)
	if err != nil {
		return notify.Permanent(fmt.Errorf("slack: encode message: %w", err))
	}
	h := jsonHeader()
	h.Set("Authorization", "Bearer "+s.token)
	answer, err := notify.Post(ctx, s.client, s.apiURL+"/chat.postMessage", h, body, s.clock)
	if err != nil {
		return fmt.Errorf("slack chat.postMessage: %w", err)
	}
	channel, ts, err := checkAnswer(answer)
	if err != nil {
		return err
	}
	if s.threads != nil && !threaded && m.Digest == nil && channel != "" && ts != "" {
		// The page is delivered; failing to remember it costs only the
		// threading of later pages, so it is logged, not returned (a
		// returned error would page again).
		if err := s.threads.SaveChatThread(ctx, m.Incident.ID, m.Notification.Address, channel, ts, s.clock.Now()); err != nil {
			s.log.Warn("remember Slack thread", slog.String("incident", m.Incident.ID), slog.Any("error", err))
		}
	}
	return nil
}

// thread points msg at the incident's earlier message at the same address,
// if there is one, and reports whether it did.
func (s *Sender) thread(ctx context.Context, m notify.Message, msg *message) bool {
	if s.threads == nil || m.Digest != nil {
		return false
	}
	channel, ts, ok, err := s.threads.ChatThread(ctx, m.Incident.ID, m.Notification.Address)
	if err != nil {
		s.log.Warn("look up Slack thread", slog.String("incident", m.Incident.ID), slog.Any("error", err))
		return false
	}
	if !ok {
		return false
	}
	msg.Channel, msg.ThreadTS, msg.ReplyBroadcast = channel, ts, true
	return true
}

func jsonHeader() http.Header {
	return http.Header{"Content-Type": {"application/json; charset=utf-8"}}
}

// checkAnswer reads the Web API's {"ok":…,"error":…}: Slack answers most
// failures with HTTP 200 and ok:false. On success it returns where the
// message landed (the channel, a DM's for a user ID) and its ts.
func checkAnswer(b []byte) (channel, ts string, err error) {
	var a struct {
		OK      bool   `json:"ok"`
		Error   string `json:"error"`
		Channel string `json:"channel"`
		TS      string `json:"ts"`
	}
	if err := json.Unmarshal(b, &a); err != nil {
		// A 2xx that is not the Web API's answer: a proxy or a wrong
		// api_url. Retrying will not help until the config changes.
		return "", "", notify.Permanent(fmt.Errorf("slack chat.postMessage: answer is not Slack's JSON: %w", err))
	}
	if a.OK {
		return a.Channel, a.TS, nil
	}
	e := &APIError{Code: notify.Truncate(a.Error, 64)}
	if e.Permanent() {
		return "", "", notify.Permanent(e)
	}
	return "", "", e
}

// APIError is a Web API answer with ok:false. Its code ("channel_not_found",
// "invalid_auth") names no address or token, so it is the failure's
// reason shown to every role.
type APIError struct{ Code string }

func (e *APIError) Error() string { return "slack chat.postMessage: " + e.Code }

// Reason is the short reason the delivery engine stores and shows.
func (e *APIError) Reason() string { return "Slack error " + e.Code }

// transientCodes are the Web API errors Slack documents as temporary
// (HTTP 429 "ratelimited" arrives as a status and its Retry-After is
// honoured before this is ever read). Every other code is a configuration
// problem (invalid_auth, token_revoked, channel_not_found, not_in_channel,
// is_archived, missing_scope, invalid_blocks, …) that no retry can fix.
var transientCodes = map[string]bool{
	"ratelimited": true, "rate_limited": true, "internal_error": true, "fatal_error": true,
	"service_unavailable": true, "request_timeout": true, "team_added_to_org": true,
}

// Permanent reports whether retrying cannot help.
func (e *APIError) Permanent() bool { return !transientCodes[e.Code] }
