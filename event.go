package hypercare

import (
	"encoding/json"
	"time"
)

// Action is what an event asks for, in the PagerDuty Events API's terms,
// which every wire format is normalised to.
type Action string

// The event actions.
const (
	ActionTrigger     Action = "trigger"
	ActionAcknowledge Action = "acknowledge"
	ActionResolve     Action = "resolve"
)

// Severity is the PagerDuty severity scale, shared by alerts and incidents.
type Severity string

// The severities, most severe first.
const (
	SeverityCritical Severity = "critical"
	SeverityError    Severity = "error"
	SeverityWarning  Severity = "warning"
	SeverityInfo     Severity = "info"
)

// Rank orders severities: critical is 4, info 1, anything unknown 0.
func (s Severity) Rank() int {
	switch s {
	case SeverityCritical:
		return 4
	case SeverityError:
		return 3
	case SeverityWarning:
		return 2
	case SeverityInfo:
		return 1
	}
	return 0
}

// Valid reports whether s is one of the four severities.
func (s Severity) Valid() bool { return s.Rank() > 0 }

// IntegrationType names a wire format an integration speaks.
type IntegrationType string

// The integration types.
const (
	IntegrationEventsV2     IntegrationType = "events-v2"
	IntegrationAlertmanager IntegrationType = "alertmanager"
	IntegrationGrafana      IntegrationType = "grafana"
	IntegrationGeneric      IntegrationType = "generic"
)

// Link is a URL attached to an event, shown with its alert.
type Link struct {
	Href string `json:"href"`
	Text string `json:"text,omitempty"`
}

// Image is an image attached to an event (a graph, say).
type Image struct {
	Src  string `json:"src"`
	Href string `json:"href,omitempty"`
	Alt  string `json:"alt,omitempty"`
}

// Event is one normalised monitoring event: every wire format (Events API
// v1 and v2, Alertmanager, Grafana, generic JSON) is parsed into this shape
// by package ingest before anything else looks at it.
type Event struct {
	// RoutingKey is the integration key the event was sent with, used only
	// to route it. It is a secret (whoever has it can open and resolve
	// incidents), so it is never encoded: the event log names the
	// integration by ID instead, and answers to any role never carry it.
	RoutingKey string `json:"-"`
	Action     Action `json:"event_action"`
	// DedupKey identifies the alert the event belongs to. For triggers
	// without one, ingest leaves it empty and intake generates one.
	DedupKey  string     `json:"dedup_key,omitempty"`
	Summary   string     `json:"summary,omitempty"`
	Source    string     `json:"source,omitempty"`
	Severity  Severity   `json:"severity,omitempty"`
	Timestamp *time.Time `json:"timestamp,omitempty"`
	Component string     `json:"component,omitempty"`
	Group     string     `json:"group,omitempty"`
	Class     string     `json:"class,omitempty"`
	// CustomDetails is free-form JSON from the sender, kept verbatim
	// (re-encoded as valid UTF-8).
	CustomDetails json.RawMessage `json:"custom_details,omitempty"`
	Links         []Link          `json:"links,omitempty"`
	Images        []Image         `json:"images,omitempty"`
	Client        string          `json:"client,omitempty"`
	ClientURL     string          `json:"client_url,omitempty"`
	// GroupKey is the Alertmanager or Grafana notification group the
	// alert arrived in ("groupKey"; "" for other formats): with the
	// integration's incident_per: group, a new alert joins the open
	// incident of its group (Incident.GroupKey). Kept in the event log,
	// so a replay groups alike.
	GroupKey string `json:"group_key,omitempty"`
	// GroupTitle names the alert's notification group, e.g.
	// "KubePodCrashLooping (cluster=eu-1)": its alertname and other
	// groupLabels. The incident the group's first alert opens (incident_per:
	// group) takes it as its title, since the group's later alerts join it;
	// "" when the group is this one alert (group_by: ['...']) or nothing
	// names it, and the alert's summary titles the incident.
	GroupTitle string `json:"group_title,omitempty"`
}

// ChangeEvent records a deploy, a config change or similar, so responders
// see what changed on a service shortly before it broke.
type ChangeEvent struct {
	ID            string          `json:"id"`
	ServiceID     string          `json:"service_id"`
	IntegrationID string          `json:"integration_id,omitempty"`
	Summary       string          `json:"summary"`
	Source        string          `json:"source,omitempty"`
	Timestamp     time.Time       `json:"timestamp"`
	ReceivedAt    time.Time       `json:"received_at"`
	CustomDetails json.RawMessage `json:"custom_details,omitempty"`
	Links         []Link          `json:"links,omitempty"`
	// FreezeViolation says the change happened on a service in the scope
	// of an open hypercare window with change_freeze, FreezeWindow names
	// that window: responders see at once that a change shipped through a
	// freeze, on the list and on the incidents it may have caused. Set on
	// arrival (intake), never by the sender.
	FreezeViolation bool   `json:"freeze_violation"`
	FreezeWindow    string `json:"freeze_window,omitempty"`
}

// RecentChangeWindow is how long before an incident opens a change event on
// its service counts as "recent" context for it.
const RecentChangeWindow = 30 * time.Minute
