package reload

import (
	"reflect"

	"github.com/hypercare/hypercare/config"
)

// section is one top-level part of the config file, as the reload
// answer names it.
type section struct {
	name string
	get  func(c *config.Config) any
	// restart says the running server does not take this part from a
	// reload: the HTTP limits, and the channels' credentials, templates
	// and network policy, which live inside senders and connections made
	// at start (README, "Live reload").
	restart bool
}

var sections = []section{
	{name: "teams", get: func(c *config.Config) any { return c.Teams }},
	{name: "users", get: func(c *config.Config) any { return c.UserSpecs }},
	{name: "schedules", get: func(c *config.Config) any { return c.ScheduleSpecs }},
	{name: "escalation_policies", get: func(c *config.Config) any { return c.EscalationPolicySpecs }},
	{name: "services", get: func(c *config.Config) any { return c.Services }},
	{name: "rules", get: func(c *config.Config) any { return c.RuleSpecs }},
	{name: "hypercare_windows", get: func(c *config.Config) any { return c.WindowSpecs }},
	{name: "runbooks", get: func(c *config.Config) any { return c.RunbookSpecs }},
	{name: "maintenance", get: func(c *config.Config) any { return c.MaintenanceSpecs }},
	{name: "notify.delivery", get: func(c *config.Config) any { return c.Notify.Delivery }},
	{name: "notify.throttle", get: func(c *config.Config) any { return c.Notify.Throttle }},
	{name: "notify.digest", get: func(c *config.Config) any { return c.Notify.Digest }},
	{name: "notify.low_urgency", get: func(c *config.Config) any { return c.Notify.LowUrgency }},
	{name: "retention", get: func(c *config.Config) any { return c.RetentionSpec }},
	{name: "ingest", get: func(c *config.Config) any { return c.Ingest }, restart: true},
	{name: "server", get: func(c *config.Config) any { return c.Server }, restart: true},
	{name: "notify.allow_private_networks", get: func(c *config.Config) any { return c.Notify.AllowPrivateNetworks }, restart: true},
	{name: "notify.signing_key", get: func(c *config.Config) any { return c.Notify.SigningKey }, restart: true},
	{name: "notify.email", get: func(c *config.Config) any { return c.Notify.Email }, restart: true},
	{name: "notify.webhook", get: func(c *config.Config) any { return c.Notify.Webhook }, restart: true},
	{name: "notify.slack", get: func(c *config.Config) any { return c.Notify.Slack }, restart: true},
	{name: "notify.ntfy", get: func(c *config.Config) any { return c.Notify.Ntfy }, restart: true},
	{name: "notify.twilio", get: func(c *config.Config) any { return c.Notify.Twilio }, restart: true},
	{name: "notify.templates", get: func(c *config.Config) any { return c.Notify.Templates }, restart: true},
}

// Changed lists the sections that differ between old and next (nil old:
// none, it is the first load).
func Changed(old, next *config.Config) []string {
	return diff(old, next, func(section) bool { return true })
}

// RestartRequired lists the sections a reload does not apply that differ
// between started, the config the server started with (what those
// sections still run as), and next.
func RestartRequired(started, next *config.Config) []string {
	return diff(started, next, func(s section) bool { return s.restart })
}

func diff(old, next *config.Config, keep func(section) bool) []string {
	out := []string{}
	if old == nil {
		return out
	}
	for _, s := range sections {
		if keep(s) && !reflect.DeepEqual(s.get(old), s.get(next)) {
			out = append(out, s.name)
		}
	}
	return out
}
