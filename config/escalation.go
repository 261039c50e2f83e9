package config

import (
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// EscalationPolicy is one entry of escalation_policies, as written in the
// file: the levels an unacknowledged incident climbs. Delays are whole
// minutes, as people write them; [Config.EscalationPolicies] converts
// them to durations.
type EscalationPolicy struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// Repeat is how many times the whole policy runs again after the last
	// level times out; default 0.
	Repeat int `yaml:"repeat"`
	// AckTimeoutMinutes, if set, re-triggers an acknowledged incident
	// that is not resolved within it, so an ack cannot silence a page
	// forever. Nil or 0: never.
	AckTimeoutMinutes *int              `yaml:"ack_timeout_minutes"`
	Levels            []EscalationLevel `yaml:"levels"`
}

// EscalationLevel is one rung of a policy.
type EscalationLevel struct {
	Targets []Target `yaml:"targets"`
	// EscalateAfterMinutes is how long the level has to acknowledge
	// before the next one is paged; required, at least 1 so that a level
	// is never skipped before anyone could react.
	EscalateAfterMinutes *int `yaml:"escalate_after_minutes"`
	// Mode is all (default: page every target) or round_robin (page one
	// target per incident, taking turns).
	Mode hypercare.LevelMode `yaml:"mode"`
}

// Target is whom a level pages: exactly one of a user or a schedule (its
// on-call user at the time of the page), each by ID.
type Target struct {
	User     string `yaml:"user"`
	Schedule string `yaml:"schedule"`
}

// EscalationPolicies returns the policies declared in the file, in file
// order, with minutes converted to durations and the default mode (all)
// filled in. A nil Config has none.
func (c *Config) EscalationPolicies() []hypercare.EscalationPolicy {
	if c == nil {
		return nil
	}
	var out []hypercare.EscalationPolicy
	for _, p := range c.EscalationPolicySpecs {
		ep := hypercare.EscalationPolicy{
			ID:         p.ID,
			Name:       p.Name,
			Repeat:     p.Repeat,
			AckTimeout: minutes(p.AckTimeoutMinutes),
		}
		for _, l := range p.Levels {
			level := hypercare.EscalationLevel{
				Mode:          l.Mode,
				EscalateAfter: minutes(l.EscalateAfterMinutes),
			}
			if level.Mode == "" {
				level.Mode = hypercare.NotifyAll
			}
			for _, t := range l.Targets {
				level.Targets = append(level.Targets, hypercare.Target{User: t.User, Schedule: t.Schedule})
			}
			ep.Levels = append(ep.Levels, level)
		}
		out = append(out, ep)
	}
	return out
}

// maxRepeat bounds repeat: the dry run (GET /api/v1/simulate, open to
// viewers) walks every level of every repeat, so a typo of a few more
// zeros must not make one request loop for hours. A thousand runs of a
// policy outlast any incident.
const maxRepeat = 1000

// minutes converts an optional number of minutes; nil is 0.
func minutes(m *int) time.Duration {
	if m == nil {
		return 0
	}
	return time.Duration(*m) * time.Minute
}

// checkPolicies validates the escalation policies and returns the set of
// declared IDs.
func (c *checker) checkPolicies(policies []EscalationPolicy, users, schedules map[string]bool) map[string]bool {
	declared := map[string]bool{}
	seen := map[string]string{}
	for i, p := range policies {
		path := fmt.Sprintf("escalation_policies[%d]", i)
		c.checkID(path+".id", p.ID, "escalation policy", seen)
		declared[p.ID] = true
		if p.Repeat < 0 {
			c.add(path+".repeat", "must be 0 or more")
		} else if p.Repeat > maxRepeat {
			c.add(path+".repeat", "must be at most %d", maxRepeat)
		}
		if p.AckTimeoutMinutes != nil {
			c.checkMinutes(path+".ack_timeout_minutes", *p.AckTimeoutMinutes, 0)
		}
		if len(p.Levels) == 0 {
			c.add(path+".levels", "at least one level is required")
		}
		for j, l := range p.Levels {
			c.checkLevel(fmt.Sprintf("%s.levels[%d]", path, j), l, users, schedules)
		}
	}
	return declared
}

// checkLevel checks one level of a policy.
func (c *checker) checkLevel(path string, l EscalationLevel, users, schedules map[string]bool) {
	if len(l.Targets) == 0 {
		c.add(path+".targets", "at least one target is required")
	}
	for k, t := range l.Targets {
		tpath := fmt.Sprintf("%s.targets[%d]", path, k)
		switch {
		case (t.User == "") == (t.Schedule == ""):
			c.add(tpath, "must name exactly one of user or schedule")
		case t.User != "":
			c.checkRef(tpath+".user", t.User, "user", "users", users)
		default:
			c.checkRef(tpath+".schedule", t.Schedule, "schedule", "schedules", schedules)
		}
	}
	if l.EscalateAfterMinutes == nil {
		c.add(path+".escalate_after_minutes", "is required")
	} else {
		c.checkMinutes(path+".escalate_after_minutes", *l.EscalateAfterMinutes, 1)
	}
	switch l.Mode {
	case "", hypercare.NotifyAll, hypercare.RoundRobin:
	default:
		c.add(path+".mode", "must be all or round_robin")
	}
}
