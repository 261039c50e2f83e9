// Package twilio delivers pages as SMS and voice calls through Twilio's
// REST API, and holds what the inbound hooks need to trust Twilio's
// callbacks (ValidateSignature) and to answer them (TwiML, ParseReply).
//
// An SMS is POST {api_url}/2010-04-01/Accounts/{sid}/Messages.json with
// To, From and Body, under HTTP basic auth (account SID and auth token).
// Its text is kept within two GSM-7 segments (see Text), names the
// incident and tells the responder how to reply ("ack 42").
//
// A call is POST …/Calls.json. When the server knows its public URL the
// call fetches its script from POST /hooks/twilio/voice?token=…, the
// token being the page's signed call token (package actlink: it lives an
// hour, works only on that hook and acts once), which names the
// notification and so the paged user; the script reads the incident and
// gathers one keypress (1 acknowledge, 2 resolve, 3 escalate). Without a public URL the call carries inline TwiML that only
// reads the incident: there is nowhere to send the keypress.
//
// The auth token is never part of an error or a log line: errors name
// Twilio's host and error code only.
package twilio

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"text/template"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
)

// DefaultAPIURL is Twilio's REST API.
const DefaultAPIURL = "https://api.twilio.com"

// VoicePath is the route that serves a call's script and takes its
// keypress.
const VoicePath = "/hooks/twilio/voice"

// SMSPath is the route Twilio posts SMS replies to.
const SMSPath = "/hooks/twilio/sms"

// Config is notify.twilio.
type Config struct {
	// AccountSID (AC…) names the account; with AuthToken it is the basic
	// auth of every request and AuthToken signs Twilio's callbacks.
	AccountSID, AuthToken string
	// From is the Twilio number (E.164) messages and calls come from.
	From string
	// APIURL is the REST API's base, DefaultAPIURL when empty.
	APIURL string
	// SMSTemplate, when set (notify.templates.sms), replaces the SMS text
	// of a page; see TemplateText.
	SMSTemplate *template.Template
}

// Sender sends through one Twilio account; SMS and Voice are the two
// channels registered for contact types sms and voice.
type Sender struct {
	client *http.Client
	cfg    Config
	clock  hypercare.Clock
}

// New returns a Twilio sender posting with client, which should come from
// notify.NewHTTPClient so the outbound guard applies (nil gets one with
// the guard fully on).
func New(client *http.Client, cfg Config, clk hypercare.Clock) *Sender {
	if client == nil {
		client = notify.NewHTTPClient(notify.NetOptions{})
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	cfg.APIURL = strings.TrimRight(cfg.APIURL, "/")
	if clk == nil {
		clk = hypercare.SystemClock{}
	}
	return &Sender{client: client, cfg: cfg, clock: clk}
}

// SMS is the sms channel.
func (s *Sender) SMS() *SMS { return &SMS{s} }

// Voice is the voice channel.
func (s *Sender) Voice() *Voice { return &Voice{s} }

// SMS sends pages as text messages.
type SMS struct{ s *Sender }

// Voice sends pages as phone calls.
type Voice struct{ s *Sender }

// CheckAddress accepts an E.164 number only.
func (c *SMS) CheckAddress(address string) error { return checkE164(address) }

// CheckAddress accepts an E.164 number only.
func (c *Voice) CheckAddress(address string) error { return checkE164(address) }

// Send texts the page (see Text).
func (c *SMS) Send(ctx context.Context, m notify.Message) error {
	form := url.Values{"To": {m.Notification.Address}, "From": {c.s.cfg.From}, "Body": {c.s.text(m)}}
	return c.s.post(ctx, "Messages.json", m.Notification.Address, form)
}

// text is the SMS for m: the configured template's, or Text's.
func (s *Sender) text(m notify.Message) string {
	if s.cfg.SMSTemplate == nil || m.Digest != nil {
		return Text(m)
	}
	out, err := TemplateText(s.cfg.SMSTemplate, m)
	if err != nil {
		return Text(m) // the template was tried at load; a page is never lost to it
	}
	return out
}

// Send places the call (see the package comment).
func (c *Voice) Send(ctx context.Context, m notify.Message) error {
	form := url.Values{"To": {m.Notification.Address}, "From": {c.s.cfg.From}}
	if cb := VoiceURL(m); cb != "" {
		form.Set("Url", cb)
		form.Set("Method", http.MethodPost)
	} else {
		form.Set("Twiml", SayOnly(m))
	}
	return c.s.post(ctx, "Calls.json", m.Notification.Address, form)
}

// VoiceURL is the call's script URL for m: the voice hook, on the server
// the acknowledge link points at, with the page's call token; "" when m
// carries no acknowledge link or call token (no public URL, or no signer).
func VoiceURL(m notify.Message) string {
	base, _, ok := strings.Cut(m.AckURL, "/act/")
	if !ok || m.CallToken == "" {
		return ""
	}
	return base + VoicePath + "?token=" + url.QueryEscape(m.CallToken)
}

// post sends one REST request and classifies the outcome.
func (s *Sender) post(ctx context.Context, resource, to string, form url.Values) error {
	if err := checkE164(to); err != nil {
		return notify.Permanent(fmt.Errorf("twilio: invalid To: %w", err))
	}
	if s.cfg.AccountSID == "" || s.cfg.AuthToken == "" || s.cfg.From == "" {
		return notify.Permanent(errors.New("twilio: notify.twilio needs account_sid, auth_token and from"))
	}
	u := s.cfg.APIURL + "/2010-04-01/Accounts/" + url.PathEscape(s.cfg.AccountSID) + "/" + resource
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(s.cfg.AccountSID+":"+s.cfg.AuthToken)))
	_, err := notify.Post(ctx, s.client, u, h, []byte(form.Encode()), s.clock)
	if err != nil {
		return classify(resource, err)
	}
	return nil
}

// checkE164 reports whether s is '+', a country code not starting with 0,
// and at most 15 digits in all.
func checkE164(s string) error {
	ok := len(s) >= 3 && len(s) <= 16 && s[0] == '+' && s[1] != '0'
	for i := 1; ok && i < len(s); i++ {
		ok = s[i] >= '0' && s[i] <= '9'
	}
	if !ok {
		return hypercare.Errorf(hypercare.CodeInvalid, "must be an E.164 phone number such as +14155550100")
	}
	return nil
}
