package twilio

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hypercare/hypercare/notify"
)

// ErrBadSignature is returned by ValidateSignature for a request Twilio
// did not sign (or signed for another URL).
var ErrBadSignature = errors.New("X-Twilio-Signature does not match")

// Signature is Twilio's request signature
// (https://www.twilio.com/docs/usage/security#validating-requests): the
// full URL Twilio requested (scheme, host, path and query, as configured
// in Twilio), followed by every POST parameter sorted by name, each as
// name then value, HMAC-SHA1 under the auth token, base64.
func Signature(authToken, fullURL string, params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(fullURL))
	for _, k := range keys {
		vs := slices.Clone(params[k])
		slices.Sort(vs)
		for _, v := range vs {
			mac.Write([]byte(k))
			mac.Write([]byte(v))
		}
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// ValidateSignature checks sig (the X-Twilio-Signature header) in
// constant time. An empty auth token validates nothing. Like Twilio's own
// validators it accepts the URL with and without the scheme's default
// port (https://h/… and https://h:443/…), since Twilio signs the URL as
// configured and proxies differ in which they show.
func ValidateSignature(authToken, fullURL string, params url.Values, sig string) error {
	if authToken == "" || sig == "" {
		return ErrBadSignature
	}
	for _, u := range portVariants(fullURL) {
		if hmac.Equal([]byte(sig), []byte(Signature(authToken, u, params))) {
			return nil
		}
	}
	return ErrBadSignature
}

// portVariants is fullURL as given and with its default port added or
// removed.
func portVariants(fullURL string) []string {
	out := []string{fullURL}
	u, err := url.Parse(fullURL)
	if err != nil || u.Host == "" {
		return out
	}
	def := map[string]string{"http": "80", "https": "443"}[u.Scheme]
	switch {
	case def == "":
	case u.Port() == "":
		u.Host += ":" + def
		out = append(out, u.String())
	case u.Port() == def:
		u.Host = u.Hostname()
		out = append(out, u.String())
	}
	return out
}

// Reply actions an SMS can carry.
const (
	ReplyAck     = "ack"
	ReplyResolve = "resolve"
)

// ParseReply reads an SMS reply: "ack 42" or "resolve 42" (also "a 42",
// "r 42", "acknowledge #42"), in any case, with surrounding space and a
// trailing "." or "!" (a phone keyboard ends sentences by itself). It
// returns the action and the incident number, or an error naming what is
// understood.
func ParseReply(body string) (action string, number int64, err error) {
	f := strings.Fields(strings.ToLower(body))
	if len(f) != 2 {
		return "", 0, errUnknownReply
	}
	switch f[0] {
	case "ack", "a", "acknowledge":
		action = ReplyAck
	case "resolve", "r", "res":
		action = ReplyResolve
	default:
		return "", 0, errUnknownReply
	}
	// A phone keyboard may end the reply as a sentence ("Ack 42.").
	digits := strings.TrimRight(strings.TrimPrefix(f[1], "#"), ".!")
	if strings.Trim(digits, "0123456789") != "" {
		return "", 0, errUnknownReply
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n <= 0 {
		return "", 0, errUnknownReply
	}
	return action, n, nil
}

var errUnknownReply = errors.New("reply 'ack N' or 'resolve N', N the incident number")

// Keypress actions a call gathers.
const (
	KeyAck      = "1"
	KeyResolve  = "2"
	KeyEscalate = "3"
)

// Call is what a call reads out.
type Call struct {
	Number                  int64
	Title, Service, Urgency string
}

// say is the sentence that reads c out.
func (c Call) say() string {
	s := fmt.Sprintf("Hypercare page. Incident %d, %s urgency, on %s: %s.", c.Number, c.Urgency, c.Service, c.Title)
	return clean(s)
}

// Script is a call's TwiML: the incident read out, then one keypress
// gathered and posted to action.
func Script(c Call, action string) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header + `<Response><Gather numDigits="1" timeout="10" method="POST" action="`)
	escape(&b, action)
	b.WriteString(`"><Say>`)
	escape(&b, c.say())
	b.WriteString(`</Say><Say>Press 1 to acknowledge, 2 to resolve, 3 to escalate.</Say></Gather>` +
		`<Say>No key was pressed. Goodbye.</Say></Response>`)
	return b.Bytes()
}

// Say is TwiML that says text and hangs up.
func Say(text string) []byte { return wrap("Say", text) }

// Message is TwiML that answers an SMS with text.
func Message(text string) []byte { return wrap("Message", text) }

// Empty is TwiML that does nothing: the answer to a stranger.
func Empty() []byte { return []byte(xml.Header + "<Response/>") }

// SayOnly is the inline TwiML of a call placed without a public URL: the
// incident read out, and where to act, since no keypress can reach us.
func SayOnly(m notify.Message) string {
	c := Call{Number: m.Incident.Number, Title: m.Incident.Title, Service: m.ServiceName, Urgency: string(m.Incident.Urgency)}
	return string(Say(c.say() + " Reply to the text message or open Hypercare to act on it."))
}

func wrap(verb, text string) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header + "<Response><" + verb + ">")
	escape(&b, clean(text))
	b.WriteString("</" + verb + "></Response>")
	return b.Bytes()
}

func escape(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(s)) }
