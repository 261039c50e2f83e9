package config

import (
	"fmt"
	"reflect"

	"github.com/hypercare/hypercare"
)

// PerChannel holds one optional setting per contact type, so a typo in a
// channel name is an unknown field at its line like any other.
type PerChannel[T any] struct {
	Email      *T `yaml:"email"`
	SMS        *T `yaml:"sms"`
	Voice      *T `yaml:"voice"`
	Push       *T `yaml:"push"`
	Slack      *T `yaml:"slack"`
	Webhook    *T `yaml:"webhook"`
	Teams      *T `yaml:"teams"`
	Discord    *T `yaml:"discord"`
	Mattermost *T `yaml:"mattermost"`
	Ntfy       *T `yaml:"ntfy"`
}

// Each calls fn with every channel that has a setting, by contact type.
func (p *PerChannel[T]) Each(fn func(t hypercare.ContactType, v *T)) {
	rv := reflect.ValueOf(p).Elem()
	for i := range rv.NumField() {
		if f := rv.Field(i); !f.IsNil() {
			fn(hypercare.ContactType(rv.Type().Field(i).Tag.Get("yaml")), f.Interface().(*T))
		}
	}
}

// ChannelDelivery is notify.delivery.<type>: how many sends of the
// channel run at once and how long one attempt may take, so a slow or
// dead provider holds up only its own channel.
type ChannelDelivery struct {
	// Concurrency defaults to 32.
	Concurrency int `yaml:"concurrency"`
	// TimeoutSeconds defaults to 20; at most 90 (half the delivery lease).
	TimeoutSeconds int `yaml:"timeout_seconds"`
}

// Throttle is notify.throttle.<type>: at most PerUser pages per user in
// any PerMinutes minutes on the channel; the rest wait, and each
// incident's timeline says for how long.
type Throttle struct {
	PerUser    int `yaml:"per_user"`
	PerMinutes int `yaml:"per_minutes"`
}

// Digest is notify.digest: once a user was sent MaxPages pages on one
// channel within PerMinutes minutes, further pages on it wait for the end
// of that window and go out as one digest listing the incidents.
type Digest struct {
	MaxPages   int `yaml:"max_pages"`
	PerMinutes int `yaml:"per_minutes"`
}

// maxAttemptSeconds is the longest notify.delivery timeout: half the
// three-minute delivery lease, so an attempt ends before another node
// could claim the page again.
const maxAttemptSeconds = 90

// checkPacing validates notify.delivery, notify.throttle and notify.digest.
func (c *checker) checkPacing(n *Notify) {
	n.Delivery.Each(func(t hypercare.ContactType, d *ChannelDelivery) {
		p := fmt.Sprintf("notify.delivery.%s", t)
		if d.Concurrency < 0 || d.Concurrency > 1000 {
			c.add(p+".concurrency", "must be between 1 and 1000 (0 or unset: 32)")
		}
		if d.TimeoutSeconds < 0 || d.TimeoutSeconds > maxAttemptSeconds {
			c.add(p+".timeout_seconds", "must be between 1 and %d (0 or unset: 20)", maxAttemptSeconds)
		}
	})
	n.Throttle.Each(func(t hypercare.ContactType, th *Throttle) {
		p := fmt.Sprintf("notify.throttle.%s", t)
		if th.PerUser < 1 || th.PerUser > 1000 {
			c.add(p+".per_user", "must be between 1 and 1000 (pages per user in per_minutes)")
		}
		c.checkMinutes(p+".per_minutes", th.PerMinutes, 1)
	})
	if d := n.Digest; d != nil {
		if d.MaxPages < 1 || d.MaxPages > 1000 {
			c.add("notify.digest.max_pages", "must be between 1 and 1000 (pages per user and channel before a digest)")
		}
		c.checkMinutes("notify.digest.per_minutes", d.PerMinutes, 1)
	}
}
