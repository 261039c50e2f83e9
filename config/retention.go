package config

import (
	"time"

	"github.com/hypercare/hypercare"
)

// Retention is the retention section as written: how many days each kind
// of finished history is kept (0 or absent: forever, the default, so an
// upgrade deletes nothing), and how the deletion is paced.
type Retention struct {
	EventsDays        int `yaml:"events_days"`
	NotificationsDays int `yaml:"notifications_days"`
	EscalationsDays   int `yaml:"escalations_days"`
	IncidentsDays     int `yaml:"incidents_days"`
	// BatchSize is the most rows one delete transaction removes; default
	// DefaultRetentionBatch.
	BatchSize *int `yaml:"batch_size"`
	// Interval is a Go duration ("1m", "30s") between passes; default
	// DefaultRetentionInterval.
	Interval string `yaml:"interval"`
}

// Retention defaults and limits. Batches are small so a prune transaction
// holds the single writer for milliseconds, never long enough to stall
// ingest; the interval bounds how far behind the cutoff pruning runs.
const (
	DefaultRetentionBatch    = 500
	maxRetentionBatch        = 10000
	DefaultRetentionInterval = time.Minute
	minRetentionInterval     = time.Second
	maxRetentionInterval     = 24 * time.Hour
	maxRetentionDays         = 36500
)

// Retention returns the retention policy with defaults applied. The zero
// policy (no section) keeps everything forever.
func (c *Config) Retention() hypercare.RetentionPolicy {
	p := hypercare.RetentionPolicy{BatchSize: DefaultRetentionBatch, Interval: DefaultRetentionInterval}
	if c == nil {
		return p
	}
	r := c.RetentionSpec
	day := 24 * time.Hour
	p.Events, p.Notifications = time.Duration(r.EventsDays)*day, time.Duration(r.NotificationsDays)*day
	p.Escalations, p.Incidents = time.Duration(r.EscalationsDays)*day, time.Duration(r.IncidentsDays)*day
	if r.BatchSize != nil {
		p.BatchSize = *r.BatchSize
	}
	if d, err := time.ParseDuration(r.Interval); err == nil && r.Interval != "" {
		p.Interval = d
	}
	// Pages are still read while they count towards a throttle, a digest
	// or a fatigue guardrail: keep them (and the incidents they go with)
	// at least that long, or a responder's earlier pages would stop
	// counting and the guardrail or throttle let more through.
	if live := c.pagesReadFor(); live > 0 {
		for _, age := range []*time.Duration{&p.Notifications, &p.Incidents} {
			if *age > 0 && *age < live {
				*age = live
			}
		}
	}
	// Readiness calls an integration silent when the event log holds
	// nothing from it for a window's silent_integration_days: keep the log
	// at least that long, or a busy integration would read as silent once
	// retention deleted its events.
	for _, w := range c.Windows() {
		if p.Events > 0 && p.Events < w.SilentAfter {
			p.Events = w.SilentAfter
		}
	}
	return p
}

// pagesReadFor is the longest look back over past pages the running server
// makes: notify.throttle and notify.digest windows (RecentSends) and
// hypercare windows' fatigue guardrails (RecentPages, at least a day for
// night pages).
func (c *Config) pagesReadFor() time.Duration {
	var longest time.Duration
	c.Notify.Throttle.Each(func(_ hypercare.ContactType, th *Throttle) {
		longest = max(longest, time.Duration(th.PerMinutes)*time.Minute)
	})
	if d := c.Notify.Digest; d != nil {
		longest = max(longest, time.Duration(d.PerMinutes)*time.Minute)
	}
	for _, w := range c.Windows() {
		if f := w.Fatigue; f != nil {
			longest = max(longest, f.Per, hypercare.NightPer)
		}
	}
	return longest
}

// checkRetention checks the retention section's ranges.
func (c *checker) checkRetention(r Retention) {
	for _, f := range []struct {
		key  string
		days int
	}{{"events_days", r.EventsDays}, {"notifications_days", r.NotificationsDays},
		{"escalations_days", r.EscalationsDays}, {"incidents_days", r.IncidentsDays}} {
		if f.days < 0 || f.days > maxRetentionDays {
			c.add("retention."+f.key, "must be between 0 (keep forever) and %d days", maxRetentionDays)
		}
	}
	if n := r.BatchSize; n != nil && (*n < 1 || *n > maxRetentionBatch) {
		c.add("retention.batch_size", "must be between 1 and %d rows", maxRetentionBatch)
	}
	if r.Interval != "" {
		d, err := time.ParseDuration(r.Interval)
		if err != nil || d < minRetentionInterval || d > maxRetentionInterval {
			c.add("retention.interval", "must be a duration between 1s and 24h such as 30s or 5m, not %q", r.Interval)
		}
	}
}
