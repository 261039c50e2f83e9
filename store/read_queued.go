package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// QueuedSends returns when the user's waiting pages and digests on
// channel t fall due, for those due after after, oldest first; held pages
// are left out. The status IN (…) term lets SQLite use the partial index
// notifications_due, like the claim.
func (s *Store) QueuedSends(ctx context.Context, userID string, t hypercare.ContactType, after time.Time) ([]time.Time, error) {
	rows, err := s.query(ctx, queuedSendsSQL, userID, string(t), micros(after))
	if err != nil {
		return nil, fmt.Errorf("queued sends to %q: %w", userID, err)
	}
	out, err := collect(rows, func(r rowScanner, at *time.Time) error {
		var v int64
		if err := r.Scan(&v); err != nil {
			return err
		}
		*at = fromMicros(v)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("queued sends to %q: %w", userID, err)
	}
	return out, nil
}

const queuedSendsSQL = "SELECT due_at FROM notifications " +
	"WHERE status IN ('pending', 'sending') AND status = 'pending' AND user_id = $1 AND type = $2 " +
	"AND kind <> 'held' AND due_at > $3 ORDER BY due_at"
