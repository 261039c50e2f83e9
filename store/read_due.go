package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The engines ask these before they open a write: an idle server (nothing
// due) then costs one indexed read per poll on the read pool and commits
// nothing, instead of an empty write transaction per engine per poll.

// NextEscalationDue returns when the earliest unfinished escalation step
// or symptom grace timer is due (the escalation engine takes both); ok is
// false when there is none.
func (s *Store) NextEscalationDue(ctx context.Context) (time.Time, bool, error) {
	return s.minMicros(ctx, "next escalation due", nextEscalationDueSQL)
}

// nextEscalationDueSQL reads the first entry of escalations_due (partial:
// unfinished only) and of symptom_grace_due.
const nextEscalationDueSQL = "SELECT MIN(due) FROM (SELECT MIN(due_at) AS due FROM escalations WHERE status <> 'done' " +
	"UNION ALL SELECT MIN(due_at) AS due FROM symptom_grace) AS next_due"

// NextNotificationDue returns when the earliest page is due for an
// attempt: a pending page's due time, or a sending page's lease end (its
// node died); ok is false when no page is waiting.
func (s *Store) NextNotificationDue(ctx context.Context) (time.Time, bool, error) {
	return s.minMicros(ctx, "next notification due", nextNotificationDueSQL)
}

// nextNotificationDueSQL reads the waiting pages through the partial
// index notifications_due (pending and sending rows only).
const nextNotificationDueSQL = "SELECT MIN(CASE WHEN status = 'pending' THEN due_at ELSE lease_until END) " +
	"FROM notifications WHERE status IN ('pending', 'sending')"

func (s *Store) minMicros(ctx context.Context, what, q string) (time.Time, bool, error) {
	var v sql.NullInt64
	if err := s.queryRow(ctx, q).Scan(&v); err != nil {
		return time.Time{}, false, fmt.Errorf("%s: %w", what, err)
	}
	if !v.Valid {
		return time.Time{}, false, nil
	}
	return fromMicros(v.Int64), true, nil
}
