package main

import (
	"text/template"

	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/tmpl"
)

// deliveryPolicy is cfg's delivery policy (config.Config.DeliveryPolicy),
// the reloader's Options.Delivery.
func deliveryPolicy(cfg *config.Config) notify.Policy { return cfg.DeliveryPolicy() }

// configTemplate parses one notify.templates entry; nil when unset. The
// config check already parsed and tried it, so an error cannot happen
// here and would only keep the default message.
func configTemplate(name, src string) *template.Template {
	if src == "" {
		return nil
	}
	t, err := tmpl.Parse(name, src)
	if err != nil {
		return nil
	}
	return t
}

// emailTemplates returns notify.templates.email's subject and text.
func emailTemplates(cfg *config.Config) (subject, text *template.Template) {
	if e := cfg.Notify.Templates.Email; e != nil {
		return configTemplate("notify.templates.email.subject", e.Subject), configTemplate("notify.templates.email.text", e.Text)
	}
	return nil, nil
}

// textTemplate returns a notify.templates text entry (sms, slack).
func textTemplate(name string, t *config.TextTemplate) *template.Template {
	if t == nil {
		return nil
	}
	return configTemplate(name, t.Text)
}
