package hypercare

import "time"

// Team owns services. Teams come from the config file.
type Team struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Service is something that can break: the unit incidents open on and
// escalation policies are attached to.
type Service struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	Description      string    `json:"description,omitempty"`
	TeamID           string    `json:"team_id,omitempty"`
	EscalationPolicy string    `json:"escalation_policy,omitempty"`
	Active           bool      `json:"active"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Integration is one way events reach a service: a wire format and the key
// that routes to it. The key is a secret routing key; the Grafana HMAC
// secret is kept in memory from the config file, never in the store.
type Integration struct {
	ID        string          `json:"id"`
	ServiceID string          `json:"service_id"`
	Type      IntegrationType `json:"type"`
	Key       string          `json:"-"`
	// Secret, if set, is the Grafana webhook HMAC secret.
	Secret string `json:"-"`
	Name   string `json:"name,omitempty"`
	// GroupIncidents says a new alert of an Alertmanager or Grafana
	// notification group joins the open incident of its group instead of
	// opening one of its own (the config's incident_per: group, the
	// default on those types): Alertmanager already grouped the outage,
	// and PagerDuty's and Opsgenie's receivers make a group one incident.
	// Config only: the catalog in the store does not keep it.
	GroupIncidents bool `json:"-"`
}
