// Package teams delivers pages to Microsoft Teams through a workflow
// ("When a Teams webhook request is received") or incoming webhook: one
// message whose attachment is an Adaptive Card with the incident's
// headline, its facts and Action.OpenUrl buttons for the incident and the
// one-click acknowledge and resolve links.
//
// The webhook URL is the secret (whoever has it can post), so errors name
// only its host. Alert text is untrusted: Markdown in it is escaped
// (notify.EscapeMarkdown), so a title cannot carry a link, and every text
// is cut well inside Teams' 28 KB message limit. Teams webhooks take no
// idempotency key: a retry after a lost answer can post twice.
//
// A legacy incoming webhook (an Office 365 connector) answers HTTP 200 even
// when the post failed, with the failure as text: "Webhook message
// delivery failed with error: Microsoft Teams endpoint returned HTTP error
// 429 with ContextId …"; only a number ("1") means delivered. Such an
// answer is read as the status it wraps (429 and 5xx retried, other 4xx
// permanent); a workflow answers 202 with no body.
package teams

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
)

// ContentType is the attachment type Teams requires for Adaptive Cards.
const ContentType = "application/vnd.microsoft.card.adaptive"

// Limits keep a card far below Teams' 28 KB per message.
const (
	maxTitle = 300
	maxFact  = 500
)

// Sender is the Teams channel: a notify.JSONHook. It is safe for
// concurrent use.
type Sender struct{ notify.JSONHook }

// New returns a Teams sender posting with client, which should come
// from notify.NewHTTPClient (nil gets one with the guard fully on).
func New(client *http.Client, clk hypercare.Clock) *Sender {
	h := notify.NewJSONHook("teams", client, clk, func(m notify.Message) any { return Card(m) })
	h.Idempotent = true
	h.Answer = checkAnswer
	return &Sender{h}
}

// wrappedStatus finds the status a legacy connector's 200 answer wraps.
var wrappedStatus = regexp.MustCompile(`returned HTTP error (\d{3})`)

// checkAnswer reads a 2xx answer's body: a connector's failure text
// becomes the *notify.StatusError of the status it names (or a transient
// error when it names none); anything else (empty, "1", JSON) is success.
func checkAnswer(body []byte) error {
	s := string(body)
	if len(s) > 4096 {
		s = s[:4096]
	}
	m := wrappedStatus.FindStringSubmatch(s)
	if m == nil && !strings.Contains(s, "delivery failed") {
		return nil
	}
	reason := notify.Truncate(strings.Join(strings.Fields(s), " "), 256)
	if m == nil {
		return errors.New("webhook answered 200 with a failure: " + reason)
	}
	code, _ := strconv.Atoi(m[1])
	if code < 400 || code > 599 {
		return errors.New("webhook answered 200 with a failure: " + reason)
	}
	return &notify.StatusError{StatusCode: code, Body: reason}
}

// Message is the webhook body: a message with one Adaptive Card.
type Message struct {
	Type        string       `json:"type"`
	Attachments []Attachment `json:"attachments"`
}

// Attachment wraps the card.
type Attachment struct {
	ContentType string       `json:"contentType"`
	ContentURL  *string      `json:"contentUrl"`
	Content     AdaptiveCard `json:"content"`
}

// AdaptiveCard is the subset of the Adaptive Card schema a page uses.
type AdaptiveCard struct {
	Schema  string    `json:"$schema"`
	Type    string    `json:"type"`
	Version string    `json:"version"`
	Body    []Element `json:"body"`
	Actions []Action  `json:"actions,omitempty"`
	MSTeams struct {
		Width string `json:"width"`
	} `json:"msteams"`
}

// Element is a TextBlock or a FactSet.
type Element struct {
	Type   string `json:"type"`
	Text   string `json:"text,omitempty"`
	Size   string `json:"size,omitempty"`
	Weight string `json:"weight,omitempty"`
	Wrap   bool   `json:"wrap,omitempty"`
	Facts  []Fact `json:"facts,omitempty"`
}

// Fact is one title/value row of a FactSet.
type Fact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

// Action is an Action.OpenUrl button.
type Action struct {
	Type  string `json:"type"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Card renders m as the Teams message.
func Card(m notify.Message) Message {
	inc := m.Incident
	service := m.ServiceName
	if service == "" {
		service = inc.ServiceID
	}
	esc := func(s string, n int) string { return notify.EscapeMarkdown(notify.Truncate(s, n)) }
	facts := []Fact{
		{Title: "Service", Value: esc(service, maxFact)},
		{Title: "Urgency", Value: esc(string(inc.Urgency), maxFact)},
		{Title: "Severity", Value: esc(string(inc.Severity), maxFact)},
		{Title: "Status", Value: esc(string(inc.Status), maxFact)},
	}
	if inc.Priority != "" {
		facts = append(facts, Fact{Title: "Priority", Value: esc(inc.Priority, maxFact)})
	}
	card := AdaptiveCard{
		Schema: "http://adaptivecards.io/schemas/adaptive-card.json", Type: "AdaptiveCard", Version: "1.4",
		Body: []Element{
			{Type: "TextBlock", Text: esc(notify.Headline(m), maxTitle), Size: "Large", Weight: "Bolder", Wrap: true},
			{Type: "FactSet", Facts: facts},
		},
	}
	card.MSTeams.Width = "Full"
	for _, a := range []struct{ title, url string }{
		{"Open incident", m.IncidentURL}, {"Acknowledge", m.AckURL}, {"Resolve", m.ResolveURL},
	} {
		if a.url != "" {
			card.Actions = append(card.Actions, Action{Type: "Action.OpenUrl", Title: a.title, URL: a.url})
		}
	}
	return Message{Type: "message", Attachments: []Attachment{{ContentType: ContentType, Content: card}}}
}
