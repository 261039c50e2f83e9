package hypercare

import (
	"context"
	"time"
)

// Verdict is a responder's judgement of an incident after the fact: was it
// worth waking someone for? The noise report and window summaries count
// verdicts so a team can see which alerts to tune before the next peak.
type Verdict string

// The verdicts.
const (
	VerdictNoise      Verdict = "noise"
	VerdictActionable Verdict = "actionable"
)

// Valid reports whether v is a known verdict.
func (v Verdict) Valid() bool { return v == VerdictNoise || v == VerdictActionable }

// TimelineFeedback is the timeline entry recording a verdict ("Marked
// noise by Alice"); every verdict given stays on the timeline even though
// only the last one counts.
const TimelineFeedback = "feedback"

// Feedback is the last verdict given on an incident: who gave it, when,
// and why. Giving another replaces it.
type Feedback struct {
	Verdict Verdict   `json:"verdict"`
	Note    string    `json:"note,omitempty"`
	By      Actor     `json:"by"`
	At      time.Time `json:"at"`
}

// FeedbackTx is the part of a store transaction that records verdicts. It
// is separate from Tx so engines and fakes that never give feedback need
// not implement it; the store's transactions do.
type FeedbackTx interface {
	// SetFeedback records f as the incident's verdict, replacing any
	// earlier one.
	SetFeedback(ctx context.Context, incidentID string, f *Feedback) error
}
