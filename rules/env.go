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

// newEnv builds the environment for ev, without labels and details: those
// are decoded by load, only when a rule that reads them is reached, since
// decoding JSON costs more than evaluating tens of cheap conditions.
func newEnv(ev *hypercare.Event, src Source) *Env {
	return &Env{
		Summary: ev.Summary, Source: ev.Source, Severity: string(ev.Severity),
		Component: ev.Component, Group: ev.Group, Class: ev.Class,
		Action: string(ev.Action), DedupKey: ev.DedupKey,
		Service: src.ServiceID, Integration: src.IntegrationID,
		IntegrationType: string(src.IntegrationType), Client: ev.Client,
	}
}

// loader fills an Env's labels and details from the event's custom details
// on first need.
type loader struct {
	raw json.RawMessage
	// full decodes all details also when only labels are needed, because
	// some rule of the set will read details (one decode, not two).
	full                    bool
	labelsDone, detailsDone bool
}

// load makes sure env has what r reads. Details that are not a JSON object
// (a string, say) leave the maps empty: rules over them simply do not
// match. Labels alone are decoded without the rest of the details.
func (l *loader) load(env *Env, r *Rule) {
	switch {
	case (r.readsDetails || r.readsLabels && l.full) && !l.detailsDone:
		l.detailsDone, l.labelsDone = true, true
		if len(l.raw) > 0 && json.Unmarshal(l.raw, &env.Details) == nil {
			env.Labels = labelsOf(env.Details["labels"])
		}
	case r.readsLabels && !l.labelsDone:
		l.labelsDone = true
		var only struct {
			Labels any `json:"labels"`
		}
		if len(l.raw) > 0 && json.Unmarshal(l.raw, &only) == nil {
			env.Labels = labelsOf(only.Labels)
		}
	}
}

// labelsOf returns the string values of a labels object.
func labelsOf(v any) map[string]string {
	obj, ok := v.(map[string]any)
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
