// Package mattermost delivers pages to a Mattermost channel through an
// incoming webhook, as a Slack-compatible message attachment: the
// incident's headline linking to it, fields for service, urgency,
// severity and status, and the one-click acknowledge and resolve links.
//
// Alert text is untrusted: Markdown is escaped and every '@' defused
// (notify.EscapeMarkdown), and '<' '>' are escaped too, so neither
// Markdown nor Mattermost's Slack-compatible "<!channel>" / "<url|text>"
// syntax can ping a channel or hide a link. The webhook URL is the secret;
// errors name only the host.
package mattermost

import (
	"net/http"
	"strings"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
)

// Limits, in characters: Mattermost refuses posts over 16383 characters;
// these keep a page far inside that.
const (
	maxTitle = 500
	maxField = 1000
)

// Sender is the Mattermost channel: a notify.JSONHook. It is safe for
// concurrent use.
type Sender struct{ notify.JSONHook }

// New returns a Mattermost sender posting with client, which should come
// from notify.NewHTTPClient (nil gets one with the guard fully on).
func New(client *http.Client, clk hypercare.Clock) *Sender {
	h := notify.NewJSONHook("mattermost", client, clk, func(m notify.Message) any { return Render(m) })
	return &Sender{h}
}

// Message is the incoming-webhook body.
type Message struct {
	Username    string       `json:"username"`
	Text        string       `json:"text"`
	Attachments []Attachment `json:"attachments"`
}

// Attachment is a Slack-compatible message attachment.
type Attachment struct {
	Fallback  string  `json:"fallback"`
	Color     string  `json:"color"`
	Title     string  `json:"title"`
	TitleLink string  `json:"title_link,omitempty"`
	Text      string  `json:"text,omitempty"`
	Fields    []Field `json:"fields"`
}

// Field is one short title/value pair.
type Field struct {
	Short bool   `json:"short"`
	Title string `json:"title"`
	Value string `json:"value"`
}

// Render builds the webhook body for m.
func Render(m notify.Message) Message {
	inc := m.Incident
	service := m.ServiceName
	if service == "" {
		service = inc.ServiceID
	}
	esc := func(s string, n int) string { return notify.EscapeMarkdown(notify.Truncate(s, n)) }
	field := func(title, value string) Field { return Field{Short: true, Title: title, Value: esc(value, maxField)} }
	headline := esc(notify.Headline(m), maxTitle)
	a := Attachment{
		Fallback: headline, Color: "#F9A825", Title: headline, TitleLink: m.IncidentURL,
		Fields: []Field{field("Service", service), field("Urgency", string(inc.Urgency)),
			field("Severity", string(inc.Severity)), field("Status", string(inc.Status))},
	}
	if inc.Urgency == hypercare.UrgencyHigh {
		a.Color = "#D32F2F"
	}
	if inc.Priority != "" {
		a.Fields = append(a.Fields, field("Priority", inc.Priority))
	}
	var links []string
	for _, l := range []struct{ label, url string }{{"Acknowledge", m.AckURL}, {"Resolve", m.ResolveURL}} {
		if l.url != "" {
			links = append(links, "["+l.label+"]("+strings.ReplaceAll(l.url, ")", "%29")+")")
		}
	}
	a.Text = strings.Join(links, " · ")
	return Message{Username: "Hypercare", Text: headline, Attachments: []Attachment{a}}
}
