package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/hypercare/hypercare"
)

// The slim outbox's read side. A stream event records which object
// changed (kind and ID), not a copy of it; readers read the objects of a
// page of events together, one statement per kind (each ID a primary key
// lookup), and send each as it is when read. A client thus sees every
// change's event, in commit order, each with the object's state at or
// after that change; what it no longer sees is a state an object passed
// through between two reads. Writing a copy per change was half of the
// database under an alert storm, and a fifth of each commit's work.

// streamAfterSQL is the stream's resume read: a range of stream_events'
// primary key below the watermark, each joined to its incident by primary
// key.
func streamAfterSQL(watermark string) string {
	return "SELECT e.id, e.at, e.kind, e.op, e.incident_id, COALESCE(i.number, 0), e.object_id, e.payload " +
		"FROM stream_events e LEFT JOIN incidents i ON i.id = e.incident_id " +
		"WHERE e.id > $1 AND e.id < " + watermark + " ORDER BY e.id LIMIT $2"
}

// StreamAfter returns up to limit retained stream events with ID > after,
// in ID order, each with its incident's number and its object as it is
// now (Object nil when retention removed it). On PostgreSQL it stops at
// the watermark: events above it wait until every transaction that could
// still commit a lower ID has ended.
func (s *Store) StreamAfter(ctx context.Context, after int64, limit int) ([]hypercare.StreamEvent, error) {
	from := time.Now()
	rows, err := s.query(ctx, streamAfterSQL(s.d.streamWatermark), after, limit)
	if err != nil {
		return nil, fmt.Errorf("stream events after %d: %w", after, err)
	}
	out, err := collect(rows, func(r rowScanner, e *hypercare.StreamEvent) error {
		var at int64
		var payload string
		if err := r.Scan(&e.ID, &at, &e.Kind, &e.Op, &e.IncidentID, &e.IncidentNumber, &e.ObjectID, &payload); err != nil {
			return err
		}
		e.At = fromMicros(at)
		if payload != "" { // stored with a copy before migration 0029
			e.Object, e.ObjectID = json.RawMessage(payload), ""
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("stream events after %d: %w", after, err)
	}
	if s.d.nodes && len(out) < limit {
		last := after
		if len(out) > 0 {
			last = out[len(out)-1].ID
		}
		if err := s.checkHeld(ctx, last); err != nil {
			return nil, err
		}
	}
	if err := s.hydrate(ctx, out, from); err != nil {
		return nil, fmt.Errorf("stream events after %d: %w", after, err)
	}
	return out, nil
}

// checkHeld arranges a re-wake when events after last have committed but
// were above the watermark. (One committed since by a transaction that
// published fires the signal itself; the extra wake is harmless.)
func (s *Store) checkHeld(ctx context.Context, last int64) error {
	var held bool
	if err := s.queryRow(ctx, "SELECT EXISTS (SELECT 1 FROM stream_events WHERE id > $1)", last).Scan(&held); err != nil {
		return fmt.Errorf("stream events after %d: held back: %w", last, err)
	}
	if held {
		select {
		case s.streamHeld <- struct{}{}:
		default: // a wake is already due
		}
	}
	return nil
}

// streamObjectSQL reads the objects of one kind whose IDs are in $1 (a
// JSON array), in the REST API's columns.
var streamObjectSQL = map[string]string{
	hypercare.StreamIncident:     "SELECT " + incidentCols + " FROM incidents WHERE id",
	hypercare.StreamAlert:        "SELECT " + alertCols + " FROM alerts WHERE id",
	hypercare.StreamTimeline:     "SELECT " + timelineCols + " FROM timeline WHERE id",
	hypercare.StreamNotification: "SELECT " + notificationCols + " FROM notifications WHERE id",
}

// hydrate fills in the objects of the events that name one (ObjectID set,
// Object nil), stamping each event with when its object was read; an
// event whose object is gone (retention) keeps Object nil, so a reader
// still moves past it. from is when the caller began reading.
func (s *Store) hydrate(ctx context.Context, evs []hypercare.StreamEvent, from time.Time) error {
	byKind := map[string][]string{}
	objs := map[streamObject]json.RawMessage{} // a key per object to read, then its JSON
	for i := range evs {
		e := &evs[i]
		if e.Object != nil || e.ObjectID == "" {
			continue
		}
		k := streamObject{e.Kind, e.ObjectID}
		if _, ok := objs[k]; !ok {
			objs[k] = nil
			byKind[e.Kind] = append(byKind[e.Kind], e.ObjectID)
		}
	}
	for kind, ids := range byKind {
		if err := s.readObjects(ctx, kind, ids, objs); err != nil {
			return err
		}
	}
	to := time.Now()
	for i := range evs {
		e := &evs[i]
		if e.Object == nil {
			e.Object = objs[streamObject{e.Kind, e.ObjectID}] // nil: gone, or a kind this version does not know
		}
		e.ReadFrom, e.ReadTo = from, to
	}
	return nil
}

// streamObject names an object of the stream.
type streamObject struct{ kind, id string }

// readObjects reads the objects of kind with ids into objs as JSON.
func (s *Store) readObjects(ctx context.Context, kind string, ids []string, objs map[streamObject]json.RawMessage) error {
	text, ok := streamObjectSQL[kind]
	if !ok {
		return nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("stream: %s objects: %w", kind, err)
	}
	var verdicts map[string]hypercare.Feedback
	if kind == hypercare.StreamIncident {
		if verdicts, err = s.feedbackOf(ctx, ids); err != nil {
			return fmt.Errorf("stream: read %d incidents' feedback: %w", len(ids), err)
		}
	}
	rows, err := s.query(ctx, text+s.d.inJSON, string(list))
	if err != nil {
		return fmt.Errorf("stream: read %d %s objects: %w", len(ids), kind, err)
	}
	defer rows.Close()
	for rows.Next() {
		// One object that cannot be read or encoded is left out (its
		// event goes without it) rather than stopping every client's
		// stream at that page.
		id, obj, err := scanStreamObject(kind, rows)
		if err != nil {
			s.log.Error("stream: an object could not be read; its events are skipped", "kind", kind, "err", err)
			continue
		}
		if inc, ok := obj.(*hypercare.Incident); ok {
			if f, ok := verdicts[id]; ok {
				inc.Feedback = &f // as the REST API shows the incident
			}
		}
		b, err := json.Marshal(obj)
		if err != nil {
			s.log.Error("stream: an object could not be encoded; its events are skipped", "kind", kind, "id", id, "err", err)
			continue
		}
		objs[streamObject{kind, id}] = b
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("stream: read %s objects: %w", kind, err)
	}
	return nil
}

// feedbackOf returns the verdicts of the incidents with ids, read
// maxFeedbackIDs at a time.
func (s *Store) feedbackOf(ctx context.Context, ids []string) (map[string]hypercare.Feedback, error) {
	out := map[string]hypercare.Feedback{}
	for chunk := range slices.Chunk(ids, maxFeedbackIDs) {
		fb, err := s.IncidentFeedback(ctx, chunk)
		if err != nil {
			return nil, err
		}
		maps.Copy(out, fb)
	}
	return out, nil
}

// scanStreamObject scans one row of streamObjectSQL[kind].
func scanStreamObject(kind string, r rowScanner) (id string, obj any, err error) {
	switch kind {
	case hypercare.StreamIncident:
		var v hypercare.Incident
		err = scanIncident(r, &v)
		return v.ID, &v, err
	case hypercare.StreamAlert:
		var v hypercare.Alert
		err = scanAlert(r, &v)
		return v.ID, &v, err
	case hypercare.StreamTimeline:
		var v hypercare.TimelineEntry
		err = scanTimeline(r, &v)
		return v.ID, &v, err
	default:
		var v hypercare.Notification
		err = scanNotification(r, &v)
		return v.ID, &v, err
	}
}

// StreamRefresh returns evs with their objects read again, now (Object
// nil where the object is gone). An event stored with a copy of its
// object (before the slim outbox) keeps it.
func (s *Store) StreamRefresh(ctx context.Context, evs []hypercare.StreamEvent) ([]hypercare.StreamEvent, error) {
	from := time.Now()
	out := make([]hypercare.StreamEvent, len(evs))
	copy(out, evs)
	for i := range out {
		if out[i].ObjectID != "" {
			out[i].Object = nil
		}
	}
	if err := s.hydrate(ctx, out, from); err != nil {
		return nil, fmt.Errorf("stream: refresh %d events: %w", len(evs), err)
	}
	return out, nil
}
