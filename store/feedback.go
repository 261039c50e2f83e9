package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/hypercare/hypercare"
)

// Noise feedback (migration 0019): the last verdict per incident, kept in
// its own table so the incident row and its hot write path are untouched.

var _ hypercare.FeedbackTx = (*tx)(nil)

// SetFeedback records f as the incident's verdict, replacing any earlier
// one, and publishes the incident as updated (its stream object carries
// the verdict). The incident must exist (the caller read it in the same
// write).
func (t *tx) SetFeedback(ctx context.Context, incidentID string, f *hypercare.Feedback) error {
	if err := checkText("set feedback", "incident_id", incidentID, "verdict", string(f.Verdict), "note", f.Note,
		"actor_id", f.By.ID, "actor_name", f.By.Name); err != nil {
		return err
	}
	if !f.Verdict.Valid() {
		return hypercare.InvalidFields("set feedback", hypercare.FieldError{Field: "verdict", Message: "must be noise or actionable"})
	}
	// Only for an incident that exists: no foreign key checks it
	// (migration 0046).
	res, err := t.execText(ctx, "INSERT INTO incident_feedback "+
		"(incident_id, verdict, note, actor_type, actor_id, actor_name, at) "+
		"SELECT $1, $2, $3, $4, $5, $6, CAST($7 AS BIGINT) WHERE EXISTS (SELECT 1 FROM incidents WHERE id = $1) "+
		"ON CONFLICT (incident_id) DO UPDATE SET verdict = excluded.verdict, note = excluded.note, "+
		"actor_type = excluded.actor_type, actor_id = excluded.actor_id, actor_name = excluded.actor_name, at = excluded.at",
		incidentID, string(f.Verdict), f.Note, string(f.By.Type), f.By.ID, f.By.Name, micros(f.At))
	if err != nil {
		return t.s.dbErr(err, "set feedback on incident %q", incidentID)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("set feedback on incident %q: %w", incidentID, err)
	} else if n == 0 {
		return hypercare.Errorf(hypercare.CodeNotFound, "set feedback: incident %q not found", incidentID)
	}
	// The incident as the API shows it changed: live clients hear of it.
	return t.published(nil, hypercare.StreamIncident, hypercare.StreamUpdated, incidentID, incidentID)
}

// maxFeedbackIDs bounds one IncidentFeedback call (a page of incidents).
const maxFeedbackIDs = 1000

// incidentFeedbackSQL, completed by a placeholder list and ")", reads
// the verdicts of a page of incidents by primary key.
const incidentFeedbackSQL = "SELECT incident_id, verdict, note, actor_type, actor_id, actor_name, at " +
	"FROM incident_feedback WHERE incident_id IN ("

// IncidentFeedback returns the verdicts of the incidents with these IDs;
// incidents without one are absent from the map.
func (s *Store) IncidentFeedback(ctx context.Context, ids []string) (map[string]hypercare.Feedback, error) {
	out := map[string]hypercare.Feedback{}
	if len(ids) == 0 {
		return out, nil
	}
	if len(ids) > maxFeedbackIDs {
		return nil, hypercare.InvalidFields("incident feedback", hypercare.FieldError{Field: "ids",
			Message: fmt.Sprintf("at most %d at a time", maxFeedbackIDs)})
	}
	var q query
	ph := make([]string, len(ids))
	for i, id := range ids {
		q.check.str("incident_id", id)
		ph[i] = q.arg(id)
	}
	if err := q.check.err("incident feedback", ""); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, incidentFeedbackSQL+strings.Join(ph, ", ")+")", q.args...)
	if err != nil {
		return nil, s.dbErr(err, "incident feedback")
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var f hypercare.Feedback
		var at int64
		if err := rows.Scan(&id, &f.Verdict, &f.Note, &f.By.Type, &f.By.ID, &f.By.Name, &at); err != nil {
			return nil, s.dbErr(err, "incident feedback")
		}
		f.At = fromMicros(at)
		out[id] = f
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbErr(err, "incident feedback")
	}
	return out, nil
}
