package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
)

// Headers of Slack's request signing
// (https://api.slack.com/authentication/verifying-requests-from-slack).
const (
	HeaderSignature = "X-Slack-Signature"
	HeaderTimestamp = "X-Slack-Request-Timestamp"
)

// MaxSkew is how far a request's timestamp may be from our clock: Slack's
// recommendation, which bounds how long a captured request can be replayed.
const MaxSkew = 5 * time.Minute

// ErrBadSignature is any failed check of a request's signature or
// timestamp. It says no more on purpose: a prober learns nothing from it.
var ErrBadSignature = errors.New("invalid Slack request signature or timestamp")

// Sign returns the X-Slack-Signature of body sent at timestamp (Unix
// seconds, as Slack writes it) under secret: "v0=" and the hex
// HMAC-SHA256 of "v0:timestamp:body". Tests sign with it the documented
// way; VerifyRequest compares against it.
func Sign(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("v0:" + timestamp + ":"))
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifyRequest checks that body with headers h was signed by Slack with
// secret no more than MaxSkew from now (either side). It must run on the
// raw body before anything is parsed or changed. An empty secret refuses
// everything: without one, nobody's button press can be trusted.
func VerifyRequest(secret []byte, h http.Header, body []byte, now time.Time) error {
	ts := h.Get(HeaderTimestamp)
	sig := h.Get(HeaderSignature)
	if len(secret) == 0 || ts == "" || sig == "" {
		return ErrBadSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > MaxSkew || d < -MaxSkew {
		return ErrBadSignature
	}
	if !hmac.Equal([]byte(sig), []byte(Sign(secret, ts, body))) {
		return ErrBadSignature
	}
	return nil
}

// The actions a button press asks for.
const (
	Acknowledge = "acknowledge"
	Resolve     = "resolve"
)

// Interaction is one button press on a page, as much as Hypercare needs.
type Interaction struct {
	// UserID is the Slack user (U…) who pressed; it is matched against
	// contact methods of type slack to find the Hypercare user.
	UserID string
	// Action is Acknowledge or Resolve; IncidentID the incident paged.
	Action     string
	IncidentID string
	// ResponseURL is where the answer goes (a hooks.slack.com URL).
	ResponseURL string
}

// maxPayload bounds the payload field: Slack's interaction payloads carry
// the whole message, tens of KB at most.
const maxPayload = 256 << 10

// ParseInteraction reads a signed interaction request's form body
// (payload=<JSON>). Anything but a block_actions press of one of our two
// buttons with a user and an https response_url is a
// hypercare.InvalidFields error naming the field.
func ParseInteraction(body []byte) (Interaction, error) {
	bad := func(field, msg string) (Interaction, error) {
		return Interaction{}, hypercare.InvalidFields("invalid Slack interaction",
			hypercare.FieldError{Field: field, Message: msg})
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return bad("payload", "body must be form-encoded")
	}
	raw := form.Get("payload")
	if raw == "" {
		return bad("payload", "is required")
	}
	if len(raw) > maxPayload {
		return bad("payload", "is too large")
	}
	var p struct {
		Type string `json:"type"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
		ResponseURL string `json:"response_url"`
		Actions     []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"actions"`
	}
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return bad("payload", "must be a JSON object")
	}
	switch {
	case p.Type != "block_actions":
		return bad("payload.type", "must be block_actions")
	case !IsID(p.User.ID):
		return bad("payload.user.id", "must be a Slack user ID")
	case len(p.Actions) != 1:
		return bad("payload.actions", "must hold exactly one action")
	}
	in := Interaction{UserID: p.User.ID, ResponseURL: p.ResponseURL}
	a := p.Actions[0]
	switch {
	case a.ActionID == ActionAcknowledge && strings.HasPrefix(a.Value, valueAcknowledge):
		in.Action, in.IncidentID = Acknowledge, strings.TrimPrefix(a.Value, valueAcknowledge)
	case a.ActionID == ActionResolve && strings.HasPrefix(a.Value, valueResolve):
		in.Action, in.IncidentID = Resolve, strings.TrimPrefix(a.Value, valueResolve)
	default:
		return bad("payload.actions[0]", "is not a Hypercare button")
	}
	if in.IncidentID == "" || len(in.IncidentID) > 64 {
		return bad("payload.actions[0].value", "must name an incident")
	}
	if u, err := url.Parse(in.ResponseURL); err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return bad("payload.response_url", "must be an http(s) URL")
	}
	return in, nil
}

// Answer posts text to a press's response_url: in the channel for
// everyone, or ephemeral (only the presser sees it). It goes through
// client, the guarded one, like every outbound call.
func Answer(ctx context.Context, client *http.Client, responseURL, text string, ephemeral bool, clk hypercare.Clock) error {
	kind := "in_channel"
	if ephemeral {
		kind = "ephemeral"
	}
	body, err := json.Marshal(map[string]any{
		"response_type": kind, "replace_original": false, "text": Escape(text, maxSection),
	})
	if err != nil {
		return fmt.Errorf("slack answer: %w", err)
	}
	if _, err := notify.Post(ctx, client, responseURL, jsonHeader(), body, clk); err != nil {
		return fmt.Errorf("slack answer: %w", err)
	}
	return nil
}
