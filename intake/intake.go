// Package intake turns parsed events into alerts and incidents: it routes an
// event by its integration key, applies the event rules (package rules),
// the dedup decision from package correlate and the incident lifecycle
// from package incident, and records every event in the event log, all in
// one store write per request. Because
// that write returns only after commit, an event answered 2xx is durable.
package intake

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/hold"
	"github.com/hypercare/hypercare/incident"
)

// Result is what one event did, for the response and the metrics.
type Result struct {
	DedupKey   string
	AlertID    string
	IncidentID string
	Outcome    string
	// opened is the incident whose escalation the event starts, if any
	// (a new incident, or a re-opened one that never paged), and delay
	// holds its first page.
	opened *hypercare.Incident
	delay  time.Duration
	// repeatable says the event left its alert open with an incident, so
	// a later trigger of it may go to the alert's writer (route.go).
	repeatable bool
}

// ErrIntegrationRemoved refuses an event whose integration a config
// reload removed between the caller's key lookup and the processing: it
// is unavailable (503), which senders retry, and the retry gets the
// answer of an unknown key, so the event is never recorded as an
// incident that nobody is paged for.
var ErrIntegrationRemoved = hypercare.Errorf(hypercare.CodeUnavailable,
	"the event was not recorded: a config reload removed its integration as it arrived; send it again")

// Intake processes events. It is safe for concurrent use; its config can
// be replaced while it runs (config reload): each request reads one
// Config (config.go) from start to end.
type Intake struct {
	store hypercare.Store
	clock hypercare.Clock
	// src, when set (Use), returns the config in force; else own is.
	src atomic.Pointer[func() *Config]
	// gate, when set (SetGate), is held from a request's config read to
	// its commit.
	gate hypercare.GateSlot
	// own is the config the setters build, copy-on-write under mu.
	own atomic.Pointer[Config]
	mu  sync.Mutex
	// opened, if set, is called after a commit that opened incidents, to
	// wake the escalation engine at once.
	opened atomic.Pointer[func()]
	// repeats hints which alerts' triggers are pure repeats (route.go).
	repeats repeatHints
	// first takes level 1's step inside the opening write (firstpage.go).
	first atomic.Pointer[firstPage]
}

// New returns an Intake writing to st, with no integrations yet.
func New(st hypercare.Store, clk hypercare.Clock) *Intake {
	in := &Intake{store: st, clock: clk}
	in.own.Store(NewConfig(Settings{}, nil))
	in.SetFirstStep(nil, nil)
	return in
}

// SetNoise sets each service's noise settings (config.Config.Noise); a
// service without an entry gets no grouping, no pause, no dependencies and
// correlate.DefaultFlapping.
func (in *Intake) SetNoise(byService map[string]correlate.Noise) {
	in.update(func(c *Config) { c.noise = byService })
}

// Policy returns the service's escalation policy (an incident.Policies)
// in the config in force.
func (in *Intake) Policy(serviceID string) (hypercare.EscalationPolicy, bool) {
	p, ok := in.config().policies[serviceID]
	return p, ok
}

// Grouping returns the service's alert_grouping (an incident.Groupings)
// in the config in force.
func (in *Intake) Grouping(serviceID string) correlate.Grouping {
	return view{Intake: in, cfg: in.config()}.Grouping(serviceID)
}

// SetPolicies sets each service's escalation policy, and the function
// called after a commit that started escalations (the engine's wake-up).
func (in *Intake) SetPolicies(byService map[string]hypercare.EscalationPolicy, opened func()) {
	in.update(func(c *Config) { c.policies = byService })
	in.OnOpened(opened)
}

// OnOpened sets the function called after a commit that opened
// incidents and started their escalations (the escalation engine's
// wake-up); nil for none.
func (in *Intake) OnOpened(f func()) { in.opened.Store(&f) }

// SetIntegrations replaces the routing table.
func (in *Intake) SetIntegrations(list []hypercare.Integration) {
	m := make(map[string]hypercare.Integration, len(list))
	for _, it := range list {
		m[it.Key] = it
	}
	in.update(func(c *Config) { c.routes = m })
}

// Lookup returns the integration with routing key key.
func (in *Intake) Lookup(key string) (hypercare.Integration, bool) {
	it, ok := in.config().routes[key]
	return it, ok
}

// Process applies events received through integration it, all in one
// transaction: either every event is recorded or none is. Triggers without
// a dedup key get a generated one, returned in the results. The event
// rules run on each event first (a pure function call); the event log
// keeps the event as received and the IDs of the rules that acted on it.
func (in *Intake) Process(ctx context.Context, it hypercare.Integration, events []hypercare.Event) ([]Result, error) {
	now := in.clock.Now()
	payloads := make([][]byte, len(events))
	var scratch []byte // each payload is encoded here, then copied at its size
	for i := range events {
		if events[i].DedupKey == "" {
			events[i].DedupKey = newDedupKey()
		}
		var err error
		if scratch, err = events[i].AppendJSON(scratch[:0]); err != nil {
			return nil, fmt.Errorf("encode event %d: %w", i, err)
		}
		payloads[i] = bytes.Clone(scratch)
	}
	defer in.gate.Enter()()
	cfg := in.config()
	if cur, ok := cfg.routes[it.Key]; ok && it.Key != "" {
		// The caller looked the key up in the config in force then; a
		// reload since may have changed the integration: use this
		// config's, so the whole event is handled under one file.
		it = cur
	} else if it.Key != "" && in.src.Load() != nil {
		// A reload since removed it (with its service, say): recorded
		// under the old integration, the event would open an incident
		// the config in force pages nobody for. The sender retries and
		// gets the answer of an unknown key.
		return nil, ErrIntegrationRemoved
	}
	v := view{Intake: in, cfg: cfg}
	ruled := cfg.rules
	decisions := ruled.decide(it, events)
	actor := hypercare.Actor{Type: hypercare.ActorIntegration, ID: it.ID, Name: integrationName(it)}
	results := make([]Result, len(events))
	windows, maintenance := cfg.windows, cfg.maintenance
	key, repeat := v.route(it, events, decisions)
	first := in.first.Load()
	ahead := triggerKeys(events, decisions, repeat)
	opens, locksFirst := v.keysAheadFlags(it, events, decisions)
	var paged firstPages
	var armed bool // an escalation started: the engine has a new due time
	write := func(tx hypercare.Tx) error {
		h := hold.New(maintenance)
		var due []string // escalations started due now: first step here
		paged, armed = firstPages{}, false
		v.joins = &groupJoins{}
		if len(events) > 1 && len(ahead) > 1 {
			if err := tx.ReadOpenAlertsAhead(ctx, ahead); err != nil {
				return err
			}
		}
		for i := range events {
			d := &decisions[i]
			r, err := v.apply(ctx, tx, it, actor, &events[i], payloads[i], d, now, repeat)
			if err == nil && r.opened != nil {
				err = raiseToFloor(ctx, tx, windows, r.opened, now)
			}
			var held time.Duration
			if err == nil && r.opened != nil {
				held, err = h.Apply(ctx, tx, r.opened, func() (correlate.EventLabels, error) {
					// decodes custom details: only when a matcher reads them
					return correlate.LabelsOf(&events[i], r.opened.ServiceID), nil
				}, now)
			}
			if policy, escalates := cfg.policies[d.ServiceID]; err == nil && escalates && r.opened != nil {
				delay := max(r.delay, d.Delay)
				err = incident.StartEscalationAfter(ctx, tx, r.opened, policy, now, delay, held)
				armed = true
				if max(delay, held) <= 0 {
					due = append(due, r.opened.ID)
				}
			}
			if err != nil {
				return err
			}
			results[i] = r
		}
		if err := v.joins.flush(ctx, tx, now); err != nil {
			return err
		}
		// After every event: a later one in the batch may have
		// acknowledged or resolved an incident an earlier one opened,
		// and the step then pages nobody, as the engine's would.
		var err error
		paged, err = first.take(ctx, tx, cfg.directory, due, now)
		return err
	}
	var err error
	for attempt := 1; attempt <= conflictRetries; attempt++ {
		err = in.store.Write(hypercare.WithKeysAhead(ctx, hypercare.KeysAhead{Keys: ahead, OpenIncidents: opens, AlertsFirst: locksFirst}), key, write)
		if repeat && errors.Is(err, errReroute) {
			// Not a pure repeat after all: once more, on the service's
			// (or its group's) writer, not counted as an attempt.
			in.repeats.set(key, false)
			key, repeat = v.sharedKey(it, events, decisions, decisions[0].ServiceID), false
			ahead = triggerKeys(events, decisions, repeat)
			attempt--
			continue
		}
		// A conflict means another node opened the same alert between our
		// read and our insert; the next attempt finds it and updates it.
		if hypercare.ErrorCode(err) != hypercare.CodeConflict {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	v.remember(it, events, decisions, results)
	ruled.count(decisions)
	first.committed(paged, now)
	if wake := in.opened.Load(); wake != nil && *wake != nil && armed {
		// Also after a first step taken here: the engine's next due time
		// (level 2) is new to it. An incident of a service without an
		// escalation policy gives it nothing to do: no wake, so a storm
		// on such services costs the engine no read of its next due time
		// per request (on PostgreSQL a round trip each).
		(*wake)()
	}
	return results, nil
}

// conflictRetries bounds the attempts at a write that loses a race to open
// the same alert on another node.
const conflictRetries = 3

// RecordChange stores a change event for the integration's service,
// flagged when it happened during a hypercare window's change freeze.
func (in *Intake) RecordChange(ctx context.Context, it hypercare.Integration, c *hypercare.ChangeEvent) error {
	now := in.clock.Now()
	c.ID = hypercare.NewID(now)
	c.ServiceID = it.ServiceID
	c.IntegrationID = it.ID
	c.ReceivedAt = now
	if c.Timestamp.IsZero() {
		c.Timestamp = now
	}
	c.FreezeWindow = ""
	if w := freezeWindow(in.config().windows, c.ServiceID, c.Timestamp); w != nil {
		c.FreezeWindow = w.ID
	}
	c.FreezeViolation = c.FreezeWindow != ""
	return in.store.Write(ctx, it.ServiceID, func(tx hypercare.Tx) error {
		return tx.InsertChangeEvent(ctx, c)
	})
}

func newAlert(it hypercare.Integration, ev *hypercare.Event, now time.Time) *hypercare.Alert {
	a := &hypercare.Alert{
		ID: hypercare.NewID(now), ServiceID: it.ServiceID, IntegrationID: it.ID, DedupKey: ev.DedupKey,
		Status: hypercare.StatusTriggered, FirstSeenAt: now,
	}
	updateAlert(a, ev, now)
	return a
}

// updateAlert folds a trigger into the alert: the latest event's details
// win, and the event is counted.
func updateAlert(a *hypercare.Alert, ev *hypercare.Event, now time.Time) {
	a.Summary, a.Source, a.Component, a.Group, a.Class = ev.Summary, ev.Source, ev.Component, ev.Group, ev.Class
	a.Severity = severityOf(ev)
	a.CustomDetails, a.Links, a.Images = ev.CustomDetails, ev.Links, ev.Images
	a.DetailsEncoded = true // Process encoded ev, details included, before the write
	a.EventCount++
	a.LastSeenAt = now
}

func integrationName(it hypercare.Integration) string {
	if it.Name != "" {
		return it.Name
	}
	return string(it.Type) + " integration " + it.ID // per request: no fmt
}

// newDedupKey generates a dedup key for a trigger that has none: 32 hex
// characters, like PagerDuty's.
func newDedupKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}
