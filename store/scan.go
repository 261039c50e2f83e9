package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
)

// Timestamps are stored as unix microseconds (BIGINT) on both engines, so
// ordering and range queries are plain integer comparisons everywhere and
// no driver's time handling is involved. Go times are truncated to µs.

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

// zeroMicros stores the zero time as 0 (columns NOT NULL DEFAULT 0).
func zeroMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// nullMicros stores a missing time as NULL.
func nullMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

func fromNullMicros(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

// nullText stores an empty optional reference as NULL, so a foreign key
// column can be "unset".
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullJSON stores empty JSON as NULL; it reads back as nil.
func nullJSON(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

// jsonList encodes a list column: NULL when empty, so an empty list reads
// back as nil on both engines.
func jsonList[T any](field string, v []T) (any, error) {
	if len(v) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", field, err)
	}
	return string(b), nil
}

func decodeList[T any](field string, b []byte) ([]T, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var v []T
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("decode %s: %w", field, err)
	}
	return v, nil
}

func scanIncident(r rowScanner, inc *hypercare.Incident) error {
	var created, updated, lastAlert int64
	var acked, resolved, suppressedUntil sql.NullInt64
	err := r.Scan(&inc.ID, &inc.Number, &inc.Title, &inc.Status, &inc.Urgency, &inc.Severity,
		&inc.ServiceID, &inc.AlertCount, &inc.OpenAlertCount, &created, &updated, &acked, &resolved, &inc.Priority,
		&inc.Transient, &inc.Flapping, &inc.Features, &inc.LastFeatures, &lastAlert, &inc.SuppressedBy, &suppressedUntil, &inc.GroupKey)
	if err != nil {
		return err
	}
	inc.SuppressedUntil = fromNullMicros(suppressedUntil)
	inc.LastAlertAt = fromMicros(lastAlert)
	inc.CreatedAt, inc.UpdatedAt = fromMicros(created), fromMicros(updated)
	inc.AcknowledgedAt, inc.ResolvedAt = fromNullMicros(acked), fromNullMicros(resolved)
	return nil
}

func scanAlert(r rowScanner, a *hypercare.Alert) error {
	var incidentID sql.NullString
	var links, images []byte
	var first, last int64
	var acked, resolved sql.NullInt64
	err := r.Scan(&a.ID, &a.ServiceID, &incidentID, &a.IntegrationID, &a.DedupKey, &a.Status,
		&a.Summary, &a.Severity, &a.Source, &a.Component, &a.Group, &a.Class,
		(*[]byte)(&a.CustomDetails), &links, &images, &a.EventCount, &first, &last, &acked, &resolved,
		&a.SymptomOf, &a.RuleUrgency, &a.RulePriority, &a.SentKey)
	if err != nil {
		return err
	}
	a.IncidentID = incidentID.String
	a.FirstSeenAt, a.LastSeenAt = fromMicros(first), fromMicros(last)
	a.AcknowledgedAt, a.ResolvedAt = fromNullMicros(acked), fromNullMicros(resolved)
	if a.Links, err = decodeList[hypercare.Link]("links", links); err != nil {
		return err
	}
	a.Images, err = decodeList[hypercare.Image]("images", images)
	return err
}

func scanTimeline(r rowScanner, e *hypercare.TimelineEntry) error {
	var at int64
	err := r.Scan(&e.ID, &e.IncidentID, &at, &e.Type, &e.Actor.Type, &e.Actor.ID, &e.Actor.Name,
		&e.Message, (*[]byte)(&e.Details))
	e.At = fromMicros(at)
	return err
}

func scanEvent(r rowScanner, e *hypercare.EventRecord) error {
	var at int64
	var rules string
	err := r.Scan(&e.ID, &at, &e.IntegrationID, &e.ServiceID, &e.Action, &e.DedupKey, &e.AlertID,
		&e.IncidentID, &e.Outcome, (*storedPayload)(&e.Payload), &rules)
	e.ReceivedAt = fromMicros(at)
	if rules != "" {
		e.Rules = strings.Split(rules, ",")
	}
	return err
}

func scanChange(r rowScanner, c *hypercare.ChangeEvent) error {
	var at, received int64
	var links []byte
	err := r.Scan(&c.ID, &c.ServiceID, &c.IntegrationID, &c.Summary, &c.Source, &at, &received,
		(*[]byte)(&c.CustomDetails), &links, &c.FreezeWindow)
	if err != nil {
		return err
	}
	c.FreezeViolation = c.FreezeWindow != ""
	c.Timestamp, c.ReceivedAt = fromMicros(at), fromMicros(received)
	c.Links, err = decodeList[hypercare.Link]("links", links)
	return err
}

func scanService(r rowScanner, s *hypercare.Service) error {
	var updated int64
	err := r.Scan(&s.ID, &s.Name, &s.Description, &s.TeamID, &s.EscalationPolicy, &s.Active, &updated)
	s.UpdatedAt = fromMicros(updated)
	return err
}

func scanToken(r rowScanner, t *hypercare.Token) error {
	var created int64
	var used sql.NullInt64
	err := r.Scan(&t.ID, &t.Name, &t.Role, &t.Hash, &created, &used)
	t.CreatedAt, t.LastUsedAt = fromMicros(created), fromNullMicros(used)
	return err
}
