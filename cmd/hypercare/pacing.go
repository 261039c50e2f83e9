package main

import (
	"text/template"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/tmpl"
)

// deliveryPolicy turns notify.delivery, notify.throttle, notify.digest and
// notify.low_urgency into the delivery engine's policy.
func deliveryPolicy(cfg *config.Config) notify.Policy {
	p := notify.Policy{Quiet: cfg.QuietHours()}
	if cfg == nil {
		return p
	}
	n := &cfg.Notify
	p.Channels = map[hypercare.ContactType]notify.ChannelLimits{}
	n.Delivery.Each(func(t hypercare.ContactType, d *config.ChannelDelivery) {
		p.Channels[t] = notify.ChannelLimits{Concurrency: d.Concurrency, Timeout: time.Duration(d.TimeoutSeconds) * time.Second}
	})
	p.Throttles = map[hypercare.ContactType]notify.Throttle{}
	n.Throttle.Each(func(t hypercare.ContactType, th *config.Throttle) {
		p.Throttles[t] = notify.Throttle{Max: th.PerUser, Per: time.Duration(th.PerMinutes) * time.Minute}
	})
	if d := n.Digest; d != nil {
		p.Digest = notify.DigestPolicy{MaxPages: d.MaxPages, Per: time.Duration(d.PerMinutes) * time.Minute}
	}
	return p
}

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
