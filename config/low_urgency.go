package config

import (
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/oncall"
)

// DefaultQuietHours is when low-urgency pages wait by default: the same
// night as the fatigue guardrail's and the window summary's night pages.
const DefaultQuietHours = DefaultFatigueNight

// QuietHoursOff turns the hold off: low-urgency pages then go at once,
// day or night, like high-urgency ones.
const QuietHoursOff = "off"

// LowUrgency is notify.low_urgency: a low-urgency page that would reach
// someone inside QuietHours on their wall clock (their time_zone, else
// TimeZone) waits until the quiet hours end and goes then only if its
// incident is still open and unacknowledged. High urgency always pages
// at once.
type LowUrgency struct {
	// QuietHours is "HH:MM-HH:MM" (default "22:00-07:00") or "off".
	QuietHours string `yaml:"quiet_hours"`
	// TimeZone is whose clock is read for users without a time_zone
	// (default UTC).
	TimeZone string `yaml:"time_zone"`
}

// checkLowUrgency checks notify.low_urgency.
func (c *checker) checkLowUrgency(l *LowUrgency) {
	if l == nil {
		return
	}
	if l.QuietHours != "" && l.QuietHours != QuietHoursOff {
		if _, _, err := parseNight(l.QuietHours); err != nil {
			c.add("notify.low_urgency.quiet_hours", `%v (or "off")`, err)
		}
	}
	if l.TimeZone != "" {
		c.checkZone("notify.low_urgency.time_zone", l.TimeZone)
	}
}

// QuietHours returns the quiet hours low-urgency pages wait out
// (notify.low_urgency), defaults filled in; nil when turned off. A nil
// Config gives the default, so every caller holds low urgency at night
// unless the file says otherwise.
func (c *Config) QuietHours() *hypercare.QuietHours {
	span, zone := DefaultQuietHours, ""
	if c != nil && c.Notify.LowUrgency != nil {
		if l := c.Notify.LowUrgency; l.QuietHours != "" {
			span = l.QuietHours
		}
		zone = c.Notify.LowUrgency.TimeZone
	}
	if span == QuietHoursOff {
		return nil
	}
	start, end, err := parseNight(span)
	if err != nil {
		return nil // the check reported it; an unchecked config pages as usual
	}
	q := &hypercare.QuietHours{Start: start, End: end, Zone: time.UTC}
	if zone != "" {
		if loc, err := oncall.LoadZone(zone); err == nil {
			q.Zone = loc
		}
	}
	return q
}
