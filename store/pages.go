package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// recentPagesSQL reads when a user was paged since $2: one row per
// escalation step that paged them (a step's several contact methods are
// one page), leaving out steps whose every notification was cancelled
// before it reached them, and digests: the held pages a digest carried
// are each a step already counted. A step's time is when its first
// notification was sent, else when it is due: a low-urgency page held by
// quiet hours until 07:00 reaches its user then, not when it was made at
// night (the guardrail ignores times after now). Index notifications_user
// bounds it (steps made since $2).
const recentPagesSQL = "SELECT MIN(COALESCE(sent_at, due_at)) FROM notifications WHERE user_id = $1 AND created_at >= $2 " +
	"AND status <> 'cancelled' AND kind <> '" + hypercare.NotificationDigest + "' GROUP BY incident_id, step ORDER BY 1 LIMIT $3"

// maxRecentPages bounds the read: no guardrail counts further.
const maxRecentPages = 10000

// RecentPages returns when the user was paged by the escalation steps made
// at or after since, oldest first, one time per step (the fatigue
// guardrail's count; a page not yet sent counts when it is due, see
// recentPagesSQL), reading inside the transaction so pages just recorded
// count too.
func (t *tx) RecentPages(ctx context.Context, userID string, since time.Time) ([]time.Time, error) {
	if err := checkText("recent pages", "user_id", userID); err != nil {
		return nil, err
	}
	rows, err := t.query(ctx, qRecentPages, userID, micros(since), maxRecentPages)
	if err != nil {
		return nil, t.s.dbErr(err, "recent pages of %q", userID)
	}
	return collectTimes(rows, userID)
}

// RecentPages is the read side's Tx.RecentPages, for the dry run.
func (s *Store) RecentPages(ctx context.Context, userID string, since time.Time) ([]time.Time, error) {
	if err := checkText("recent pages", "user_id", userID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, recentPagesSQL, userID, micros(since), maxRecentPages)
	if err != nil {
		return nil, fmt.Errorf("recent pages of %q: %w", userID, err)
	}
	return collectTimes(rows, userID)
}

func collectTimes(rows *sql.Rows, userID string) ([]time.Time, error) {
	out, err := collect(rows, func(r rowScanner, t *time.Time) error {
		var us int64
		if err := r.Scan(&us); err != nil {
			return err
		}
		*t = fromMicros(us)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("recent pages of %q: %w", userID, err)
	}
	return out, nil
}

// txLockSQL takes a transaction-level advisory lock (PostgreSQL), released
// at COMMIT or ROLLBACK; keys are hashed with the schema's name, as
// LockAcrossNodes's are. A batch holding it makes other transactions on
// any node that take the same key wait for its commit.
const txLockSQL = "SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':' || $1, 0))"

// HeldPages returns the incident's pending pages to userID due at due,
// oldest first, read inside the transaction. On PostgreSQL it first takes a
// transaction-level lock on (incident, user), held to the commit, and reads
// after it: two nodes holding pages of one incident for one person until
// the same morning then decide one after the other, and the second sees
// the first's hold (quiet hours: one morning page per contact method).
// SQLite's one writer already runs transactions one after another.
func (t *tx) HeldPages(ctx context.Context, incidentID, userID string, due time.Time) ([]hypercare.Notification, error) {
	if err := checkText("held pages", "incident_id", incidentID); err != nil {
		return nil, err
	}
	if err := checkText("held pages", "user_id", userID); err != nil {
		return nil, err
	}
	if t.s.d.nodes {
		if _, err := t.exec(ctx, qLockInTx, "held:"+incidentID+":"+userID); err != nil {
			return nil, t.s.dbErr(err, "lock held pages of incident %q for %q", incidentID, userID)
		}
	}
	rows, err := t.query(ctx, qHeldPages, incidentID, userID, micros(due))
	if err != nil {
		return nil, t.s.dbErr(err, "held pages of incident %q for %q", incidentID, userID)
	}
	out, err := collect(rows, scanNotification)
	if err != nil {
		return nil, fmt.Errorf("held pages of incident %q for %q: %w", incidentID, userID, err)
	}
	return out, nil
}

// MoveHeldPages makes userID's pending pages due at heldUntil due at due
// instead (a config reload changed the user's quiet hours: delivery
// checks them again), and says how many; each is a stream update of its
// incident.
func (t *tx) MoveHeldPages(ctx context.Context, userID string, heldUntil, due time.Time) (int, error) {
	if err := checkText("move held pages", "user_id", userID); err != nil {
		return 0, err
	}
	rows, err := t.query(ctx, qMoveHeldPages, userID, micros(heldUntil), micros(due))
	if err != nil {
		return 0, t.s.dbErr(err, "move pages of %q held until %v", userID, heldUntil)
	}
	moved, err := collect(rows, scanNotification)
	if err != nil {
		return 0, fmt.Errorf("move pages of %q held until %v: %w", userID, heldUntil, err)
	}
	for i := range moved {
		if err := t.published(nil, hypercare.StreamNotification, hypercare.StreamUpdated, moved[i].IncidentID, moved[i].ID); err != nil {
			return 0, err
		}
	}
	return len(moved), nil
}
