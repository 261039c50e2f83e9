package hypercare

import (
	"cmp"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Target is whom an escalation level pages: a user, or whoever is on call
// on a schedule at the time of the page.
type Target struct {
	User     string `json:"user,omitempty"`
	Schedule string `json:"schedule,omitempty"`
}

// LevelMode says how a level's targets are paged.
type LevelMode string

// The level modes.
const (
	// NotifyAll pages every target of the level at once (the default).
	NotifyAll LevelMode = "all"
	// RoundRobin pages one target per incident, taking turns, so load
	// spreads across a level of peers.
	RoundRobin LevelMode = "round_robin"
)

// TurnKey names a round-robin level's turn counter: level (0-based) of
// policy PolicyID. Transactions lock turn counters in one global order,
// by policy ID and then level (Tx.LockTurns), so two that take turns of
// several levels never wait for each other in a cycle.
type TurnKey struct {
	PolicyID string
	Level    int
}

// Compare orders turn keys: by policy ID (bytes), then level.
func (k TurnKey) Compare(o TurnKey) int {
	if c := strings.Compare(k.PolicyID, o.PolicyID); c != 0 {
		return c
	}
	return cmp.Compare(k.Level, o.Level)
}

// EscalationLevel is one rung of a policy.
type EscalationLevel struct {
	Targets []Target  `json:"targets"`
	Mode    LevelMode `json:"mode"`
	// EscalateAfter is how long the level has to acknowledge before the
	// next level is paged.
	EscalateAfter time.Duration `json:"escalate_after"`
}

// EscalationPolicy is the ordered levels an unacknowledged incident climbs.
type EscalationPolicy struct {
	ID     string            `json:"id"`
	Name   string            `json:"name"`
	Levels []EscalationLevel `json:"levels"`
	// Repeat is how many times the whole policy runs again after the last
	// level times out.
	Repeat int `json:"repeat"`
	// AckTimeout, if set, re-triggers an acknowledged incident that is not
	// resolved within it, so an ack cannot silence a page forever.
	AckTimeout time.Duration `json:"ack_timeout,omitempty"`
}

// EscalationState is the escalation of one incident: a durable row whose
// due time is the next step, claimed by the escalation engine.
type EscalationState struct {
	IncidentID string `json:"incident_id"`
	PolicyID   string `json:"policy_id"`
	ServiceID  string `json:"service_id"`
	// Level is the index of the next level to page; Loop counts repeats.
	Level int `json:"level"`
	Loop  int `json:"loop"`
	// Step counts the steps taken; notifications of one step share it, so
	// a step that runs twice (after a crash) cannot page twice.
	Step int `json:"step"`
	// Status is active (steps pending), ack_wait (acknowledged, waiting for
	// the ack timeout), or done (nothing more will happen).
	Status string    `json:"status"`
	DueAt  time.Time `json:"due_at"`
	// Urgency is the incident's urgency, which picks notification rules.
	Urgency Urgency `json:"urgency"`
	// AckTimeout is the policy's ack timeout, kept with the state so an
	// acknowledgement can arm it without looking the policy up.
	AckTimeout time.Duration `json:"-"`
	UpdatedAt  time.Time     `json:"updated_at"`
	// ReadyAt is when the first step would be due were no maintenance
	// window or silence holding it: the opening plus the service's pause
	// or an event rule's delay (zero: at once). A hold that ends early
	// moves the first step to the later of this and now, so an early
	// release still waits the pause that filters blips.
	ReadyAt time.Time `json:"-"`
	// Assignee is the user the incident was reassigned to ("" when none):
	// the reassignment stopped the policy, so the ack timeout re-triggers
	// the incident to them (as PagerDuty re-notifies the user who
	// acknowledged) rather than restarting the policy at level 1. A manual
	// escalation clears it, putting the incident back on its policy.
	Assignee string `json:"-"`
}

// Escalation statuses.
const (
	EscalationActive  = "active"
	EscalationAckWait = "ack_wait"
	EscalationDone    = "done"
)

// Notification is one page to one contact method: the durable record of
// who was paged, how, why, for which incident and level. Delivery claims
// it when due and retries until it is sent or gives up.
type Notification struct {
	ID            string      `json:"id"`
	IncidentID    string      `json:"incident_id"`
	UserID        string      `json:"user_id"`
	ContactMethod string      `json:"contact_method"`
	Type          ContactType `json:"type"`
	Address       string      `json:"-"`
	Level         int         `json:"level"`
	Loop          int         `json:"loop"`
	Step          int         `json:"step"`
	Reason        string      `json:"reason"`
	Status        string      `json:"status"`
	Attempts      int         `json:"attempts"`
	// LastError is the last failure's short reason ("connection
	// refused", "HTTP 503 Service Unavailable"), safe for every role.
	LastError string `json:"last_error,omitempty"`
	// ErrorDetail is the full error, which may name the receiver's host,
	// address and port: the API shows it to admins only.
	ErrorDetail string     `json:"error_detail,omitempty"`
	DueAt       time.Time  `json:"due_at"`
	CreatedAt   time.Time  `json:"created_at"`
	SentAt      *time.Time `json:"sent_at"`
	// Kind is NotificationPage, NotificationHeld (waiting for the user's
	// digest on this channel: notify.digest) or NotificationDigest (one
	// message standing for the held pages whose DigestID is its ID).
	Kind string `json:"kind"`
	// DigestID is, on a page that went out in a digest (status digested),
	// the digest notification's ID.
	DigestID string `json:"digest_id,omitempty"`
	// Claimed is the attempt count the claim that leased the page to this
	// process set (0: not leased by a claim, a digest just made say). Its
	// outcome is recorded only while the row still has that count: once
	// the lease ended mid-attempt (it ran out, or another node took over
	// the leases of a node it saw dead) and another claim took the page,
	// that newer attempt owns the row, and this one's outcome is refused
	// (ErrNotificationSuperseded) instead of overwriting it.
	Claimed int `json:"-"`
}

// IncidentPages are an incident's pages leased together in the write that
// opened it, with the incident as that write's commit left it (read just
// before COMMIT, every request of the group commit applied): delivery
// sends them right after the commit and needs no read of the incident to
// do so. Incident is nil until the commit, and stays nil if that read
// failed; delivery then reads it.
type IncidentPages struct {
	Incident *Incident
	Pages    []Notification
}

// Notification kinds (see Notification.Kind).
const (
	NotificationPage   = "page"
	NotificationHeld   = "held"
	NotificationDigest = "digest"
)

// Notification statuses.
const (
	NotificationPending   = "pending"
	NotificationSending   = "sending"
	NotificationSent      = "sent"
	NotificationFailed    = "failed"
	NotificationCancelled = "cancelled"
	// NotificationDigested is a held page that went out in a digest.
	NotificationDigested = "digested"
)

// ErrNotificationSuperseded is Tx.UpdateNotification's answer when the
// page was claimed again since the claim the outcome is for
// (Notification.Claimed): its lease ended while the attempt ran, and a
// later attempt, maybe on another node, owns the row and records its own
// outcome. Nothing is written: the earlier attempt's failure would
// otherwise set the page pending again (paging once more) or failed over
// the later attempt's "sent". The caller writes nothing else about it.
var ErrNotificationSuperseded = errors.New("notification claimed again since this attempt's claim")

// ErrNotificationCancelled is Tx.UpdateNotification's answer when the page
// was cancelled (Tx.CancelNotifications) while it was in flight and the
// outcome is not "sent": the page stays cancelled, so a retry, a hold or a
// hand-back cannot page someone an acknowledgement, resolution or
// reassignment took it from. A failed attempt's reason is still written
// (in the caller's transaction, which commits it by treating this answer
// as done); the caller writes nothing else about it.
var ErrNotificationCancelled = errors.New("the notification was cancelled")

// MarshalJSON writes the timeout as escalate_after_minutes, as configured.
func (l EscalationLevel) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Targets              []Target  `json:"targets"`
		Mode                 LevelMode `json:"mode"`
		EscalateAfterMinutes float64   `json:"escalate_after_minutes"`
	}{l.Targets, l.Mode, l.EscalateAfter.Minutes()})
}

// MarshalJSON writes the ack timeout as ack_timeout_minutes.
func (p EscalationPolicy) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID                string            `json:"id"`
		Name              string            `json:"name"`
		Levels            []EscalationLevel `json:"levels"`
		Repeat            int               `json:"repeat"`
		AckTimeoutMinutes float64           `json:"ack_timeout_minutes"`
	}{p.ID, p.Name, p.Levels, p.Repeat, p.AckTimeout.Minutes()})
}
