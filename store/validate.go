package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hypercare/hypercare"
)

// PostgreSQL rejects NUL bytes and invalid UTF-8 in TEXT; SQLite stores
// them. textCheck rejects such strings on both engines before anything
// reaches the database, so the same input gets the same invalid_argument
// answer (never a 500 on one engine and success on the other).
type textCheck struct {
	bad []hypercare.FieldError
}

// textProblem says what is wrong with s, or "" when it can be stored.
func textProblem(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		return "contains a NUL byte"
	}
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	return ""
}

func (c *textCheck) str(field, s string) {
	if p := textProblem(s); p != "" {
		c.bad = append(c.bad, hypercare.FieldError{Field: field, Message: p})
	}
}

// json checks a JSON text column: storable text and valid JSON, because
// it is served back verbatim as json.RawMessage.
func (c *textCheck) json(field string, b []byte) {
	if c.text(field, b) && len(b) > 0 && !json.Valid(b) {
		c.bad = append(c.bad, hypercare.FieldError{Field: field, Message: "is not valid JSON"})
	}
}

// text checks that b is storable text (see textProblem), and says so.
// It is json's check for JSON known to be valid: encoding/json.Marshal
// rejects invalid JSON in a json.RawMessage but copies its strings'
// bytes, invalid UTF-8 included.
func (c *textCheck) text(field string, b []byte) bool {
	switch {
	case bytes.IndexByte(b, 0) >= 0:
		c.bad = append(c.bad, hypercare.FieldError{Field: field, Message: "contains a NUL byte"})
	case !utf8.Valid(b):
		c.bad = append(c.bad, hypercare.FieldError{Field: field, Message: "is not valid UTF-8"})
	default:
		return true
	}
	return false
}

// details checks an alert's custom details: as text only when encoding/json
// produced them (Alert.DetailsEncoded), else as JSON.
func (c *textCheck) details(a *hypercare.Alert) {
	if a.DetailsEncoded {
		c.text("custom_details", a.CustomDetails)
	} else {
		c.json("custom_details", a.CustomDetails)
	}
}

func (c *textCheck) links(field string, links []hypercare.Link) {
	for i := range links {
		if textProblem(links[i].Href) != "" || textProblem(links[i].Text) != "" {
			c.str(fmt.Sprintf("%s[%d].href", field, i), links[i].Href)
			c.str(fmt.Sprintf("%s[%d].text", field, i), links[i].Text)
		}
	}
}

func (c *textCheck) images(images []hypercare.Image) {
	for i, im := range images {
		if textProblem(im.Src) != "" || textProblem(im.Href) != "" || textProblem(im.Alt) != "" {
			c.str(fmt.Sprintf("images[%d].src", i), im.Src)
			c.str(fmt.Sprintf("images[%d].href", i), im.Href)
			c.str(fmt.Sprintf("images[%d].alt", i), im.Alt)
		}
	}
}

// err returns the invalid_argument error naming every bad field, or nil.
// op and key are only formatted on failure, keeping the hot path free of
// allocations.
func (c *textCheck) err(op, key string) error {
	if len(c.bad) == 0 {
		return nil
	}
	names := make([]string, len(c.bad))
	for i, f := range c.bad {
		names[i] = f.Field + " " + f.Message
	}
	if textProblem(key) != "" || key == "" {
		return hypercare.InvalidFields(op+": "+strings.Join(names, "; "), c.bad...)
	}
	return hypercare.InvalidFields(fmt.Sprintf("%s %q: %s", op, key, strings.Join(names, "; ")), c.bad...)
}

// checkText validates name/value pairs; for short argument lists.
func checkText(op string, pairs ...string) error {
	var c textCheck
	for i := 0; i+1 < len(pairs); i += 2 {
		c.str(pairs[i], pairs[i+1])
	}
	return c.err(op, "")
}

func checkAlert(op string, a *hypercare.Alert) error {
	var c textCheck
	c.str("id", a.ID)
	c.str("service_id", a.ServiceID)
	c.str("incident_id", a.IncidentID)
	c.str("integration_id", a.IntegrationID)
	c.str("dedup_key", a.DedupKey)
	c.str("status", string(a.Status))
	c.str("summary", a.Summary)
	c.str("severity", string(a.Severity))
	c.str("source", a.Source)
	c.str("component", a.Component)
	c.str("group", a.Group)
	c.str("class", a.Class)
	c.str("symptom_of", a.SymptomOf)
	c.str("sent_key", a.SentKey)
	c.str("rule_urgency", string(a.RuleUrgency))
	c.str("rule_priority", a.RulePriority)
	c.details(a)
	c.links("links", a.Links)
	c.images(a.Images)
	return c.err(op, a.ID)
}

func checkIncident(op string, inc *hypercare.Incident) error {
	var c textCheck
	c.str("id", inc.ID)
	c.str("title", inc.Title)
	c.str("status", string(inc.Status))
	c.str("urgency", string(inc.Urgency))
	c.str("severity", string(inc.Severity))
	c.str("priority", inc.Priority)
	c.str("service_id", inc.ServiceID)
	c.str("features", inc.Features)
	c.str("last_features", inc.LastFeatures)
	return c.err(op, inc.ID)
}

func checkTimeline(op string, e *hypercare.TimelineEntry) error {
	var c textCheck
	c.str("id", e.ID)
	c.str("incident_id", e.IncidentID)
	c.str("type", e.Type)
	c.str("actor.type", string(e.Actor.Type))
	c.str("actor.id", e.Actor.ID)
	c.str("actor.name", e.Actor.Name)
	c.str("message", e.Message)
	c.json("details", e.Details)
	return c.err(op, e.ID)
}

func checkEvent(op string, e *hypercare.EventRecord) error {
	var c textCheck
	c.str("id", e.ID)
	c.str("integration_id", e.IntegrationID)
	c.str("service_id", e.ServiceID)
	c.str("event_action", string(e.Action))
	c.str("dedup_key", e.DedupKey)
	c.str("alert_id", e.AlertID)
	c.str("incident_id", e.IncidentID)
	c.str("outcome", e.Outcome)
	if e.PayloadEncoded {
		c.text("payload", e.Payload)
	} else {
		c.json("payload", e.Payload)
	}
	for _, r := range e.Rules {
		c.str("rules", r)
	}
	return c.err(op, e.ID)
}

func checkChange(op string, ch *hypercare.ChangeEvent) error {
	var c textCheck
	c.str("id", ch.ID)
	c.str("service_id", ch.ServiceID)
	c.str("integration_id", ch.IntegrationID)
	c.str("summary", ch.Summary)
	c.str("source", ch.Source)
	c.str("freeze_window", ch.FreezeWindow)
	c.json("custom_details", ch.CustomDetails)
	c.links("links", ch.Links)
	return c.err(op, ch.ID)
}
