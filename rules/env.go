package rules

import (
	"encoding/json"

	"github.com/hypercare/hypercare"
)

// Env is what a rule's expressions see: every field of the event, where it
// came from, its labels and its custom details. The expr tags are the names
// rules use, the same as the event's JSON field names, so a rule reads like
// the payload it matches. It is a struct rather than a map so expressions
// are type-checked when the config is loaded: a misspelt field or a string
// compared with a number is a load error, not a surprise at 3 a.m.
type Env struct {
	Summary   string `expr:"summary"`
	Source    string `expr:"source"`
	Severity  string `expr:"severity"`
	Component string `expr:"component"`
	Group     string `expr:"group"`
	Class     string `expr:"class"`
	// Action is trigger, acknowledge or resolve.
	Action   string `expr:"action"`
	DedupKey string `expr:"dedup_key"`
	// Service is the ID of the service the event was sent to (its
	// integration's), before any rule routed it elsewhere.
	Service string `expr:"service"`
	// Integration is the ID of the integration the event came through.
	Integration string `expr:"integration"`
	// IntegrationType is events-v2, alertmanager, grafana or generic.
	IntegrationType string `expr:"integration_type"`
	Client          string `expr:"client"`
	// Labels are custom_details.labels when that is an object (where the
	// Alertmanager and Grafana integrations put an alert's labels, and
	// where other senders can put theirs); string values only. A missing
	// label reads as "".
	Labels map[string]string `expr:"labels"`
	// Details is custom_details decoded from JSON (numbers are floats); a
	// missing key reads as nil, so write `details.count ?? 0 > 5`.
	Details map[string]any `expr:"details"`
}

// Source says where an event came from, which the event itself does not
// carry.
type Source struct {
	ServiceID       string
	IntegrationID   string
	IntegrationType hypercare.IntegrationType
}

// newEnv builds the environment for ev. Custom details are decoded only
// when some rule reads them (needDetails), since decoding is the costliest
// part of evaluating cheap rules.
func newEnv(ev *hypercare.Event, src Source, needDetails bool) *Env {
	env := &Env{
		Summary: ev.Summary, Source: ev.Source, Severity: string(ev.Severity),
		Component: ev.Component, Group: ev.Group, Class: ev.Class,
		Action: string(ev.Action), DedupKey: ev.DedupKey,
		Service: src.ServiceID, Integration: src.IntegrationID,
		IntegrationType: string(src.IntegrationType), Client: ev.Client,
	}
	if needDetails && len(ev.CustomDetails) > 0 {
		var details map[string]any
		// Details that are not a JSON object (a string, say) leave the map
		// empty: rules over them simply do not match.
		if json.Unmarshal(ev.CustomDetails, &details) == nil {
			env.Details = details
			env.Labels = labelsOf(details)
		}
	}
	return env
}

// labelsOf returns the string values of details["labels"].
func labelsOf(details map[string]any) map[string]string {
	obj, ok := details["labels"].(map[string]any)
	if !ok {
		return nil
	}
	labels := make(map[string]string, len(obj))
	for k, v := range obj {
		if s, ok := v.(string); ok {
			labels[k] = s
		}
	}
	return labels
}
