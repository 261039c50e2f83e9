package readiness

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
)

// coverage reports, per service in scope, the intervals in which the
// first level of its policy resolves to nobody: an incident then pages no
// one until the next level's delay has passed.
func (a *analysis) coverage() {
	for _, s := range a.services {
		whole := span{a.from, a.to}
		if s.EscalationPolicy == "" {
			a.add(Finding{Kind: CoverageGap, Severity: Blocking, Service: s.ID, Message: fmt.Sprintf(
				"service %s has no escalation_policy, so its incidents page nobody; give it one", s.ID)}, &whole)
			continue
		}
		p := a.c.Directory.Policies[s.EscalationPolicy]
		level1 := "no levels"
		if len(p.Levels) > 0 {
			level1 = describeTargets(p.Levels[0].Targets)
		}
		var gaps []span
		for _, seg := range a.policySegments(p.ID) {
			// A round-robin level 1 passes a turn on an empty target to
			// its next one, so it too pages nobody only when every
			// target resolves to nobody.
			if len(seg.users) == 0 || len(seg.users[0]) == 0 {
				gaps = append(gaps, seg.span)
			}
		}
		for _, g := range mergeSpans(gaps) {
			a.add(Finding{Kind: CoverageGap, Severity: Blocking, Service: s.ID, Policy: s.EscalationPolicy, Message: fmt.Sprintf(
				"nobody is on call at level 1 of policy %s (%s) from %s to %s (%s); add an override or a "+
					"temporary roster covering it, or a user target on level 1",
				s.EscalationPolicy, level1, fmtTime(g.start, a.loc), fmtTime(g.end, a.loc), hours(g.dur()))}, &g)
		}
	}
}

// describeTargets names a level's targets for messages.
func describeTargets(ts []hypercare.Target) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		if t.User != "" {
			parts[i] = "user " + t.User
		} else {
			parts[i] = "schedule " + t.Schedule
		}
	}
	return strings.Join(parts, ", ")
}

// onCall returns, per user, the merged intervals in which some level of a
// policy in scope would page them, and the users in first-seen order.
func (a *analysis) onCall() (map[string][]span, []string) {
	byUser := map[string][]span{}
	var order []string
	for _, pid := range a.policyOrder {
		for _, seg := range a.policySegments(pid) {
			for _, users := range seg.users {
				for _, u := range users {
					if _, ok := byUser[u]; !ok {
						order = append(order, u)
					}
					byUser[u] = append(byUser[u], seg.span)
				}
			}
		}
	}
	for u, ss := range byUser {
		byUser[u] = mergeSpans(ss)
	}
	slices.Sort(order)
	return byUser, order
}

// responders reports people who may be paged in the window but have no
// way to be reached at high urgency through a channel this binary
// delivers, and contact methods they rely on that are marked unverified.
func (a *analysis) responders() {
	byUser, order := a.onCall()
	for _, id := range order {
		u := a.c.Directory.Users[id]
		reach, unverified := a.reach(u)
		if !reach {
			for _, iv := range byUser[id] {
				a.add(Finding{Kind: UnreachableResponder, Severity: Blocking, User: id, Message: fmt.Sprintf(
					"%s may be paged from %s to %s but no notification rule for high urgency uses a contact method "+
						"this server delivers (%s); add one", id, fmtTime(iv.start, a.loc), fmtTime(iv.end, a.loc),
					a.channelNames())}, &iv)
			}
		}
		for _, cm := range unverified {
			a.add(Finding{Kind: UnverifiedContact, Severity: Warning, User: id, Message: fmt.Sprintf(
				"%s's contact method %s (%s) is marked verified: false but high-urgency pages use it; "+
					"verify it (hypercare notify verify %s %s) or confirm the address and remove verified: false", id, cm.ID, cm.Type, id, cm.ID)}, nil)
		}
	}
}

// reach reports whether a high-urgency page reaches u through a delivered
// channel, and which methods such pages use that are unverified.
func (a *analysis) reach(u hypercare.User) (bool, []hypercare.ContactMethod) {
	ok := false
	var unverified []hypercare.ContactMethod
	for _, r := range u.NotificationRules {
		if r.Urgency != "" && r.Urgency != hypercare.UrgencyHigh {
			continue
		}
		cm, found := u.ContactMethodByID(r.ContactMethod)
		if !found || !slices.Contains(a.c.Channels, cm.Type) {
			continue
		}
		ok = true
		if !cm.Verified && !slices.ContainsFunc(unverified, func(x hypercare.ContactMethod) bool { return x.ID == cm.ID }) {
			unverified = append(unverified, cm)
		}
	}
	return ok, unverified
}

func (a *analysis) channelNames() string {
	if len(a.c.Channels) == 0 {
		return "none"
	}
	names := make([]string, len(a.c.Channels))
	for i, t := range a.c.Channels {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// singleResponders reports levels whose whole pool over the window is one
// person, and intervals in which every level of a policy pages the same
// one person (if they miss the page, nobody else is paged).
func (a *analysis) singleResponders() {
	for _, pid := range a.policyOrder {
		p := a.c.Directory.Policies[pid]
		segs := a.policySegments(pid)
		services := strings.Join(a.policies[pid], ", ")
		for li := range p.Levels {
			var pool []string
			for _, seg := range segs {
				for _, u := range seg.users[li] {
					if !slices.Contains(pool, u) {
						pool = append(pool, u)
					}
				}
			}
			if len(pool) == 1 {
				whole := span{a.from, a.to}
				a.add(Finding{Kind: SingleResponder, Severity: Warning, Policy: pid, User: pool[0], Message: fmt.Sprintf(
					"level %d of policy %s (services %s) pages only %s for the whole window; add a second person "+
						"to the level or its schedule", li+1, pid, services, pool[0])}, &whole)
			}
		}
		a.policyAlone(pid, services, segs)
	}
}

// policyAlone reports the intervals in which every level of the policy
// together pages one person. A policy that does so for the whole window
// (one level, one schedule, say) is one finding, not one per shift.
func (a *analysis) policyAlone(pid, services string, segs []segment) {
	var alone []span
	var who []string
	for _, seg := range segs {
		if u, ok := onlyUser(seg.users); ok {
			if n := len(alone); n > 0 && alone[n-1].end.Equal(seg.start) && who[n-1] == u {
				alone[n-1].end = seg.end
				continue
			}
			alone, who = append(alone, seg.span), append(who, u)
		}
	}
	if m := mergeSpans(alone); len(alone) > 1 && len(m) == 1 && m[0].start.Equal(a.from) && m[0].end.Equal(a.to) {
		whole := span{a.from, a.to}
		a.add(Finding{Kind: SingleResponder, Severity: Warning, Policy: pid, Message: fmt.Sprintf(
			"policy %s (services %s) pages one person at a time for the whole window: whoever is on call has "+
				"no backup; add a level with someone else", pid, services)}, &whole)
		return
	}
	for i, iv := range alone {
		a.add(Finding{Kind: SingleResponder, Severity: Warning, Policy: pid, User: who[i], Message: fmt.Sprintf(
			"every level of policy %s (services %s) pages only %s from %s to %s; if they miss the page "+
				"nobody else is paged: put someone else on a later level", pid, services, who[i],
			fmtTime(iv.start, a.loc), fmtTime(iv.end, a.loc))}, &iv)
	}
}

// onlyUser reports whether all levels together page exactly one person.
func onlyUser(levels [][]string) (string, bool) {
	only := ""
	for _, users := range levels {
		for _, u := range users {
			if only != "" && u != only {
				return "", false
			}
			only = u
		}
	}
	return only, only != ""
}

// runbooks reports services in scope that no runbook covers.
func (a *analysis) runbooks() {
	covered := map[string]bool{}
	for _, rb := range a.c.Runbooks {
		for _, s := range rb.Services {
			covered[s] = true
		}
	}
	for _, s := range a.services {
		if !covered[s.ID] {
			a.add(Finding{Kind: NoRunbook, Severity: Blocking, Service: s.ID, Message: fmt.Sprintf(
				"service %s has no runbook; add one under runbooks with services: [%s]", s.ID, s.ID)}, nil)
		}
	}
}

// silent reports integrations of services in scope that have sent nothing
// for the window's SilentAfter as of at: a monitor that went quiet is a
// blind spot. lastEvents nil skips the check.
func (a *analysis) silent(at time.Time, lastEvents map[string]time.Time) {
	if lastEvents == nil {
		a.notes = append(a.notes, "silent_integration not checked: the event log (store) was not available")
		return
	}
	days := int(a.w.SilentAfter / (24 * time.Hour))
	for _, in := range a.c.Integrations {
		if !a.w.InScope(in.ServiceID) {
			continue
		}
		name := in.ID
		if in.Name != "" {
			name = fmt.Sprintf("%s (%s)", in.ID, in.Name)
		}
		last, ok := lastEvents[in.ID]
		switch {
		case !ok:
			a.add(Finding{Kind: SilentIntegration, Severity: Warning, Service: in.ServiceID, Message: fmt.Sprintf(
				"integration %s has never sent an event; send a test event to check the monitor is wired up", name)}, nil)
		case at.Sub(last) >= a.w.SilentAfter:
			a.add(Finding{Kind: SilentIntegration, Severity: Warning, Service: in.ServiceID, Message: fmt.Sprintf(
				"integration %s has sent nothing since %s (%d days or more); check the monitor still sends, "+
					"or send a test event", name, fmtTime(last, a.loc), days)}, &span{last, at})
		}
	}
}

// hours renders a duration as people say it: "3h", "2h30m".
func hours(d time.Duration) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case m == 0:
		return fmt.Sprintf("%dh", h)
	case h == 0:
		return fmt.Sprintf("%dm", m)
	}
	return fmt.Sprintf("%dh%02dm", h, m)
}
