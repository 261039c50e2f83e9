package email

import (
	"bytes"
	htmltemplate "html/template"
	"strconv"
	"strings"
	texttemplate "text/template"
	"unicode"
	"unicode/utf8"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/tmpl"
	gomail "github.com/wneessen/go-mail"
)

// view is what the templates show.
type view struct {
	Number             int64
	Title, Service     string
	Urgency, Status    string
	Reason, User       string
	IncidentURL        string
	AckURL, ResolveURL string
	NoLinks            bool
	Level, Loop        int
}

// noLinks explains a message without links, so a responder knows why and
// an admin knows what to fix.
const noLinks = "No links: the Hypercare server does not know its public address (start it with --public-url)."

var textBody = texttemplate.Must(texttemplate.New("text").Parse(
	`#{{.Number}} {{.Title}}

Service: {{.Service}}
Urgency: {{.Urgency}}
Status:  {{.Status}}
{{- if .Reason}}
Why you: {{.Reason}}{{end}}
{{if .NoLinks}}
` + noLinks + `
{{else}}{{if .AckURL}}
Acknowledge: {{.AckURL}}
Resolve:     {{.ResolveURL}}
{{end}}{{if .IncidentURL}}
Incident:    {{.IncidentURL}}
{{end}}{{end}}
-- 
Hypercare paged {{.User}}. The acknowledge and resolve links act as you; they ask for confirmation first and expire after 24 hours.
`))

var htmlBody = htmltemplate.Must(htmltemplate.New("html").Parse(`<!DOCTYPE html>
<html><body>
<h2>#{{.Number}} {{.Title}}</h2>
<table>
<tr><td>Service</td><td>{{.Service}}</td></tr>
<tr><td>Urgency</td><td>{{.Urgency}}</td></tr>
<tr><td>Status</td><td>{{.Status}}</td></tr>
{{if .Reason}}<tr><td>Why you</td><td>{{.Reason}}</td></tr>{{end}}
</table>
{{if .NoLinks}}<p>` + noLinks + `</p>{{else}}<p>
{{if .AckURL}}<a href="{{.AckURL}}">Acknowledge</a> · <a href="{{.ResolveURL}}">Resolve</a>{{end}}
{{if .IncidentURL}} · <a href="{{.IncidentURL}}">Open incident</a>{{end}}
</p>{{end}}
<p><small>Hypercare paged {{.User}}. The acknowledge and resolve links act as you; they ask for confirmation first and expire after 24 hours.</small></p>
</body></html>
`))

// digestView is what the digest templates show: one line per incident.
type digestView struct {
	Summary string
	Items   []notify.DigestItem
	User    string
	NoLinks bool
}

var digestText = texttemplate.Must(texttemplate.New("digest").Parse(
	`{{.Summary}}
{{range .Items}}
#{{.Number}} [{{.Urgency}}] {{.Title}} ({{.Service}})
{{- if .AckURL}}
  Acknowledge: {{.AckURL}}{{end}}
{{- if .IncidentURL}}
  Incident:    {{.IncidentURL}}{{end}}
{{end}}{{if .NoLinks}}
` + noLinks + `
{{end}}
-- 
Hypercare sent {{.User}} this digest instead of one page per incident (notify.digest). The acknowledge links act as you; they ask for confirmation first.
`))

var digestHTML = htmltemplate.Must(htmltemplate.New("digest").Parse(`<!DOCTYPE html>
<html><body>
<h2>{{.Summary}}</h2>
<ul>
{{range .Items}}<li>#{{.Number}} [{{.Urgency}}] {{.Title}} ({{.Service}})
{{if .AckURL}} · <a href="{{.AckURL}}">Acknowledge</a>{{end}}{{if .IncidentURL}} · <a href="{{.IncidentURL}}">Open</a>{{end}}</li>
{{end}}</ul>
{{if .NoLinks}}<p>` + noLinks + `</p>{{end}}
<p><small>Hypercare sent {{.User}} this digest instead of one page per incident (notify.digest). The acknowledge links act as you; they ask for confirmation first.</small></p>
</body></html>
`))

// renderDigest writes a digest's subject and bodies; alert text is made
// one line (text) and escaped by html/template (HTML).
func renderDigest(m notify.Message) (subject, text, html string, err error) {
	d := m.Digest
	v := digestView{Summary: oneLine(d.Summary), User: oneLine(m.User.Name), NoLinks: true}
	for _, it := range d.Items {
		it.Title, it.Service = oneLine(it.Title), oneLine(it.Service)
		v.Items = append(v.Items, it)
		if it.AckURL != "" || it.IncidentURL != "" {
			v.NoLinks = false
		}
	}
	var tb, hb bytes.Buffer
	if err := digestText.Execute(&tb, v); err != nil {
		return "", "", "", err
	}
	if err := digestHTML.Execute(&hb, v); err != nil {
		return "", "", "", err
	}
	return notify.Truncate("[Hypercare digest] "+v.Summary, maxSubject), tb.String(), hb.String(), nil
}

// oneLine makes alert text safe for a header and a one-line display:
// control characters (CR, LF, tab, …) become spaces. go-mail also encodes
// headers, so this is defence in depth against header injection.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, unicode.IsControl), " ")
}

// maxSubject bounds a subject, in characters, as notify.templates.email's
// subject is: RFC 5322 lines are at most 998 characters and a title
// without spaces cannot be folded, so "[#42] " and a 1024-character title
// would make one longer line.
const maxSubject = 250

// Subject is "[#42] title (service)", the title cut so the whole stays
// within maxSubject characters and the service still shows.
func Subject(m notify.Message) string {
	inc := m.Incident
	head, tail := "[#"+itoa(inc.Number)+"] ", " ("+notify.Truncate(oneLine(serviceName(m)), 60)+")"
	room := maxSubject - utf8.RuneCountInString(head+tail)
	return head + notify.Truncate(oneLine(inc.Title), room) + tail
}

func serviceName(m notify.Message) string {
	if m.ServiceName != "" {
		return m.ServiceName
	}
	return m.Incident.ServiceID
}

// ThreadID is the Message-ID every page of the incident refers to.
func (s *Sender) ThreadID(incidentID string) string {
	return "<incident." + incidentID + "@" + s.idDomain() + ">"
}

// MessageID is one page's Message-ID: the same on every retry.
func (s *Sender) MessageID(notificationID, incidentID string) string {
	return "<page." + notificationID + "." + incidentID + "@" + s.idDomain() + ">"
}

func (s *Sender) idDomain() string {
	return "hypercare." + s.helo()
}

func (s *Sender) message(m notify.Message) (*gomail.Msg, error) {
	n, inc := m.Notification, m.Incident
	if m.Digest != nil {
		return s.digestMessage(m)
	}
	v := view{Number: inc.Number, Title: oneLine(inc.Title), Service: oneLine(serviceName(m)),
		Urgency: string(inc.Urgency), Status: string(inc.Status), Reason: oneLine(n.Reason), User: oneLine(m.User.Name),
		IncidentURL: m.IncidentURL, AckURL: m.AckURL, ResolveURL: m.ResolveURL, Level: n.Level, Loop: n.Loop,
		NoLinks: m.IncidentURL == "" && m.AckURL == ""}
	var text, html bytes.Buffer
	if err := textBody.Execute(&text, v); err != nil {
		return nil, err
	}
	if err := htmlBody.Execute(&html, v); err != nil {
		return nil, err
	}
	subject, body, err := s.overrides(m, Subject(m), text.String())
	if err != nil {
		return nil, err
	}
	msg := gomail.NewMsg()
	msg.SetAddrHeaderFromMailAddress(gomail.HeaderFrom, s.from)
	if err := msg.To(n.Address); err != nil {
		return nil, err
	}
	msg.Subject(subject)
	msg.SetMessageIDWithValue(strings.Trim(s.MessageID(n.ID, inc.ID), "<>"))
	msg.SetGenHeader(gomail.HeaderInReplyTo, s.ThreadID(inc.ID))
	msg.SetGenHeader(gomail.HeaderReferences, s.ThreadID(inc.ID))
	msg.SetGenHeader("X-Hypercare-Incident", itoa(inc.Number))
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetDateWithValue(s.cfg.Clock.Now())
	msg.SetUserAgent("Hypercare/" + hypercare.Version)
	msg.SetBodyString(gomail.TypeTextPlain, body)
	msg.AddAlternativeString(gomail.TypeTextHTML, html.String())
	return msg, nil
}

// overrides applies notify.templates.email. The templates get alert text
// made one line; the subject they make is made one line again (no header
// injection, whatever the template does), and the text body is plain
// text, never HTML. A template that fails keeps the default: it was tried
// at load, and a page is never lost to it.
func (s *Sender) overrides(m notify.Message, subject, text string) (string, string, error) {
	d := tmpl.Of(m, oneLine)
	if s.cfg.Subject != nil {
		if out, err := tmpl.Execute(s.cfg.Subject, d); err == nil {
			subject = notify.Truncate(oneLine(out), 250)
		}
	}
	if s.cfg.Text != nil {
		if out, err := tmpl.Execute(s.cfg.Text, d); err == nil {
			text = out
		}
	}
	return subject, text, nil
}

// digestMessage is a digest e-mail: not threaded with any one incident.
func (s *Sender) digestMessage(m notify.Message) (*gomail.Msg, error) {
	subject, text, html, err := renderDigest(m)
	if err != nil {
		return nil, err
	}
	msg := gomail.NewMsg()
	msg.SetAddrHeaderFromMailAddress(gomail.HeaderFrom, s.from)
	if err := msg.To(m.Notification.Address); err != nil {
		return nil, err
	}
	msg.Subject(subject)
	msg.SetMessageIDWithValue(strings.Trim(s.MessageID(m.Notification.ID, m.Incident.ID), "<>"))
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetDateWithValue(s.cfg.Clock.Now())
	msg.SetUserAgent("Hypercare/" + hypercare.Version)
	msg.SetBodyString(gomail.TypeTextPlain, text)
	msg.AddAlternativeString(gomail.TypeTextHTML, html)
	return msg, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
