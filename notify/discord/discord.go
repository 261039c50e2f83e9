// Package discord delivers pages to a Discord channel through its webhook
// URL: one message with an embed (title linking to the incident, fields
// for service, urgency, severity and status) and the one-click acknowledge
// and resolve links in the embed's description. Link buttons need an
// application-owned webhook, which a plain channel webhook is not, so the
// links are Markdown links.
//
// Alert text is untrusted: Markdown in it is escaped and allowed_mentions
// is empty, so a title can neither hide a link nor ping @everyone. Texts
// are cut to Discord's embed limits. A 429 is retried after Discord's
// retry_after (from the Retry-After header, or the JSON body when the
// header is missing). The webhook URL is the secret; errors name only the
// host.
package discord

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
)

// Discord's documented embed limits, in characters.
const (
	maxTitle       = 256
	maxDescription = 4096
	maxFieldValue  = 1024
	maxContent     = 2000
)

// Embed colours: red for high urgency, amber for low.
const (
	colorHigh = 0xD32F2F
	colorLow  = 0xF9A825
)

// Sender is the Discord channel: a notify.JSONHook. It is safe for
// concurrent use.
type Sender struct{ notify.JSONHook }

// New returns a Discord sender posting with client, which should come
// from notify.NewHTTPClient (nil gets one with the guard fully on).
func New(client *http.Client, clk hypercare.Clock) *Sender {
	h := notify.NewJSONHook("discord", client, clk, func(m notify.Message) any { return Render(m) })
	h.Refine = bodyRetryAfter
	return &Sender{h}
}

// bodyRetryAfter fills a 429's delay from Discord's JSON body
// ({"retry_after": 1.5, …} seconds) when no Retry-After header gave one.
func bodyRetryAfter(err error) error {
	var se *notify.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusTooManyRequests || se.RetryAfter > 0 {
		return err
	}
	var b struct {
		RetryAfter float64 `json:"retry_after"`
	}
	if json.Unmarshal([]byte(se.Body), &b) == nil && b.RetryAfter > 0 && !math.IsInf(b.RetryAfter, 0) {
		secs := min(math.Ceil(b.RetryAfter), notify.MaxRetryAfter.Seconds())
		se.RetryAfter = time.Duration(secs) * time.Second
	}
	return err
}

// Message is the webhook body.
type Message struct {
	Username        string          `json:"username"`
	Content         string          `json:"content"`
	Embeds          []Embed         `json:"embeds"`
	AllowedMentions AllowedMentions `json:"allowed_mentions"`
}

// AllowedMentions with an empty Parse pings nobody, whatever the text says.
type AllowedMentions struct {
	Parse []string `json:"parse"`
}

// Embed is the page's card.
type Embed struct {
	Title       string  `json:"title"`
	URL         string  `json:"url,omitempty"`
	Description string  `json:"description,omitempty"`
	Color       int     `json:"color"`
	Fields      []Field `json:"fields"`
}

// Field is one inline name/value pair.
type Field struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline"`
}

// Render builds the webhook body for m.
func Render(m notify.Message) Message {
	inc := m.Incident
	service := m.ServiceName
	if service == "" {
		service = inc.ServiceID
	}
	esc := func(s string, n int) string { return cut(notify.EscapeMarkdown(notify.Truncate(s, n/2)), n) }
	field := func(name, value string) Field {
		return Field{Name: name, Value: esc(value, maxFieldValue), Inline: true}
	}
	e := Embed{
		Title: esc(notify.Headline(m), maxTitle), URL: m.IncidentURL, Color: colorLow,
		Fields: []Field{field("Service", service), field("Urgency", string(inc.Urgency)),
			field("Severity", string(inc.Severity)), field("Status", string(inc.Status))},
	}
	if inc.Urgency == hypercare.UrgencyHigh {
		e.Color = colorHigh
	}
	if inc.Priority != "" {
		e.Fields = append(e.Fields, field("Priority", inc.Priority))
	}
	var links []string
	for _, l := range []struct{ label, url string }{
		{"Open incident", m.IncidentURL}, {"Acknowledge", m.AckURL}, {"Resolve", m.ResolveURL},
	} {
		if l.url != "" {
			links = append(links, "["+l.label+"]("+strings.ReplaceAll(l.url, ")", "%29")+")")
		}
	}
	e.Description = cut(strings.Join(links, " · "), maxDescription)
	return Message{Username: "Hypercare", Content: esc(notify.Headline(m), maxContent),
		Embeds: []Embed{e}, AllowedMentions: AllowedMentions{Parse: []string{}}}
}

// cut shortens escaped text to n characters without leaving a dangling
// backslash that would escape the "…".
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	r = r[:n-1]
	if k := len(r); k > 0 && r[k-1] == '\\' {
		r = r[:k-1]
	}
	return string(r) + "…"
}
