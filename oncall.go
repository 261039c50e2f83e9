package hypercare

import "time"

// The answers of the on-call endpoints. They are declared once, here, so
// the server that writes them and the Go client that reads them cannot
// drift apart; the OpenAPI drift test checks these same types.

// OnCall is the answer of GET /api/v1/oncall: who is on call at At on each
// schedule and, when a policy was asked for, whom each of its levels pages.
type OnCall struct {
	At     time.Time     `json:"at"`
	OnCall []OnCallEntry `json:"oncall"`
	// NobodyOnCall are the schedules asked about that have nobody on
	// call at At (a gap), so an empty OnCall is never ambiguous.
	NobodyOnCall []OnCallGap   `json:"nobody_on_call"`
	Policy       *PolicyOnCall `json:"policy,omitempty"`
}

// OnCallGap is a schedule with nobody on call at a moment, and until when:
// the start of its next shift if within 90 days (else Until is nil). A
// page for a level targeting only this schedule passes it over.
type OnCallGap struct {
	Schedule string     `json:"schedule"`
	Until    *time.Time `json:"until"`
}

// OnCallEntry says who is on call on one schedule at a moment, and until
// when: the end of their current shift and of any of theirs that follow it
// without a break, if within 90 days (else Until is nil).
type OnCallEntry struct {
	Schedule string     `json:"schedule"`
	User     string     `json:"user"`
	UserName string     `json:"user_name"`
	Until    *time.Time `json:"until"`
}

// PolicyOnCall says whom each level of a policy would page at a moment.
type PolicyOnCall struct {
	Policy string        `json:"policy"`
	Levels []LevelOnCall `json:"levels"`
}

// LevelOnCall is one level's targets resolved to users, and how long it
// waits before the next level is paged.
type LevelOnCall struct {
	Level int       `json:"level"`
	Users []string  `json:"users"`
	Mode  LevelMode `json:"mode"`
	// EscalateAfterMinutes is the wait the escalation engine applies to a
	// level paged at the moment asked: the configured one, or shorter
	// where an open hypercare window (or one opening during the wait)
	// caps it with max_escalate_after_minutes. Showing the configured
	// value inside a window would tell responders they have longer than
	// they do.
	EscalateAfterMinutes float64 `json:"escalate_after_minutes"`
	// ConfiguredEscalateAfterMinutes is the level's escalate_after_minutes
	// as the config file sets it.
	ConfiguredEscalateAfterMinutes float64 `json:"configured_escalate_after_minutes"`
	// ShortenedBy is the ID of the hypercare window that shortens the
	// wait ("" when none does), and ShortenedFor the services using the
	// policy it shortens it for when that is not all of them (the others
	// wait ConfiguredEscalateAfterMinutes).
	ShortenedBy  string   `json:"shortened_by,omitempty"`
	ShortenedFor []string `json:"shortened_for,omitempty"`
}

// ShiftView is one final on-call shift as the API shows it: the user, the
// interval in UTC and the layer it comes from.
type ShiftView struct {
	User  string    `json:"user"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Layer string    `json:"layer"`
}
