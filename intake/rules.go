package intake

import (
	"sync/atomic"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/rules"
)

// ruleState is the event rules in force and their counters, replaced
// together on config reload.
type ruleState struct {
	set *rules.Set
	// counts has one entry per rule ID of set; the map is never written
	// after SetRules, only the counters in it.
	counts map[string]*ruleCount
}

// ruleCount counts what one rule did since the process started.
type ruleCount struct {
	hits, errors atomic.Uint64
}

// RuleStat is what one rule did since the process started: the events it
// matched and acted on, and the evaluations that failed at run time (the
// rule was skipped for those events).
type RuleStat struct {
	ID     string
	Hits   uint64
	Errors uint64
}

// SetRules replaces the event rules (config reload). Counters of rules
// that keep their ID carry on, so /metrics counters do not reset.
func (in *Intake) SetRules(set *rules.Set) {
	in.update(func(c *Config) { c.rules = newRuleState(set, c.rules) })
}

// newRuleState pairs set with counters, reusing old's for the rule IDs
// set keeps (old may be nil).
func newRuleState(set *rules.Set, old *ruleState) *ruleState {
	st := &ruleState{set: set, counts: map[string]*ruleCount{}}
	for _, id := range set.IDs() {
		c := &ruleCount{}
		if old != nil && old.counts[id] != nil {
			c = old.counts[id]
		}
		st.counts[id] = c
	}
	return st
}

// RuleStats returns each rule's counters, in rule ID order.
func (in *Intake) RuleStats() []RuleStat {
	st := in.config().rules
	ids := st.set.IDs()
	out := make([]RuleStat, 0, len(ids))
	for _, id := range ids {
		c := st.counts[id]
		out = append(out, RuleStat{ID: id, Hits: c.hits.Load(), Errors: c.errors.Load()})
	}
	return out
}

// count records what the rules did to the events of a committed request.
func (st *ruleState) count(decisions []rules.Decision) {
	for _, d := range decisions {
		for _, id := range d.Matched {
			if c := st.counts[id]; c != nil {
				c.hits.Add(1)
			}
		}
		for _, id := range d.Failed {
			if c := st.counts[id]; c != nil {
				c.errors.Add(1)
			}
		}
	}
}

// decide applies the rules to every event of a request, in place.
func (st *ruleState) decide(it hypercare.Integration, events []hypercare.Event) []rules.Decision {
	src := rules.Source{ServiceID: it.ServiceID, IntegrationID: it.ID, IntegrationType: it.Type}
	decisions := make([]rules.Decision, len(events))
	for i := range events {
		decisions[i] = st.set.Apply(&events[i], src)
	}
	return decisions
}
