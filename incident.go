package hypercare

import (
	"context"
	"encoding/json"
	"time"
)

// Status is the lifecycle state of alerts and incidents.
type Status string

// The statuses, in lifecycle order.
const (
	StatusTriggered    Status = "triggered"
	StatusAcknowledged Status = "acknowledged"
	StatusResolved     Status = "resolved"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return s == StatusTriggered || s == StatusAcknowledged || s == StatusResolved
}

// Urgency decides how hard responders are paged.
type Urgency string

// The urgencies.
const (
	UrgencyHigh Urgency = "high"
	UrgencyLow  Urgency = "low"
)

// UrgencyFor is the default severity-based urgency: critical and error page
// with high urgency, warning and info with low.
func UrgencyFor(s Severity) Urgency {
	if s.Rank() >= SeverityError.Rank() {
		return UrgencyHigh
	}
	return UrgencyLow
}

// AlertKey names the one alert that may be open for a service and dedup
// key (Tx.ReadOpenAlertsAhead).
type AlertKey struct {
	ServiceID, DedupKey string
}

// KeysAhead is what a Store.Write's context may tell the store about the
// write before it runs (WithKeysAhead). It is a hint, never needed for
// correctness: a store whose every statement is a round trip
// (PostgreSQL) reads ahead, with the BEGIN of the batch the write joins,
// what the batch's requests name, instead of one round trip per request
// for each.
type KeysAhead struct {
	// Keys are the alerts the write's triggers look up with
	// FindOpenAlert: their recent alerts are read ahead.
	Keys []AlertKey
	// OpenIncidents says that a trigger of one of Keys whose key has
	// never had an alert opens an incident of its own (no grouping, no
	// dependency, no suppression): the store may draw that incident's
	// number ahead, so that InsertIncident waits for no answer.
	OpenIncidents bool
	// AlertsFirst says the write locks nothing but its own alerts and,
	// after them, their incidents: its events are all triggers, on
	// services that neither group alerts nor depend on another, from an
	// integration that makes no incident per notification group. Where
	// every request of a batch says so, the store may lock the alerts
	// they expect open before any of them runs; a request that locks an
	// incident first (a grouping decision, a resolve, a person's action)
	// must not run after another's alerts were locked, or it and a
	// person holding that incident could wait for each other.
	AlertsFirst bool
}

// keysAheadKey is the context key of WithKeysAhead.
type keysAheadKey struct{}

// WithKeysAhead returns ctx carrying k for the Store.Write called with
// it. A wrapper of a Store passes it on unchanged with ctx.
func WithKeysAhead(ctx context.Context, k KeysAhead) context.Context {
	if len(k.Keys) == 0 {
		return ctx
	}
	return context.WithValue(ctx, keysAheadKey{}, k)
}

// KeysAheadOf returns what WithKeysAhead put in ctx (none: the zero value).
func KeysAheadOf(ctx context.Context) KeysAhead {
	k, _ := ctx.Value(keysAheadKey{}).(KeysAhead)
	return k
}

// Alert is one deduplicated problem signal: every event with the same
// service and dedup key updates one alert while it is open.
type Alert struct {
	ID            string          `json:"id"`
	ServiceID     string          `json:"service_id"`
	IncidentID    string          `json:"incident_id"`
	IntegrationID string          `json:"integration_id,omitempty"`
	DedupKey      string          `json:"dedup_key"`
	Status        Status          `json:"status"`
	Summary       string          `json:"summary"`
	Severity      Severity        `json:"severity"`
	Source        string          `json:"source"`
	Component     string          `json:"component,omitempty"`
	Group         string          `json:"group,omitempty"`
	Class         string          `json:"class,omitempty"`
	CustomDetails json.RawMessage `json:"custom_details,omitempty"`
	// DetailsEncoded says CustomDetails went through encoding/json.Marshal
	// as it is (the intake encodes every event, details included, for its
	// event-log row), so it is valid JSON by construction: the store then
	// checks only that it is storable text, not its syntax again on its
	// single writer, as for EventRecord.PayloadEncoded. Anything else
	// leaves it false.
	DetailsEncoded bool       `json:"-"`
	Links          []Link     `json:"links,omitempty"`
	Images         []Image    `json:"images,omitempty"`
	EventCount     int64      `json:"event_count"`
	FirstSeenAt    time.Time  `json:"first_seen_at"`
	LastSeenAt     time.Time  `json:"last_seen_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	ResolvedAt     *time.Time `json:"resolved_at"`
	// SymptomOf is the ID of the upstream incident this alert is attached
	// to as a symptom (its service depends_on the incident's service):
	// such an alert has no incident of its own (IncidentID is "") and pages
	// nobody until that incident resolves while it is still open.
	SymptomOf string `json:"symptom_of,omitempty"`
	// SentKey is the dedup key the alert's first trigger was sent with
	// when an event rule rewrote it (DedupKey is the rule's), "" when no
	// rule did: acknowledge and resolve events sent with it still find
	// the alert. Read-only: the store sets it when the alert opens.
	SentKey string `json:"sent_key,omitempty"`
	// RuleUrgency and RulePriority are the urgency and priority the event
	// rules chose for the trigger that placed the alert ("" when none
	// did): a symptom opens its incident only when its upstream incident
	// resolves, outside intake, and takes them from here.
	RuleUrgency  Urgency `json:"-"`
	RulePriority string  `json:"-"`
}

// Incident is what responders work on: one or more alerts on a service,
// with a lifecycle and a timeline.
type Incident struct {
	ID       string   `json:"id"`
	Number   int64    `json:"number"`
	Title    string   `json:"title"`
	Status   Status   `json:"status"`
	Urgency  Urgency  `json:"urgency"`
	Severity Severity `json:"severity"`
	// Priority is P1 (most important) to P5, set by an event rule; "" when
	// none set it.
	Priority       string     `json:"priority,omitempty"`
	ServiceID      string     `json:"service_id"`
	AlertCount     int64      `json:"alert_count"`
	OpenAlertCount int64      `json:"open_alert_count"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	ResolvedAt     *time.Time `json:"resolved_at"`
	// Transient says its monitor resolved the incident before its first
	// page was due (the service's pause_notifications_minutes or an event
	// rule's delay_minutes) and before any page: a blip nobody was paged for.
	Transient bool `json:"transient"`
	// Flapping says its alert kept triggering and resolving (more than the
	// flapping count within the window): re-triggers re-open this incident
	// instead of opening new ones, and it pages once.
	Flapping bool `json:"flapping"`
	// SuppressedBy names the maintenance window or silence that held the
	// incident's first page when it opened ("maintenance:sunday-deploys",
	// "silence:ID"; "" when none), and SuppressedUntil when that hold
	// ends: the first page is due then if the incident is still open.
	SuppressedBy    string     `json:"suppressed_by,omitempty"`
	SuppressedUntil *time.Time `json:"suppressed_until,omitempty"`
	// GroupKey is the Alertmanager or Grafana notification group
	// ("groupKey") the incident was opened for: the group's later alerts
	// join it while it is open (an integration's incident_per: group), so
	// one outage that Alertmanager sends as one group is one incident, as
	// PagerDuty's and Opsgenie's Alertmanager receivers make it. "" for
	// other incidents. Set when the incident opens, or by a merge into an
	// incident of no group, which the group's later alerts then join.
	GroupKey string `json:"group_key,omitempty"`
	// Features and LastFeatures are the encoded correlate.Features of the
	// incident's first alert and of the latest alert that joined, and
	// LastAlertAt when that alert joined: what time and intelligent
	// grouping compare, kept on the incident so deciding reads one row
	// per candidate. Internal, not part of the API.
	Features     string    `json:"-"`
	LastFeatures string    `json:"-"`
	LastAlertAt  time.Time `json:"-"`
	// Feedback is the last noise/actionable verdict a responder gave, nil
	// when none. The store keeps it apart from the incident row; the API
	// fills it in when it shows one incident.
	Feedback *Feedback `json:"feedback,omitempty"`
}

// ActorType says who did something.
type ActorType string

// The actor types.
const (
	ActorIntegration ActorType = "integration"
	ActorUser        ActorType = "user"
	ActorSystem      ActorType = "system"
)

// Actor is who caused a change, recorded on every timeline entry.
type Actor struct {
	Type ActorType `json:"type"`
	ID   string    `json:"id"`
	Name string    `json:"name,omitempty"`
}

// SystemActor is Hypercare itself.
var SystemActor = Actor{Type: ActorSystem, ID: "hypercare", Name: "Hypercare"}

// Timeline entry types.
const (
	TimelineTriggered     = "triggered"
	TimelineAlertAdded    = "alert_added"
	TimelineAlertResolved = "alert_resolved"
	TimelineAcknowledged  = "acknowledged"
	TimelineResolved      = "resolved"
	TimelineNote          = "note"
	TimelineRecentChanges = "recent_changes"
	// Noise reduction: a downstream alert attached as a symptom, a symptom
	// promoted to its own incident, manual merge and split, a flapping
	// re-trigger re-opening the incident.
	TimelineSymptomAdded    = "symptom_added"
	TimelineSymptomPromoted = "symptom_promoted"
	TimelineMerged          = "merged"
	TimelineSplit           = "split"
	TimelineReopened        = "reopened"
	// TimelineUrgencyRaised: a hypercare window's urgency floor raised a
	// new incident in its scope to high urgency, or a high-urgency symptom
	// raised the upstream incident it attached to.
	TimelineUrgencyRaised = "urgency_raised"
)

// TimelineEntry is one immutable line in an incident's history.
type TimelineEntry struct {
	ID         string          `json:"id"`
	IncidentID string          `json:"incident_id"`
	At         time.Time       `json:"at"`
	Type       string          `json:"type"`
	Actor      Actor           `json:"actor"`
	Message    string          `json:"message"`
	Details    json.RawMessage `json:"details,omitempty"`
}
