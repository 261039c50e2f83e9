package config

import (
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
)

// DeliveryPolicy turns notify.delivery, notify.throttle, notify.digest and
// notify.low_urgency into the delivery engine's policy. It is the one
// reading of those keys, so the server and a replay of the same file pace,
// hold and digest pages alike.
func (c *Config) DeliveryPolicy() notify.Policy {
	p := notify.Policy{Quiet: c.QuietHours()}
	if c == nil {
		return p
	}
	n := &c.Notify
	p.Channels = map[hypercare.ContactType]notify.ChannelLimits{}
	n.Delivery.Each(func(t hypercare.ContactType, d *ChannelDelivery) {
		p.Channels[t] = notify.ChannelLimits{Concurrency: d.Concurrency, Timeout: time.Duration(d.TimeoutSeconds) * time.Second}
	})
	p.Throttles = map[hypercare.ContactType]notify.Throttle{}
	n.Throttle.Each(func(t hypercare.ContactType, th *Throttle) {
		p.Throttles[t] = notify.Throttle{Max: th.PerUser, Per: time.Duration(th.PerMinutes) * time.Minute}
	})
	if d := n.Digest; d != nil {
		p.Digest = notify.DigestPolicy{MaxPages: d.MaxPages, Per: time.Duration(d.PerMinutes) * time.Minute}
	}
	return p
}
