// Package tmpl is the one definition of what a message template
// (notify.templates in the config) may use, shared by the config check and
// the channels, so a template that loads is a template that renders.
//
// Templates are Go text/template. Every field is plain text already made
// safe for the channel rendering it (the channel escapes the alert text
// before executing), so the template's own literal text is the only
// markup, and that is written by whoever owns the config.
package tmpl

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"text/template"

	"github.com/hypercare/hypercare/notify"
)

// Data is what a template sees: {{.Number}}, {{.Title}}, {{.Service}}, …
type Data struct {
	// Number, Title and Service name the incident (Service: its display
	// name, else its ID).
	Number  int64
	Title   string
	Service string
	// Urgency, Severity and Status are the incident's, as the API spells them.
	Urgency  string
	Severity string
	Status   string
	// Reason says why this person was paged ("on call for web-primary");
	// User is their name.
	Reason string
	User   string
	// IncidentURL, AckURL and ResolveURL are the page's links, empty when
	// the server has no link base (no --public-url and a wildcard listener).
	IncidentURL string
	AckURL      string
	ResolveURL  string
}

// maxOutput bounds one rendered message: a template cannot make a page
// the size of a book.
const maxOutput = 64 << 10

// sample is the page every template is tried on at load.
var sample = Data{Number: 42, Title: "Checkout 5xx rate high", Service: "Checkout", Urgency: "high",
	Severity: "critical", Status: "triggered", Reason: "on call for web-primary", User: "Alice Example",
	IncidentURL: "https://hypercare.example.com/incidents/42", AckURL: "https://hypercare.example.com/act/tok1",
	ResolveURL: "https://hypercare.example.com/act/tok2"}

// Parse parses src and executes it once against a sample page, so an
// unknown field or a function used wrongly is found when the config loads,
// not at the first page. Functions beyond text/template's built-ins are
// not available.
func Parse(name, src string) (*template.Template, error) {
	t, err := template.New(name).Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, errors.New(clean(err.Error(), name))
	}
	if _, err := Execute(t, sample); err != nil {
		return nil, err
	}
	return t, nil
}

// Execute renders t with d, bounded in size.
func Execute(t *template.Template, d Data) (string, error) {
	var b bytes.Buffer
	if err := t.Execute(&limited{&b}, d); err != nil {
		return "", errors.New(clean(err.Error(), t.Name()))
	}
	return b.String(), nil
}

// clean drops the "template: name:" prefix text/template puts on errors:
// the config check already names the field.
func clean(msg, name string) string {
	msg = strings.TrimPrefix(msg, "template: ")
	msg = strings.TrimPrefix(msg, name+":")
	return "invalid template: " + strings.TrimSpace(msg)
}

// limited is a buffer that refuses to grow past maxOutput, so a template
// looping over a large range fails instead of eating memory.
type limited struct{ b *bytes.Buffer }

// Write appends p, or fails once the output would pass maxOutput.
func (l *limited) Write(p []byte) (int, error) {
	if l.b.Len()+len(p) > maxOutput {
		return 0, fmt.Errorf("renders more than %d bytes", maxOutput)
	}
	return l.b.Write(p)
}

// Of is the data of page m with every field passed through escape, the
// channel's escaping for its medium. Digests are not templated.
func Of(m notify.Message, escape func(string) string) Data {
	inc := m.Incident
	service := m.ServiceName
	if service == "" {
		service = inc.ServiceID
	}
	return Data{Number: inc.Number, Title: escape(inc.Title), Service: escape(service),
		Urgency: escape(string(inc.Urgency)), Severity: escape(string(inc.Severity)), Status: escape(string(inc.Status)),
		Reason: escape(m.Notification.Reason), User: escape(m.User.Name), IncidentURL: escape(m.IncidentURL),
		AckURL: escape(m.AckURL), ResolveURL: escape(m.ResolveURL)}
}
