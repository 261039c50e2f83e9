package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
)

// NextIncidentNumber returns the next incident number: a PostgreSQL
// sequence (never rolled back, so numbers may have gaps but are unique
// across nodes) or a counter row on SQLite (serialised by the writer).
func (t *tx) NextIncidentNumber(ctx context.Context) (int64, error) {
	if c := t.c.numbers; c != nil {
		if !c.valid {
			t.statements++
			var v int64
			if err := t.c.conn.QueryRowContext(ctx, "SELECT value FROM counters WHERE name = 'incident_number'").Scan(&v); err != nil {
				return 0, t.s.dbErr(err, "read incident number counter")
			}
			c.loaded(v)
		}
		return c.next(), nil
	}
	var n int64
	if err := t.queryRow(ctx, qNextNumber).Scan(&n); err != nil {
		return 0, t.s.dbErr(err, "next incident number")
	}
	return n, nil
}

// GetIncident reads an incident for update (row-locked on PostgreSQL).
func (t *tx) GetIncident(ctx context.Context, id string) (*hypercare.Incident, error) {
	if err := checkText("get incident", "id", id); err != nil {
		return nil, err
	}
	inc := new(hypercare.Incident)
	err := scanIncident(t.queryRow(ctx, qGetIncident, id), inc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, hypercare.Errorf(hypercare.CodeNotFound, "incident %q not found", id)
	}
	if err != nil {
		return nil, t.s.dbErr(err, "get incident %q", id)
	}
	return inc, nil
}

// InsertIncident inserts a new incident; a duplicate id or number is a
// conflict. A zero Number is assigned the next incident number (inside
// the INSERT on PostgreSQL, saving a round trip).
func (t *tx) InsertIncident(ctx context.Context, inc *hypercare.Incident) error {
	if err := checkIncident("insert incident", inc); err != nil {
		return err
	}
	insert := t.insert
	if inc.Number == 0 && len(t.drawn) > 0 {
		// Drawn with the batch's BEGIN: the insert need not wait for
		// RETURNING, so it is queued (a taken id fails at its flush).
		inc.Number, t.drawn, insert = t.drawn[0], t.drawn[1:], t.insertLater
	}
	if inc.Number == 0 && t.s.d.numberInInsert != "" {
		args := incidentArgs(inc)
		err := t.queryRow(ctx, qInsertIncidentNumbered, append(args[:1:1], args[2:]...)...).Scan(&inc.Number)
		if errors.Is(err, sql.ErrNoRows) {
			return hypercare.Errorf(hypercare.CodeConflict, "incident %q: an incident with this id already exists", inc.ID)
		}
		if err != nil {
			return t.s.dbErr(err, "insert incident %q", inc.ID)
		}
		return t.published(nil, hypercare.StreamIncident, hypercare.StreamCreated, inc.ID, inc.ID)
	}
	drawn := inc.Number == 0
	if drawn {
		n, err := t.NextIncidentNumber(ctx)
		if err != nil {
			return err
		}
		inc.Number = n
	}
	var err error
	if drawn && t.c.holdInserts {
		// Held only with a number of the writer's own: a number the
		// caller chose may be taken, and is known so at once.
		err = t.hold(ctx, heldIncidents, inc.ID, incidentArgs(inc)) // a conflict distrusts the numbers there
	} else {
		err = insert(ctx, qInsertIncident, "incident", inc.ID, incidentTaken, incidentArgs(inc)...)
	}
	if drawn && t.c.numbers != nil && hypercare.ErrorCode(err) == hypercare.CodeConflict {
		t.c.numbers.distrust() // the number may be taken: read the counter again
	}
	return t.published(err, hypercare.StreamIncident, hypercare.StreamCreated, inc.ID, inc.ID)
}

// incidentArgs are qInsertIncident's arguments for inc (and, but for the
// number, qInsertIncidentNumbered's).
func incidentArgs(inc *hypercare.Incident) []any {
	return []any{inc.ID, inc.Number, inc.Title, string(inc.Status), string(inc.Urgency), string(inc.Severity),
		inc.ServiceID, inc.AlertCount, inc.OpenAlertCount, micros(inc.CreatedAt), micros(inc.UpdatedAt),
		nullMicros(inc.AcknowledgedAt), nullMicros(inc.ResolvedAt), inc.Priority, inc.Transient, inc.Flapping,
		inc.Features, inc.LastFeatures, micros(inc.LastAlertAt), inc.SuppressedBy, nullMicros(inc.SuppressedUntil), inc.GroupKey}
}

// UpdateIncident writes every mutable field of inc (all but number,
// service and creation time, which never change; the group key changes
// only when a merge gives one to an incident of none).
func (t *tx) UpdateIncident(ctx context.Context, inc *hypercare.Incident) error {
	if err := checkIncident("update incident", inc); err != nil {
		return err
	}
	err := t.update(ctx, qUpdateIncident, "incident", inc.ID,
		inc.ID, inc.Title, string(inc.Status), string(inc.Urgency), string(inc.Severity),
		inc.AlertCount, inc.OpenAlertCount, micros(inc.UpdatedAt),
		nullMicros(inc.AcknowledgedAt), nullMicros(inc.ResolvedAt), inc.Priority, inc.Transient, inc.Flapping,
		inc.Features, inc.LastFeatures, micros(inc.LastAlertAt), inc.SuppressedBy, nullMicros(inc.SuppressedUntil),
		inc.GroupKey)
	return t.published(err, hypercare.StreamIncident, hypercare.StreamUpdated, inc.ID, inc.ID)
}

// AppendTimeline adds an immutable timeline entry.
func (t *tx) AppendTimeline(ctx context.Context, e *hypercare.TimelineEntry) error {
	if err := checkTimeline("append timeline", e); err != nil {
		return err
	}
	args := timelineArgs(e)
	var err error
	if t.c.holdInserts {
		err = t.hold(ctx, heldTimeline, e.ID, args)
	} else {
		err = t.insertLater(ctx, qAppendTimeline, "timeline entry", e.ID, timelineTaken, args...)
	}
	return t.published(err, hypercare.StreamTimeline, hypercare.StreamCreated, e.IncidentID, e.ID)
}

// timelineArgs are qAppendTimeline's arguments for e.
func timelineArgs(e *hypercare.TimelineEntry) []any {
	return []any{e.ID, e.IncidentID, micros(e.At), e.Type, string(e.Actor.Type), e.Actor.ID, e.Actor.Name,
		e.Message, nullJSON(e.Details)}
}

// AppendTimelineOnce inserts e at once (never queued), so a duplicate ID
// is known before the transaction goes on.
func (t *tx) AppendTimelineOnce(ctx context.Context, e *hypercare.TimelineEntry) (bool, error) {
	if err := checkTimeline("append timeline", e); err != nil {
		return false, err
	}
	err := t.insert(ctx, qAppendTimeline, "timeline entry", e.ID, timelineTaken, timelineArgs(e)...)
	if hypercare.ErrorCode(err) == hypercare.CodeConflict {
		return false, nil
	}
	return err == nil, t.published(err, hypercare.StreamTimeline, hypercare.StreamCreated, e.IncidentID, e.ID)
}

// InsertEvent appends to the event log.
func (t *tx) InsertEvent(ctx context.Context, e *hypercare.EventRecord) error {
	if err := ctx.Err(); err != nil { // its row may only be kept for later
		return err
	}
	if err := checkEvent("insert event", e); err != nil {
		return err
	}
	from, stored, err := t.sharePayload(ctx, e)
	if err != nil {
		return fmt.Errorf("insert event %q: %w", e.ID, err)
	}
	if t.c.deferEvents {
		t.deferEvent(e, from)
	} else {
		var payload any // none when shared: a re-sent alert's kilobyte is not copied
		if from == "" {
			payload = nullJSON(e.Payload)
		}
		err = t.insertLater(ctx, qInsertEvent, "event", e.ID, eventTaken,
			e.ID, micros(e.ReceivedAt), e.IntegrationID, e.ServiceID, string(e.Action), e.DedupKey,
			e.AlertID, e.IncidentID, e.Outcome, payload, strings.Join(e.Rules, ","), from)
	}
	if err == nil {
		t.sawEvent(e)
		if stored.event != "" {
			t.c.alerts.setRef(e, stored)
		}
	}
	return err
}

// InsertChangeEvent records a change event.
func (t *tx) InsertChangeEvent(ctx context.Context, c *hypercare.ChangeEvent) error {
	if err := checkChange("insert change event", c); err != nil {
		return err
	}
	links, err := jsonList("links", c.Links)
	if err != nil {
		return fmt.Errorf("insert change event %q: %w", c.ID, err)
	}
	if t.c.changes != nil {
		t.c.changes.inserted(c.ServiceID, micros(c.Timestamp))
	}
	return t.insert(ctx, qInsertChange, "change event", c.ID, "a change event with this id already exists",
		c.ID, c.ServiceID, c.IntegrationID, c.Summary, c.Source, micros(c.Timestamp),
		micros(c.ReceivedAt), nullJSON(c.CustomDetails), links, c.FreezeWindow)
}

// RecentChanges returns the service's change events with a timestamp in
// [since, until], newest first.
func (t *tx) RecentChanges(ctx context.Context, serviceID string, since, until time.Time) ([]hypercare.ChangeEvent, error) {
	if err := checkText("recent changes", "service_id", serviceID); err != nil {
		return nil, err
	}
	if none, err := t.noChangesSince(ctx, serviceID, micros(since)); none || err != nil {
		return nil, err
	}
	var changes []hypercare.ChangeEvent
	err := t.queryEach(ctx, qRecentChanges, []any{serviceID, micros(since), micros(until)}, func(r rowScanner) error {
		var c hypercare.ChangeEvent
		if err := scanChange(r, &c); err != nil {
			return err
		}
		changes = append(changes, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("recent changes of service %q: %w", serviceID, err)
	}
	return changes, nil
}

// noChangesSince answers that the service has no change event timestamped
// at or after since, from a bound of its latest one (writecache.go): read
// once per service and kept by SQLite's write connection, or for one
// transaction on PostgreSQL.
func (t *tx) noChangesSince(ctx context.Context, serviceID string, since int64) (bool, error) {
	if t.c.changes == nil {
		return false, nil
	}
	if none, known := t.c.changes.noneSince(serviceID, since); known {
		return none, nil
	}
	var latest sql.NullInt64
	if err := t.queryRow(ctx, qLatestChange, serviceID).Scan(&latest); err != nil {
		return false, t.s.dbErr(err, "latest change event of service %q", serviceID)
	}
	return t.c.changes.boundRead(serviceID, latest) < since, nil
}

// saveNumber writes the incident number counter SQLite's writer handed
// numbers from (writecache.go), once per batch, before COMMIT.
func (t *tx) saveNumber() error {
	if t.c.numbers == nil {
		return nil
	}
	n, ok := t.c.numbers.pending()
	if !ok {
		return nil
	}
	if _, err := t.execText(t.ctx, "UPDATE counters SET value = $1 WHERE name = 'incident_number'", n); err != nil {
		return t.s.dbErr(err, "save incident number counter %d", n)
	}
	return nil
}
