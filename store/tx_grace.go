package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// SetSymptomGrace inserts or replaces an incident's grace timer.
func (t *tx) SetSymptomGrace(ctx context.Context, g *hypercare.SymptomGrace) error {
	if err := checkText("set symptom grace", "incident_id", g.IncidentID); err != nil {
		return err
	}
	if _, err := t.exec(ctx, qSetSymptomGrace, g.IncidentID, micros(g.RecoveringSince), micros(g.DueAt)); err != nil {
		return t.s.dbErr(err, "set symptom grace of incident %s", g.IncidentID)
	}
	return nil
}

// ClearSymptomGrace removes an incident's grace timer, if any.
func (t *tx) ClearSymptomGrace(ctx context.Context, incidentID string) error {
	if err := checkText("clear symptom grace", "incident_id", incidentID); err != nil {
		return err
	}
	if _, err := t.exec(ctx, qClearSymptomGrace, incidentID); err != nil {
		return t.s.dbErr(err, "clear symptom grace of incident %s", incidentID)
	}
	return nil
}

// DueSymptomGraces returns (and on PostgreSQL locks the incidents of,
// skipping those other nodes hold) up to limit grace timers due at now.
func (t *tx) DueSymptomGraces(ctx context.Context, now time.Time, limit int) ([]hypercare.SymptomGrace, error) {
	rows, err := t.query(ctx, qDueSymptomGraces, micros(now), limit)
	if err != nil {
		return nil, t.s.dbErr(err, "due symptom graces")
	}
	out, err := collect(rows, func(r rowScanner, g *hypercare.SymptomGrace) error {
		var since, due int64
		if err := r.Scan(&g.IncidentID, &since, &due); err != nil {
			return err
		}
		g.RecoveringSince, g.DueAt = fromMicros(since), fromMicros(due)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("due symptom graces: %w", err)
	}
	return out, nil
}
