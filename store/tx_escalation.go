package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hypercare/hypercare"
)

// GetEscalation reads an incident's escalation for update.
func (t *tx) GetEscalation(ctx context.Context, incidentID string) (*hypercare.EscalationState, error) {
	if err := checkText("get escalation", "incident_id", incidentID); err != nil {
		return nil, err
	}
	e := new(hypercare.EscalationState)
	err := scanEscalation(t.queryRow(ctx, qGetEscalation, incidentID), e)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, hypercare.Errorf(hypercare.CodeNotFound, "incident %q has no escalation", incidentID)
	}
	if err != nil {
		return nil, t.s.dbErr(err, "get escalation of %q", incidentID)
	}
	return e, nil
}

// SaveEscalation inserts or replaces an incident's escalation state.
func (t *tx) SaveEscalation(ctx context.Context, e *hypercare.EscalationState) error {
	if err := checkText("save escalation", "incident_id", e.IncidentID, "policy_id", e.PolicyID,
		"service_id", e.ServiceID, "status", e.Status, "assignee", e.Assignee); err != nil {
		return err
	}
	_, err := t.exec(ctx, qSaveEscalation, e.IncidentID, e.PolicyID, e.ServiceID, e.Level, e.Loop, e.Step,
		e.Status, micros(e.DueAt), string(e.Urgency), e.AckTimeout.Microseconds(), micros(e.UpdatedAt), zeroMicros(e.ReadyAt),
		e.Assignee)
	if err != nil {
		return t.s.dbErr(err, "save escalation of %q", e.IncidentID)
	}
	return nil
}

// DueEscalations returns (and on PostgreSQL locks, skipping rows other
// nodes hold) up to limit escalations due at now, oldest first.
func (t *tx) DueEscalations(ctx context.Context, now time.Time, limit int) ([]hypercare.EscalationState, error) {
	rows, err := t.query(ctx, qDueEscalations, micros(now), limit)
	if err != nil {
		return nil, t.s.dbErr(err, "due escalations")
	}
	out, err := collect(rows, scanEscalation)
	if err != nil {
		return nil, fmt.Errorf("due escalations: %w", err)
	}
	return out, nil
}

// NextTurn advances and returns a round-robin level's turn counter
// (0, 1, 2, …), shared by every node.
func (t *tx) NextTurn(ctx context.Context, policyID string, level int) (int, error) {
	if err := checkText("next turn", "policy_id", policyID); err != nil {
		return 0, err
	}
	var turn int
	if err := t.queryRow(ctx, qNextTurn, policyID, level).Scan(&turn); err != nil {
		return 0, t.s.dbErr(err, "next turn of %s level %d", policyID, level)
	}
	if k := (hypercare.TurnKey{PolicyID: policyID, Level: level}); t.s.d.nodes && !slices.Contains(t.turns, k) {
		t.turns = append(t.turns, k) // not locked by LockTurns: locked now
	}
	return turn, nil
}

// LockTurns locks the turn counters of keys in TurnKey order (PostgreSQL:
// one upsert each, queued, so they go with the next statement in one
// round trip, in that order), unless one it does not hold sorts before
// one it holds. The statements of a pgx batch run in order, so no other
// lock is taken between them.
func (t *tx) LockTurns(ctx context.Context, keys []hypercare.TurnKey) (bool, error) {
	for _, k := range keys {
		if err := checkText("lock turns", "policy_id", k.PolicyID); err != nil {
			return false, err
		}
	}
	if !t.s.d.nodes {
		return true, nil
	}
	need := slices.SortedFunc(slices.Values(keys), hypercare.TurnKey.Compare)
	need = slices.Compact(need)
	need = slices.DeleteFunc(need, func(k hypercare.TurnKey) bool { return slices.Contains(t.turns, k) })
	if len(need) == 0 {
		return true, nil
	}
	for _, h := range t.turns {
		if need[0].Compare(h) < 0 {
			return false, nil
		}
	}
	for _, k := range need {
		key := fmt.Sprintf("%s level %d", k.PolicyID, k.Level)
		if !t.s.d.pipeline {
			if _, err := t.exec(ctx, qLockTurn, k.PolicyID, k.Level); err != nil {
				return false, t.s.dbErr(err, "lock turn of %s", key)
			}
		} else if err := t.later(ctx, pendingWrite{id: qLockTurn, args: []any{k.PolicyID, k.Level}, what: "lock turn of", key: key}); err != nil {
			return false, err
		}
		t.turns = append(t.turns, k)
	}
	return true, nil
}

// InsertNotification records a page. The same page twice (same incident,
// step, user and contact method) is a conflict: a step that runs again
// after a crash cannot page twice.
func (t *tx) InsertNotification(ctx context.Context, n *hypercare.Notification) error {
	if err := checkText("insert notification", "id", n.ID, "incident_id", n.IncidentID, "user_id", n.UserID,
		"contact_method", n.ContactMethod, "reason", n.Reason, "last_error", n.LastError, "error_detail", n.ErrorDetail); err != nil {
		return err
	}
	err := t.insert(ctx, qInsertNotification, "notification", n.ID, "this page was already recorded",
		n.ID, n.IncidentID, n.UserID, n.ContactMethod, string(n.Type), n.Level, n.Loop, n.Step, n.Reason,
		n.Status, n.Attempts, n.LastError, micros(n.DueAt), micros(n.CreatedAt), nullMicros(n.SentAt), n.ErrorDetail,
		kindOf(n), n.DigestID)
	return t.published(err, hypercare.StreamNotification, hypercare.StreamCreated, n.IncidentID, n.ID)
}

// ClaimNotifications leases up to limit notifications due at now until
// leaseUntil and returns them with their attempt counted, leased to this
// node (lease_node, liveness.go). A lease that expires, or that another
// node takes over once this one's liveness is gone, makes the row
// claimable again.
func (t *tx) ClaimNotifications(ctx context.Context, now, leaseUntil time.Time, limit int) ([]hypercare.Notification, error) {
	rows, err := t.query(ctx, qClaimNotifications, t.s.claimArgs(micros(now), micros(leaseUntil), limit, t.s.node)...)
	if err != nil {
		return nil, t.s.dbErr(err, "claim notifications")
	}
	out, err := collect(rows, scanNotification)
	if err != nil {
		return nil, fmt.Errorf("claim notifications: %w", err)
	}
	for i := range out {
		out[i].Claimed = out[i].Attempts // this claim's identity: its outcome's condition
		if err := t.published(nil, hypercare.StreamNotification, hypercare.StreamUpdated, out[i].IncidentID, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ClaimIncidentNotifications leases the incident's pending pages due at
// now until leaseUntil and returns them with their attempt counted, as
// ClaimNotifications would, in the transaction that made them.
func (t *tx) ClaimIncidentNotifications(ctx context.Context, incidentID string, now, leaseUntil time.Time) ([]hypercare.Notification, error) {
	rows, err := t.query(ctx, qClaimIncidentNotifications, t.s.claimArgs(incidentID, micros(now), micros(leaseUntil), t.s.node)...)
	if err != nil {
		return nil, t.s.dbErr(err, "claim the pages of incident %s", incidentID)
	}
	out, err := collect(rows, scanNotification)
	if err != nil {
		return nil, fmt.Errorf("claim the pages of incident %s: %w", incidentID, err)
	}
	for i := range out {
		out[i].Claimed = out[i].Attempts // this claim's identity: its outcome's condition
		if err := t.published(nil, hypercare.StreamNotification, hypercare.StreamUpdated, out[i].IncidentID, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UpdateNotification records a delivery outcome and releases the lease. A
// page cancelled meanwhile stays cancelled unless the outcome is sent: the
// statement then updates no row, and a second read tells that apart from
// a page that does not exist (ErrNotificationCancelled, not not_found).
// A failed attempt's reason is still written to the cancelled page, so an
// admin sees why the attempt it counts failed.
func (t *tx) UpdateNotification(ctx context.Context, n *hypercare.Notification) error {
	if err := checkText("update notification", "id", n.ID, "status", n.Status, "last_error", n.LastError,
		"error_detail", n.ErrorDetail); err != nil {
		return err
	}
	err := t.update(ctx, qUpdateNotification, "notification", n.ID,
		n.ID, n.Status, n.Attempts, n.LastError, micros(n.DueAt), nullMicros(n.SentAt), n.ErrorDetail, kindOf(n), n.Claimed)
	if hypercare.IsNotFound(err) {
		var status string
		switch serr := t.queryRow(ctx, qNotificationStatus, n.ID).Scan(&status); {
		case errors.Is(serr, sql.ErrNoRows):
			// not found indeed
		case serr != nil:
			return t.s.dbErr(serr, "read the status of notification %q", n.ID)
		case status == hypercare.NotificationCancelled:
			if err := t.cancelledError(ctx, n); err != nil {
				return err
			}
			return fmt.Errorf("update notification %q to %s: %w", n.ID, n.Status, hypercare.ErrNotificationCancelled)
		case n.Claimed != 0:
			// It exists, not cancelled: another claim took it since.
			return fmt.Errorf("update notification %q to %s: %w", n.ID, n.Status, hypercare.ErrNotificationSuperseded)
		}
	}
	return t.published(err, hypercare.StreamNotification, hypercare.StreamUpdated, n.IncidentID, n.ID)
}

// cancelledError writes the reason of n's failed attempt (n.LastError set,
// a retry or a failure) to n, cancelled while the attempt was in flight.
func (t *tx) cancelledError(ctx context.Context, n *hypercare.Notification) error {
	if n.LastError == "" || (n.Status != hypercare.NotificationPending && n.Status != hypercare.NotificationFailed) {
		return nil
	}
	if _, err := t.exec(ctx, qCancelledNotificationError, n.ID, n.LastError, n.ErrorDetail); err != nil {
		return t.s.dbErr(err, "record why the attempt of cancelled notification %q failed", n.ID)
	}
	return t.published(nil, hypercare.StreamNotification, hypercare.StreamUpdated, n.IncidentID, n.ID)
}

// kindOf is n's kind, NotificationPage when unset.
func kindOf(n *hypercare.Notification) string {
	if n.Kind == "" {
		return hypercare.NotificationPage
	}
	return n.Kind
}

// TakeHeldNotifications marks the user's held pages on channel t due by
// now as digested into digestID, in one statement, so two nodes (or two
// goroutines) building a digest never both take a page.
func (t *tx) TakeHeldNotifications(ctx context.Context, userID string, ct hypercare.ContactType, now time.Time, digestID string) ([]hypercare.Notification, error) {
	if err := checkText("take held notifications", "user_id", userID, "type", string(ct), "digest_id", digestID); err != nil {
		return nil, err
	}
	rows, err := t.query(ctx, qTakeHeldNotifications, userID, string(ct), micros(now), digestID)
	if err != nil {
		return nil, t.s.dbErr(err, "take held notifications of %q", userID)
	}
	taken, err := collect(rows, scanNotification)
	if err != nil {
		return nil, fmt.Errorf("take held notifications of %q: %w", userID, err)
	}
	slices.SortFunc(taken, func(a, b hypercare.Notification) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for i := range taken {
		if err := t.published(nil, hypercare.StreamNotification, hypercare.StreamUpdated, taken[i].IncidentID, taken[i].ID); err != nil {
			return nil, err
		}
	}
	return taken, nil
}

// CancelNotifications cancels the incident's pages not yet sent, those in
// flight included (see qCancelNotifications).
func (t *tx) CancelNotifications(ctx context.Context, incidentID string) (int, error) {
	if err := checkText("cancel notifications", "incident_id", incidentID); err != nil {
		return 0, err
	}
	rows, err := t.query(ctx, qCancelNotifications, incidentID)
	if err != nil {
		return 0, t.s.dbErr(err, "cancel notifications of %q", incidentID)
	}
	cancelled, err := collect(rows, scanNotification)
	if err != nil {
		return 0, fmt.Errorf("cancel notifications of %q: %w", incidentID, err)
	}
	for i := range cancelled {
		if err := t.published(nil, hypercare.StreamNotification, hypercare.StreamUpdated, incidentID, cancelled[i].ID); err != nil {
			return 0, err
		}
	}
	return len(cancelled), nil
}

func scanEscalation(r rowScanner, e *hypercare.EscalationState) error {
	var due, ackTimeout, updated, ready int64
	err := r.Scan(&e.IncidentID, &e.PolicyID, &e.ServiceID, &e.Level, &e.Loop, &e.Step, &e.Status, &due,
		&e.Urgency, &ackTimeout, &updated, &ready, &e.Assignee)
	if err != nil {
		return err
	}
	e.AckTimeout = time.Duration(ackTimeout) * time.Microsecond
	e.DueAt, e.UpdatedAt = fromMicros(due), fromMicros(updated)
	if ready != 0 {
		e.ReadyAt = fromMicros(ready)
	}
	return nil
}

func scanNotification(r rowScanner, n *hypercare.Notification) error {
	var due, created int64
	var sent sql.NullInt64
	err := r.Scan(&n.ID, &n.IncidentID, &n.UserID, &n.ContactMethod, &n.Type, &n.Level, &n.Loop, &n.Step,
		&n.Reason, &n.Status, &n.Attempts, &n.LastError, &due, &created, &sent, &n.ErrorDetail, &n.Kind, &n.DigestID)
	if err != nil {
		return err
	}
	n.DueAt, n.CreatedAt, n.SentAt = fromMicros(due), fromMicros(created), fromNullMicros(sent)
	return nil
}

// recentSendsSQL is a range of notifications_sent_by_user (partial: sent).
const recentSendsSQL = "SELECT sent_at FROM notifications " +
	"WHERE user_id = $1 AND type = $2 AND status = 'sent' AND sent_at >= $3 ORDER BY sent_at"

// RecentSends returns when the user was sent pages and digests on
// channel t at or after since, oldest first.
func (s *Store) RecentSends(ctx context.Context, userID string, t hypercare.ContactType, since time.Time) ([]time.Time, error) {
	rows, err := s.query(ctx, recentSendsSQL, userID, string(t), micros(since))
	if err != nil {
		return nil, fmt.Errorf("recent sends to %q: %w", userID, err)
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
		return nil, fmt.Errorf("recent sends to %q: %w", userID, err)
	}
	return out, nil
}

// Pages of a digest (partial index notifications_digest: the digest_id <>
// ” term lets SQLite use it) and of an incident (notifications_incident).
const (
	listDigestSQL = "SELECT " + notificationCols + " FROM notifications " +
		"WHERE digest_id = $1 AND digest_id <> '' ORDER BY created_at, id"
	listNotificationsSQL = "SELECT " + notificationCols + " FROM notifications " +
		"WHERE incident_id = $1 ORDER BY created_at, id"
	getEscalationSQL = "SELECT " + escalationCols + " FROM escalations WHERE incident_id = $1"
)

// ListDigest returns the pages digest digestID stands for, oldest first.
func (s *Store) ListDigest(ctx context.Context, digestID string) ([]hypercare.Notification, error) {
	if err := checkText("list digest", "digest_id", digestID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, listDigestSQL, digestID)
	if err != nil {
		return nil, fmt.Errorf("list digest %q: %w", digestID, err)
	}
	out, err := collect(rows, scanNotification)
	if err != nil {
		return nil, fmt.Errorf("list digest %q: %w", digestID, err)
	}
	return out, nil
}

// ListNotifications returns an incident's pages, oldest first.
func (s *Store) ListNotifications(ctx context.Context, incidentID string) ([]hypercare.Notification, error) {
	if err := checkText("list notifications", "incident_id", incidentID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, listNotificationsSQL, incidentID)
	if err != nil {
		return nil, fmt.Errorf("list notifications of %q: %w", incidentID, err)
	}
	out, err := collect(rows, scanNotification)
	if err != nil {
		return nil, fmt.Errorf("list notifications of %q: %w", incidentID, err)
	}
	return out, nil
}

// GetEscalation returns an incident's escalation state.
func (s *Store) GetEscalation(ctx context.Context, incidentID string) (*hypercare.EscalationState, error) {
	if err := checkText("get escalation", "incident_id", incidentID); err != nil {
		return nil, err
	}
	e, err := getOne(ctx, s, getEscalationSQL, incidentID,
		scanEscalation, func() error {
			return hypercare.Errorf(hypercare.CodeNotFound, "incident %q has no escalation", incidentID)
		})
	if err != nil && !hypercare.IsNotFound(err) {
		return nil, fmt.Errorf("get escalation of %q: %w", incidentID, err)
	}
	return e, err
}
