package slack

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/tmpl"
)

// Slack's documented limits (Block Kit reference), in characters.
const (
	maxHeader    = 150  // header block text
	maxField     = 2000 // one section field
	maxSection   = 3000 // section text, and the top-level fallback text we send
	maxURL       = 3000 // button and link URLs
	maxFieldsLen = 10   // fields per section
)

// Action IDs and value prefixes of the page's buttons. The value carries
// the incident ID, so a press acts on exactly the incident that was paged
// even after its number is reused by nothing (numbers never repeat, IDs
// make that obvious).
const (
	ActionAcknowledge = "hypercare_acknowledge"
	ActionResolve     = "hypercare_resolve"
	valueAcknowledge  = "acknowledge:"
	valueResolve      = "resolve:"
)

// message is a chat.postMessage request or an incoming-webhook body.
type message struct {
	Channel  string `json:"channel,omitempty"`
	ThreadTS string `json:"thread_ts,omitempty"`
	// ReplyBroadcast also shows a thread reply in the channel: a page
	// hidden in a thread would notify nobody.
	ReplyBroadcast bool      `json:"reply_broadcast,omitempty"`
	Text           string    `json:"text"`
	Blocks         []block   `json:"blocks"`
	UnfurlLinks    bool      `json:"unfurl_links"`
	UnfurlMedia    bool      `json:"unfurl_media"`
	Metadata       *metadata `json:"metadata,omitempty"`
}

type metadata struct {
	EventType    string            `json:"event_type"`
	EventPayload map[string]string `json:"event_payload"`
}

type block struct {
	Type     string    `json:"type"`
	BlockID  string    `json:"block_id,omitempty"`
	Text     *text     `json:"text,omitempty"`
	Fields   []text    `json:"fields,omitempty"`
	Elements []element `json:"elements,omitempty"`
}

type text struct {
	Type string `json:"type"` // plain_text or mrkdwn
	Text string `json:"text"`
}

type element struct {
	Type     string `json:"type"`
	ActionID string `json:"action_id"`
	Text     text   `json:"text"`
	Style    string `json:"style,omitempty"`
	Value    string `json:"value,omitempty"`
}

// apiMessage is the Web API page: the common blocks and the buttons.
func apiMessage(m notify.Message) message {
	if m.Digest != nil {
		msg := digestMessage(m.Digest)
		msg.Channel = m.Notification.Address
		return msg
	}
	msg := common(m, false)
	msg.Channel = m.Notification.Address
	id := m.Incident.ID
	msg.Blocks = append(msg.Blocks, block{Type: "actions", BlockID: "hypercare_page", Elements: []element{
		{Type: "button", ActionID: ActionAcknowledge, Text: plain("Acknowledge"), Style: "primary", Value: valueAcknowledge + id},
		{Type: "button", ActionID: ActionResolve, Text: plain("Resolve"), Style: "danger", Value: valueResolve + id},
	}})
	msg.Metadata = &metadata{EventType: "hypercare_page", EventPayload: map[string]string{
		"notification_id": m.Notification.ID, "incident_id": id,
	}}
	return msg
}

// webhookMessage is the incoming-webhook page: no buttons, so the
// one-click links (when the server has them) are in the text.
func webhookMessage(m notify.Message) message {
	if m.Digest != nil {
		return digestMessage(m.Digest)
	}
	return common(m, true)
}

// digestMessage lists a digest's incidents, each with its own links and
// no buttons (a button acts on one incident). Alert text is escaped.
func digestMessage(d *notify.Digest) message {
	blocks := []block{{Type: "header", Text: &text{Type: "plain_text", Text: notify.Truncate(d.Summary, maxHeader)}}}
	var lines []string
	for _, it := range d.Items {
		line := fmt.Sprintf("#%d [%s] %s (%s)", it.Number, Escape(string(it.Urgency), 10), Escape(it.Title, 150), Escape(it.Service, 60))
		if it.AckURL != "" {
			line += "  " + link(it.AckURL, "Acknowledge")
		}
		if it.IncidentURL != "" {
			line += "  " + link(it.IncidentURL, "Open")
		}
		lines = append(lines, line)
	}
	for len(lines) > 0 && len(blocks) < maxDigestBlocks {
		chunk, rest := lines, []string(nil)
		for len(strings.Join(chunk, "\n")) > maxSection && len(chunk) > 1 {
			chunk, rest = chunk[:len(chunk)-1], append([]string{chunk[len(chunk)-1]}, rest...)
		}
		blocks = append(blocks, block{Type: "section", Text: &text{Type: "mrkdwn", Text: strings.Join(chunk, "\n")}})
		lines = rest
	}
	return message{Text: Escape(d.Summary, maxSection), Blocks: blocks}
}

// maxDigestBlocks keeps a digest within Slack's 50 blocks per message.
const maxDigestBlocks = 40

// common builds the blocks every Slack page has: header, fields, links.
func common(m notify.Message, withActionLinks bool) message {
	inc := m.Incident
	service := m.ServiceName
	if service == "" {
		service = inc.ServiceID
	}
	fields := []text{
		mrkdwnField("Service", service),
		mrkdwnField("Urgency", string(inc.Urgency)),
		mrkdwnField("Severity", string(inc.Severity)),
		mrkdwnField("Status", string(inc.Status)),
	}
	if inc.Priority != "" {
		fields = append(fields, mrkdwnField("Priority", inc.Priority))
	}
	blocks := []block{
		{Type: "header", Text: &text{Type: "plain_text", Text: notify.Truncate(notify.Headline(m), maxHeader)}},
		{Type: "section", Fields: fields[:min(len(fields), maxFieldsLen)]},
	}
	var links []string
	if m.IncidentURL != "" {
		links = append(links, link(m.IncidentURL, fmt.Sprintf("Open incident #%d", inc.Number)))
	}
	if withActionLinks && m.AckURL != "" {
		links = append(links, link(m.AckURL, "Acknowledge"))
	}
	if withActionLinks && m.ResolveURL != "" {
		links = append(links, link(m.ResolveURL, "Resolve"))
	}
	if len(links) > 0 {
		blocks = append(blocks, block{Type: "section", Text: &text{Type: "mrkdwn", Text: strings.Join(links, "  ·  ")}})
	}
	fallback := fmt.Sprintf("%s (%s, %s urgency)", notify.Headline(m), service, inc.Urgency)
	return message{Text: Escape(fallback, maxSection), Blocks: blocks}
}

func plain(s string) text { return text{Type: "plain_text", Text: s} }

// mrkdwnField is a bold label over an escaped value.
func mrkdwnField(label, value string) text {
	return text{Type: "mrkdwn", Text: "*" + label + "*\n" + Escape(value, maxField-len(label)-3)}
}

// link is a mrkdwn link to one of our own URLs. The URL is escaped like
// text and a '|' (which would end the URL early) percent-encoded.
func link(url, label string) string {
	url = strings.ReplaceAll(url, "|", "%7C")
	if len(url) > maxURL {
		return Escape(label, 100) // a link Slack would refuse is dropped, not the page
	}
	return "<" + Escape(url, maxURL) + "|" + Escape(label, 100) + ">"
}

// Escape makes untrusted text literal in Slack mrkdwn: '&', '<' and '>'
// become &amp; &lt; &gt; (Slack's documented escaping), so "<!channel>",
// "<@U123>" and "<https://evil|bank>" show as typed and ping or link
// nothing. The result is at most limit characters, cut between escapes
// and ending in "…" when cut; control characters other than newline
// become spaces.
func Escape(s string, limit int) string {
	s = notify.Truncate(s, len(s)+1) // cleans control characters and bad UTF-8 only
	escaped := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
	if utf8.RuneCountInString(escaped) <= limit {
		return escaped
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		piece := string(r)
		switch r {
		case '&':
			piece = "&amp;"
		case '<':
			piece = "&lt;"
		case '>':
			piece = "&gt;"
		}
		w := utf8.RuneCountInString(piece)
		if n+w > limit-1 {
			break
		}
		b.WriteString(piece)
		n += w
	}
	if limit > 0 {
		b.WriteString("…")
	}
	return b.String()
}

// templated applies notify.templates.slack to msg: the template's text
// becomes the preview text and a mrkdwn section after the header. Every
// field it gets is escaped with Escape first, so alert text cannot ping
// (<!channel>, <@U…>) or link; the markup is only what the template
// itself writes. A template that fails keeps the default message.
func (s *Sender) templated(msg message, m notify.Message) message {
	if s.tmpl == nil || m.Digest != nil {
		return msg
	}
	out, err := tmpl.Execute(s.tmpl, tmpl.Of(m, func(v string) string { return Escape(v, maxField) }))
	if err != nil || strings.TrimSpace(out) == "" {
		return msg
	}
	if r := []rune(out); len(r) > maxSection {
		out = string(r[:maxSection-1]) + "…"
	}
	section := block{Type: "section", Text: &text{Type: "mrkdwn", Text: out}}
	msg.Text = out
	msg.Blocks = append(msg.Blocks[:1], append([]block{section}, msg.Blocks[1:]...)...)
	return msg
}
