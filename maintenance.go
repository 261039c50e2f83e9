package hypercare

import "time"

// AnnounceTarget is one recipient of a maintenance (or hypercare) window's
// start and end announcements: a user (through one named contact method,
// or every non-phone method they have: an announcement informs, it does
// not wake anyone), or a direct address on a channel (a Slack channel, a
// team's webhook).
type AnnounceTarget struct {
	User          string      `json:"user,omitempty"`
	ContactMethod string      `json:"contact_method,omitempty"`
	Type          ContactType `json:"type,omitempty"`
	Address       string      `json:"-"`
}

// Silence holds back pages for new alerts that match it, created at run
// time through the API or CLI (the ad-hoc counterpart of the config's
// maintenance windows). Alerts it covers are still recorded; those still
// firing when it ends (or is expired early) page then.
type Silence struct {
	ID string `json:"id"`
	// Matchers are Alertmanager-style (name="v", name!="v", name=~"re",
	// name!~"re") over the event's fields, labels and custom details.
	Matchers []string `json:"matchers"`
	// Services, when set, limit it to those services.
	Services  []string   `json:"services"`
	StartsAt  time.Time  `json:"starts_at"`
	EndsAt    time.Time  `json:"ends_at"`
	Comment   string     `json:"comment"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiredAt *time.Time `json:"expired_at"`
}

// Active reports whether the silence holds pages at at.
func (s *Silence) Active(at time.Time) bool {
	return !at.Before(s.StartsAt) && at.Before(s.EndsAt)
}

// SilenceState is "pending", "active" or "expired" at at, as Alertmanager
// names them.
func (s *Silence) State(at time.Time) string {
	switch {
	case !at.Before(s.EndsAt):
		return "expired"
	case at.Before(s.StartsAt):
		return "pending"
	}
	return "active"
}

// TimelineSuppressed is the timeline type of an incident opened while a
// maintenance window or silence held its pages.
const TimelineSuppressed = "suppressed"

// Announcement is one message that a window started or ended, to one
// target: a durable row (unique per window, edge, occurrence and target,
// so it is sent once whichever node or restart schedules it), delivered
// like a page with a lease, attempts and backoff.
type Announcement struct {
	ID string `json:"id"`
	// Subject is the window: "maintenance:ID" or "window:ID".
	Subject string `json:"subject"`
	// Edge is "start" or "end"; OccurrenceAt is the occurrence's start.
	Edge         string    `json:"edge"`
	OccurrenceAt time.Time `json:"occurrence_at"`
	// Target names the recipient: "user:USER:METHOD" or "direct:HASH"
	// (the hash of a direct target's type and address, which stays in
	// the config file).
	Target     string     `json:"target"`
	Message    string     `json:"message"`
	Status     string     `json:"status"`
	Attempts   int        `json:"attempts"`
	LastError  string     `json:"last_error"`
	DueAt      time.Time  `json:"due_at"`
	LeaseUntil *time.Time `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	SentAt     *time.Time `json:"sent_at"`
	// Claimed is the attempt count the claim that leased the row to this
	// process set (0: not leased by a claim). Its outcome is written only
	// while the row still has that count: once the lease ended mid-attempt
	// and another claim took the row, that later attempt owns it.
	Claimed int `json:"-"`
}
