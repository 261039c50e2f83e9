package main

import (
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/notify"
)

// deliveryPolicy turns notify.delivery, notify.throttle and notify.digest
// into the delivery engine's policy.
func deliveryPolicy(cfg *config.Config) notify.Policy {
	var p notify.Policy
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
