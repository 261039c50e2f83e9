package intake

import (
	"errors"
	"sync"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/rules"
)

// Writer routing (PostgreSQL runs several group-commit writers; SQLite one).
//
// Events for one alert share a writer keyed by service and dedup key, so
// they apply in order and never contend. On a service with alert grouping
// a new alert may join an incident shared with other alerts, and a resolve
// or acknowledgement updates that shared incident: two writers, each
// holding a group-commit batch that locks two such incidents in different
// orders, would deadlock. Those events therefore share one writer per
// service. A repeated trigger of an open alert that belongs to an incident
// (the bulk of a storm) only updates its alert row and logs the event: it
// goes to its alert's writer, which is what keeps grouped ingest as fast as
// ungrouped. Such a request reads its alert with FindOpenAlertSkipLocked,
// so it never waits on a row lock: the alert writers, which lock nothing
// but their own alert rows, wait on nobody and can be part of no deadlock
// (the service's writer may wait on them, never the reverse).
//
// Intake tells repeats from the rest by an in-memory hint, the alerts it
// last saw open with an incident; the hint only picks the writer. Inside
// the transaction the request checks it really is a pure repeat and
// otherwise (stale hint: resolved elsewhere, suppressed, a symptom, raised
// severity, or its row locked by the service's writer) writes nothing and
// is sent again to the service's writer (errReroute). Grouping decisions
// thus all run on the service's writer, in arrival order, as before.
//
// A service that does not group alerts itself shares incidents only
// within a notification group (incident_per: group): everything its
// service's writer did for a group (new alerts, resolves, batches, and
// people's actions on the group's incident, incident.Service) runs on the
// group's writer in its place (oneGroup, hypercare.GroupWriteKey), so a
// service's groups spread over the writers.

// errReroute says a request sent to its alert's writer as a repeated
// trigger is not a pure repeat: it must run on its service's (or its
// group's) writer.
var errReroute = errors.New("intake: not a repeated trigger of an open incident's alert")

// maxRepeatHints bounds the hint set; when full it starts over, which
// costs only a few events routed to the service's writer.
const maxRepeatHints = 1 << 16

// repeatHints is the set of alert keys (service and dedup key) last seen
// open with an incident on a grouped service.
type repeatHints struct {
	mu sync.Mutex
	m  map[string]struct{}
}

func (h *repeatHints) has(key string) bool {
	h.mu.Lock()
	_, ok := h.m[key]
	h.mu.Unlock()
	return ok
}

// set adds key when on, removes it otherwise.
func (h *repeatHints) set(key string, on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !on {
		delete(h.m, key)
		return
	}
	if h.m == nil || len(h.m) >= maxRepeatHints {
		h.m = make(map[string]struct{})
	}
	h.m[key] = struct{}{}
}

// alertKey is the writer key of one alert's events.
func alertKey(serviceID, dedupKey string) string { return serviceID + "\x00" + dedupKey }

// grouped reports whether the service groups alerts into shared incidents.
func (in view) grouped(serviceID string) bool {
	return in.noiseOf(serviceID).Grouping.Type.On()
}

// route picks the writer for events: its alert's for a single event on an
// ungrouped service, a dropped one, or a repeated trigger (repeat true: it
// must prove it is one, see errReroute); otherwise the writer of what its
// alert may share an incident with (sharedKey). A batch keys on the
// service its events land on (batchService), or on their group.
func (in view) route(it hypercare.Integration, events []hypercare.Event, decisions []rules.Decision) (key string, repeat bool) {
	if len(events) != 1 {
		return in.sharedKey(it, events, decisions, batchService(it, decisions)), false
	}
	d := &decisions[0]
	key = alertKey(d.ServiceID, events[0].DedupKey)
	if d.Drop || !in.shared(it, &events[0], d.ServiceID) {
		return key, false
	}
	if events[0].Action == hypercare.ActionTrigger && in.repeats.has(key) {
		return key, true
	}
	return in.sharedKey(it, events, decisions, d.ServiceID), false
}

// sharedKey is the writer of events on service that may share incidents:
// their notification group's (hypercare.GroupWriteKey) when they are all of one group
// (oneGroup), else the service's.
func (in view) sharedKey(it hypercare.Integration, events []hypercare.Event, decisions []rules.Decision, service string) string {
	if group, ok := in.oneGroup(it, events, decisions, service); ok {
		return hypercare.GroupWriteKey(service, group)
	}
	return service
}

// oneGroup reports the notification group whose incident every kept event
// may join, when they are all on service, which does not group alerts
// (alert_grouping), and in one group of an integration that makes an
// incident per group: a notification of Alertmanager's default
// incident_per: group, or one alert's event of such a group.
//
// Such events run on a writer of their group's own (hypercare.GroupWriteKey), not their
// service's: a service's groups then spread over the writers, where they
// had queued on its one writer, each batch's round trips after the last
// one's (PostgreSQL ran re-sent notifications at a third of SQLite's
// rate). Every event that locks a group's alerts or its incident runs on
// that group's writer (a pure repeat on its alert's writer locks nothing
// it waits for, FindOpenAlertSkipLocked), so two writers' batches never
// hold two groups' rows crosswise: a re-sent notification on its group's
// writer beside a resolve of the same group on the service's had locked
// two groups in opposite orders and deadlocked
// (TestConcurrentResentNotifications). A person's action on a group's
// incident runs there too (incident.Service). Opening or joining a
// group's incident takes the group's own lock to the commit
// (Tx.LockNotificationGroup, incident.GroupJoins.GroupLock), so new
// groups of one service open side by side, on several writers or nodes.
func (in view) oneGroup(it hypercare.Integration, events []hypercare.Event, decisions []rules.Decision, service string) (string, bool) {
	if !it.GroupIncidents || in.grouped(service) {
		return "", false
	}
	group := ""
	for i := range events {
		switch d := &decisions[i]; {
		case d.Drop:
		case d.ServiceID != service || events[i].GroupKey == "" || group != "" && events[i].GroupKey != group:
			return "", false
		default:
			group = events[i].GroupKey
		}
	}
	return group, group != ""
}

// batchService is the writer key of a batch: the service all its kept
// events land on, which is where that service's grouping decisions run
// (an Alertmanager notification that rules route to another service
// used to run on its integration's service's writer, beside the target
// service's own, and two writers opened incidents for one group); else,
// spread over services, its integration's service; its grouping
// decisions then wait for those services' writers through the grouping
// lock (Tx.LockGrouping), as another node's do.
func batchService(it hypercare.Integration, decisions []rules.Decision) string {
	service := ""
	for i := range decisions {
		switch d := &decisions[i]; {
		case d.Drop:
		case service == "":
			service = d.ServiceID
		case d.ServiceID != service:
			return it.ServiceID
		}
	}
	if service == "" {
		return it.ServiceID
	}
	return service
}

// shared reports whether ev's alert may share its incident with others:
// its service groups alerts, or it belongs to a notification group whose
// alerts share one (incident_per: group). Its events then run on the
// service's writer, as a grouped service's do, or on their group's
// (oneGroup).
func (in view) shared(it hypercare.Integration, ev *hypercare.Event, serviceID string) bool {
	return in.grouped(serviceID) || groupOf(it, ev).key != ""
}

// remember updates the hints after a committed request, for each kept
// event whose alert may share its incident (shared).
func (in view) remember(it hypercare.Integration, events []hypercare.Event, decisions []rules.Decision, results []Result) {
	for i := range events {
		if decisions[i].Drop || results[i].AlertID == "" || !in.shared(it, &events[i], decisions[i].ServiceID) {
			continue
		}
		// A trigger that re-triggered an alert stored under the key it
		// was sent with (opened before a rule rewrote that key) is no
		// repeat of its own key: its alert's writer would find nothing
		// under it.
		repeat := results[i].repeatable && results[i].DedupKey == events[i].DedupKey
		in.repeats.set(alertKey(decisions[i].ServiceID, events[i].DedupKey), repeat)
	}
}

// pureRepeat reports whether trigger ev on the open alert a only updates
// the alert: a belongs to an incident (not suppressed, not a symptom) and
// ev does not raise its severity.
func pureRepeat(a *hypercare.Alert, ev *hypercare.Event) bool {
	return a != nil && ev.Action == hypercare.ActionTrigger && a.IncidentID != "" && a.SymptomOf == "" &&
		severityOf(ev).Rank() <= a.Severity.Rank()
}

// repeatable reports whether a later trigger of a, as the event left it,
// is a pure repeat (unless it raises the severity).
func repeatable(a *hypercare.Alert) bool {
	return a != nil && a.Status != hypercare.StatusResolved && a.IncidentID != "" && a.SymptomOf == ""
}

// severityOf is the alert severity a trigger sets.
func severityOf(ev *hypercare.Event) hypercare.Severity {
	if ev.Severity.Valid() {
		return ev.Severity
	}
	return hypercare.SeverityError
}

// triggerKeys names the alerts a request's triggers look up with
// FindOpenAlert, in event order, for the store to read ahead: with the
// BEGIN of the batch the write joins (hypercare.WithKeysAhead), and a
// batch's also in its own transaction (Tx.ReadOpenAlertsAhead, which
// locks those expected open). A repeat's are none: it looks its alert up
// with FindOpenAlertSkipLocked.
func triggerKeys(events []hypercare.Event, decisions []rules.Decision, repeat bool) []hypercare.AlertKey {
	if repeat {
		return nil
	}
	var keys []hypercare.AlertKey
	for i := range events {
		if !decisions[i].Drop && events[i].Action == hypercare.ActionTrigger {
			keys = append(keys, hypercare.AlertKey{ServiceID: decisions[i].ServiceID, DedupKey: events[i].DedupKey})
		}
	}
	return keys
}

// keysAheadFlags says what a request tells the store beside its keys
// (hypercare.KeysAhead). opens: each kept trigger whose key has never had
// an alert opens an incident of its own, for the store to draw its number
// ahead (place: none of its steps before a new incident applies to a key
// with no alerts). first: the request locks nothing but its alerts and,
// after them, their incidents, for the store to lock a batch's
// expected-open alerts with its BEGIN. Both need an integration that makes
// no incident per notification group and kept triggers on services that
// neither group alerts nor depend on another; opens also that no
// trigger's rules suppress it, first that every kept event is a trigger.
func (v view) keysAheadFlags(it hypercare.Integration, events []hypercare.Event, decisions []rules.Decision) (opens, first bool) {
	if it.GroupIncidents {
		return false, false
	}
	opens, first = true, true
	for i := range events {
		d := &decisions[i]
		if d.Drop {
			continue
		}
		if events[i].Action != hypercare.ActionTrigger {
			first = false
			continue
		}
		n := v.noiseOf(d.ServiceID)
		if len(n.Upstream) > 0 || n.Grouping.Type.On() {
			return false, false
		}
		opens = opens && !d.Suppress
	}
	return opens, first
}
