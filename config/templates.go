package config

import (
	"github.com/hypercare/hypercare/notify/tmpl"
)

// Templates is notify.templates: Go text/template overrides of the
// default messages. Alert text reaches a template already escaped for
// its medium and the result is cleaned again (one-line subject, GSM-7 SMS
// within two segments, Slack control sequences escaped), so a template
// cannot reintroduce injection. Each is parsed and executed against a
// sample page at load: a syntax error or an unknown field ({{.Titel}}) is
// a config error at its line.
type Templates struct {
	Email *EmailTemplates `yaml:"email"`
	SMS   *TextTemplate   `yaml:"sms"`
	Slack *TextTemplate   `yaml:"slack"`
}

// EmailTemplates override an e-mail page's subject and plain-text body
// (the HTML part stays the default, escaped by html/template).
type EmailTemplates struct {
	Subject string `yaml:"subject"`
	Text    string `yaml:"text"`
}

// TextTemplate overrides a channel's message text.
type TextTemplate struct {
	Text string `yaml:"text"`
}

// checkTemplates parses and tries every template.
func (c *checker) checkTemplates(t *Templates) {
	check := func(path, src string) {
		if src == "" {
			return
		}
		if _, err := tmpl.Parse(path, src); err != nil {
			c.add(path, "%v", err)
		}
	}
	if t.Email != nil {
		if t.Email.Subject == "" && t.Email.Text == "" {
			c.add("notify.templates.email", "set subject, text or both")
		}
		check("notify.templates.email.subject", t.Email.Subject)
		check("notify.templates.email.text", t.Email.Text)
	}
	if t.SMS != nil {
		c.checkRequired("notify.templates.sms.text", t.SMS.Text)
		check("notify.templates.sms.text", t.SMS.Text)
	}
	if t.Slack != nil {
		c.checkRequired("notify.templates.slack.text", t.Slack.Text)
		check("notify.templates.slack.text", t.Slack.Text)
	}
}
