package loadgen

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// actionWeight is one entry of an action mix.
type actionWeight struct {
	action string
	weight int
}

// actionMix chooses event actions in fixed proportions.
type actionMix struct {
	entries []actionWeight
	total   int
}

// parseActionMix parses "trigger", "trigger,resolve" or
// "trigger:8,acknowledge:1,resolve:1" (a missing weight is 1).
func parseActionMix(s string) (actionMix, error) {
	var m actionMix
	for _, part := range strings.Split(s, ",") {
		name, weightText, hasWeight := strings.Cut(strings.TrimSpace(part), ":")
		switch name {
		case "trigger", "acknowledge", "resolve":
		default:
			return actionMix{}, fmt.Errorf("action mix %q: unknown action %q (want trigger, acknowledge or resolve)", s, name)
		}
		weight := 1
		if hasWeight {
			w, err := strconv.Atoi(weightText)
			if err != nil || w < 0 {
				return actionMix{}, fmt.Errorf("action mix %q: weight of %s must be a non-negative integer", s, name)
			}
			weight = w
		}
		m.entries = append(m.entries, actionWeight{name, weight})
		m.total += weight
	}
	if m.total == 0 {
		return actionMix{}, fmt.Errorf("action mix %q: weights add up to zero", s)
	}
	return m, nil
}

// pick chooses an action from a pseudo-random r. Hashing the sequence
// number instead of cycling keeps the action independent of the dedup key,
// which cycles too: otherwise key k could be resolved every single time.
func (m actionMix) pick(r uint64) string {
	n := int(r % uint64(m.total))
	for _, e := range m.entries {
		if n < e.weight {
			return e.action
		}
		n -= e.weight
	}
	return m.entries[len(m.entries)-1].action
}

// splitmix64 is a fast, well-mixed hash of a counter: deterministic, so a
// run is reproducible, and stateless, so workers need no shared RNG.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// severityOf gives each key a stable severity, so a re-triggered alert
// keeps its severity and runs see all four.
func severityOf(key int64) string {
	switch splitmix64(uint64(key)) % 4 {
	case 0:
		return "critical"
	case 1:
		return "error"
	case 2:
		return "warning"
	}
	return "info"
}

// eventSource builds the request bodies of a run.
type eventSource struct {
	routingKey string
	keys       int
	runID      string // makes fresh keys unique across runs
	mix        actionMix
	format     string // FormatEventsV2 or FormatAlertmanager
	batch      int    // alerts per request (alertmanager)
	// started is the run's start (RFC 3339): the startsAt of every
	// re-triggering Alertmanager alert, which Alertmanager keeps at the
	// time the alert began firing in every re-send of it.
	started string
}

func newEventSource(routingKey string, keys int, mix actionMix, start time.Time) eventSource {
	return eventSource{
		routingKey: routingKey,
		keys:       keys,
		runID:      strconv.FormatInt(start.UnixNano(), 36),
		mix:        mix,
		started:    start.UTC().Format(time.RFC3339Nano),
	}
}

// pdEvent is a PagerDuty Events API v2 event as PagerDuty's own client
// libraries send it.
type pdEvent struct {
	RoutingKey  string     `json:"routing_key"`
	EventAction string     `json:"event_action"`
	DedupKey    string     `json:"dedup_key"`
	Payload     *pdPayload `json:"payload,omitempty"`
	Client      string     `json:"client,omitempty"`
}

type pdPayload struct {
	Summary       string        `json:"summary"`
	Source        string        `json:"source"`
	Severity      string        `json:"severity"`
	Timestamp     string        `json:"timestamp"`
	Component     string        `json:"component"`
	CustomDetails customDetails `json:"custom_details"`
}

type customDetails struct {
	Generator string `json:"generator"`
	Seq       int64  `json:"seq"`
	Key       int64  `json:"key"`
}

// key returns event seq's key number and dedup key.
func (s eventSource) key(seq int64) (int64, string) { return benchKey(s.keys, s.runID, seq) }

// benchKey numbers alert i of a run: with keys > 0, key i mod keys
// (re-triggering), else its own key, unique in the run (runID).
func benchKey(keys int, runID string, i int64) (int64, string) {
	if keys > 0 {
		key := i % int64(keys)
		return key, "hc-bench-" + strconv.FormatInt(key, 10)
	}
	return i, "hc-bench-" + runID + "-" + strconv.FormatInt(i, 10)
}

// action returns event seq's action.
func (s eventSource) action(seq int64) string { return s.mix.pick(splitmix64(uint64(seq))) }

// body returns the JSON body of event seq. Triggers carry a full payload;
// acknowledge and resolve carry only the key, as in PagerDuty's API.
func (s eventSource) body(seq int64, now time.Time) ([]byte, error) {
	if s.format == FormatAlertmanager {
		return s.amBody(seq, now)
	}
	key, dedup := s.key(seq)
	ev := pdEvent{
		RoutingKey:  s.routingKey,
		EventAction: s.action(seq),
		DedupKey:    dedup,
		Client:      "hypercare bench",
	}
	if ev.EventAction == "trigger" {
		ev.Payload = triggerPayload(seq, key, now)
	}
	return json.Marshal(ev)
}

// triggerPayload is the payload of trigger seq for key number key.
func triggerPayload(seq, key int64, now time.Time) *pdPayload {
	return &pdPayload{
		Summary:   fmt.Sprintf("hypercare bench: synthetic alert %d", key),
		Source:    fmt.Sprintf("bench-host-%02d", key%50),
		Severity:  severityOf(key),
		Timestamp: now.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		Component: "loadgen",
		CustomDetails: customDetails{
			Generator: "hypercare bench", Seq: seq, Key: key,
		},
	}
}
