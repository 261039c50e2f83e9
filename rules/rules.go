// Package rules is event rules: ordered conditions over an event, written
// in expr-lang, with actions that change how the event is handled (its
// severity, urgency, priority, service, dedup key, summary, links, whether
// it opens an incident at all, and when its first page goes out). Rules
// are what lets a team turn a storm of monitoring noise into the few pages
// that matter without changing every monitor.
//
// The package is pure: rules are compiled once (Compile) and applied to
// one event at a time (Set.Apply) with no I/O and no clock, so the same
// events and rules always give the same decisions, live or in a replay.
// An expression that fails at run time (a missing detail compared with a
// number, a memory budget exceeded) skips its rule and is reported in the
// Decision; it never fails the event.
package rules

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr/vm"

	"github.com/hypercare/hypercare"
)

// Limits on what a rule may write into an event, the same as ingest's for
// events as received.
const (
	maxSummary  = 1024
	maxDedupKey = 255
)

// Set is the rules of one config file: the global list, run first for
// every event, and each service's own list, run next for events on that
// service. A nil *Set has no rules.
type Set struct {
	global    []*Rule
	byService map[string][]*Rule
	// details is whether any rule reads details: then labels are taken
	// from the one full decode rather than decoded on their own first.
	details bool
}

// NewSet returns the set of the given global and per-service rules, in the
// order they are evaluated.
func NewSet(global []*Rule, byService map[string][]*Rule) *Set {
	s := &Set{global: global, byService: byService}
	for _, r := range global {
		s.details = s.details || r.readsDetails
	}
	for _, list := range byService {
		for _, r := range list {
			s.details = s.details || r.readsDetails
		}
	}
	return s
}

// IDs lists every rule's ID, sorted, so metrics can show rules that never
// matched with a count of zero.
func (s *Set) IDs() []string {
	if s == nil {
		return nil
	}
	var ids []string
	for _, r := range s.global {
		ids = append(ids, r.ID())
	}
	for _, list := range s.byService {
		for _, r := range list {
			ids = append(ids, r.ID())
		}
	}
	slices.Sort(ids)
	return ids
}

// Decision is what the rules decided for one event. The event's severity,
// dedup key and summary are changed in place; everything else is here.
type Decision struct {
	// ServiceID is the service the event goes to: its integration's, or
	// the one a rule routed it to.
	ServiceID string
	// Matched lists the IDs of the rules whose actions were applied, in
	// order; Failed those whose expressions failed at run time (skipped).
	Matched []string
	Failed  []string
	// Urgency and Priority are set when a rule set them; "" otherwise.
	Urgency  hypercare.Urgency
	Priority string
	Suppress bool
	Drop     bool
	// Links are added to the alert's links.
	Links []hypercare.Link
	// Delay holds the first page of an incident the event opens.
	Delay time.Duration
	// SentDedupKey is the event's dedup key as sent, before any rule
	// rewrote it: an acknowledge or resolve that a rewriting rule does
	// not match (it carries no payload) arrives under it, and intake
	// finds the alert its trigger went to by it.
	SentDedupKey string
}

// Apply runs the rules over ev, which arrived from src. The global rules
// run first; then the rules of the service the event is on at that point,
// which is the one a global rule routed it to, if any (so a global rule can
// hand events to a team whose own rules then apply, as PagerDuty's global
// and service orchestrations do). Within each list the first matching
// rule is the last one evaluated unless it says continue. Later actions
// override earlier ones, links accumulate, and suppress and drop stick; a
// drop ends evaluation. A route by a service rule moves the event but runs
// no further rules, so routes cannot loop.
func (s *Set) Apply(ev *hypercare.Event, src Source) Decision {
	if s == nil || len(s.global) == 0 && len(s.byService) == 0 {
		return Decision{ServiceID: src.ServiceID, SentDedupKey: ev.DedupKey}
	}
	d := Decision{ServiceID: src.ServiceID, SentDedupKey: ev.DedupKey}
	e := evaluation{env: newEnv(ev, src), loader: loader{raw: ev.CustomDetails, full: s.details},
		machine: &vm.VM{MemoryBudget: MemoryBudget}, ev: ev, d: &d}
	if e.run(s.global) {
		e.run(s.byService[d.ServiceID])
	}
	return d
}

// Routes returns the services rules may send an event arriving on
// serviceID to, serviceID aside, in rule order: the global rules' routes,
// then those of serviceID's own rules and of the rules of each service a
// global rule routes to (Apply's two steps). Intake looks there for the
// alert an acknowledge or resolve means when it is not on the event's own
// service.
func (s *Set) Routes(serviceID string) []string {
	if s == nil {
		return nil
	}
	var out []string
	add := func(list []*Rule) {
		for _, r := range list {
			if t := r.spec.Then.Route; t != "" && t != serviceID && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	add(s.global)
	global := len(out)
	add(s.byService[serviceID])
	for _, svc := range out[:global] {
		add(s.byService[svc])
	}
	return out
}

// evaluation is the state of applying rules to one event.
type evaluation struct {
	env     *Env
	loader  loader
	machine *vm.VM
	ev      *hypercare.Event
	d       *Decision
}

// run evaluates one list of rules, reporting whether evaluation should go
// on (no drop).
func (e *evaluation) run(list []*Rule) bool {
	d := e.d
	for _, r := range list {
		e.loader.load(e.env, r)
		matched, err := r.apply(e.machine, e.ev, e.env, d)
		if err != nil {
			d.Failed = append(d.Failed, r.ID())
			continue
		}
		if !matched {
			continue
		}
		d.Matched = append(d.Matched, r.ID())
		if d.Drop {
			return false
		}
		if !r.spec.Continue {
			break
		}
	}
	return true
}

// apply evaluates r on env and, if it matches, applies its actions to ev,
// env and d. Every expression is evaluated before anything changes, so a
// rule whose template fails changes nothing.
func (r *Rule) apply(machine *vm.VM, ev *hypercare.Event, env *Env, d *Decision) (bool, error) {
	out, err := machine.Run(r.when, env)
	if err != nil {
		return false, fmt.Errorf("rule %s: when: %w", r.ID(), err)
	}
	if match, _ := out.(bool); !match {
		return false, nil
	}
	dedupKey, err := r.text(machine, r.dedupKey, env, maxDedupKey)
	if err != nil {
		return false, fmt.Errorf("rule %s: dedup_key: %w", r.ID(), err)
	}
	summary, err := r.text(machine, r.summary, env, 0)
	if err != nil {
		return false, fmt.Errorf("rule %s: summary: %w", r.ID(), err)
	}
	t := r.spec.Then
	if dedupKey != "" {
		ev.DedupKey, env.DedupKey = dedupKey, dedupKey
	}
	if summary != "" {
		ev.Summary, env.Summary = summary, summary
	}
	if t.Severity != "" {
		ev.Severity, env.Severity = t.Severity, string(t.Severity)
	}
	if t.Route != "" {
		d.ServiceID, env.Service = t.Route, t.Route
	}
	d.Urgency = cmpOr(t.Urgency, d.Urgency)
	d.Priority = cmpOr(t.Priority, d.Priority)
	d.Suppress = d.Suppress || t.Suppress
	d.Drop = d.Drop || t.Drop
	d.Links = append(d.Links, t.Links...)
	if t.Delay != 0 {
		d.Delay = t.Delay
	}
	return true, nil
}

// text evaluates a string expression; nil gives "". A result that is not a
// string, is empty, or cannot be stored is an error; max > 0 bounds its
// length in characters, else it is truncated to the summary limit.
func (r *Rule) text(machine *vm.VM, p *vm.Program, env *Env, max int) (string, error) {
	if p == nil {
		return "", nil
	}
	out, err := machine.Run(p, env)
	if err != nil {
		return "", err
	}
	s, ok := out.(string)
	switch {
	case !ok:
		return "", fmt.Errorf("gave a %T, not a string", out)
	case strings.TrimSpace(s) == "":
		return "", fmt.Errorf("gave an empty string")
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		return "", fmt.Errorf("gave text that is not valid UTF-8 or contains NUL")
	case max > 0 && utf8.RuneCountInString(s) > max:
		return "", fmt.Errorf("gave %d characters, more than %d", utf8.RuneCountInString(s), max)
	case max == 0 && utf8.RuneCountInString(s) > maxSummary:
		s = string([]rune(s)[:maxSummary-1]) + "…"
	}
	return s, nil
}

// cmpOr returns v if set, else old.
func cmpOr[T ~string](v, old T) T {
	if v != "" {
		return v
	}
	return old
}
