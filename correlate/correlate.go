// Package correlate holds the pure decisions that turn a stream of events
// into few incidents: PagerDuty's deduplication rules, alert grouping
// (time, content, intelligent), flapping, transient blips and which
// upstream incident a dependent service's alert is a symptom of.
// Everything is a function of (state read from the store, now), with no
// I/O and nothing learnt at run time, so it is tested with tables and a
// replay of the same events decides the same.
package correlate

import "github.com/hypercare/hypercare"

// Kind is what to do with one event.
type Kind int

// The decisions.
const (
	// Ignore accepts the event and changes nothing (acknowledge or resolve
	// with no open alert, acknowledge of an already acknowledged alert).
	Ignore Kind = iota
	// Open creates a new alert and a new incident.
	Open
	// Update folds a repeated trigger into the open alert.
	Update
	// Acknowledge acknowledges the open alert.
	Acknowledge
	// Resolve resolves the open alert.
	Resolve
)

// String names the decision for logs and tests.
func (k Kind) String() string {
	return [...]string{"ignore", "open", "update", "acknowledge", "resolve"}[k]
}

// Decide applies PagerDuty's dedup rules to an event given the open alert
// with the same service and dedup key (nil when there is none):
//   - trigger, no open alert → Open (also after a resolve: a new alert);
//   - trigger, open alert → Update (counted; an acknowledged alert stays
//     acknowledged);
//   - acknowledge, triggered alert → Acknowledge; already acknowledged →
//     Ignore;
//   - resolve, open alert → Resolve;
//   - acknowledge or resolve with no open alert → Ignore (accepted, no-op).
func Decide(open *hypercare.Alert, action hypercare.Action) Kind {
	switch action {
	case hypercare.ActionTrigger:
		if open == nil {
			return Open
		}
		return Update
	case hypercare.ActionAcknowledge:
		if open != nil && open.Status == hypercare.StatusTriggered {
			return Acknowledge
		}
	case hypercare.ActionResolve:
		if open != nil {
			return Resolve
		}
	}
	return Ignore
}
